"""Sentinelle's exceptions: one root, a few families.

::

    SentinelleError
    ├── ConfigError          settings or environment unusable
    ├── StorageError         database unreachable or schema problem
    ├── InputError           a file, row or argument is invalid (names the input, line, field)
    │   └── ImportRejected   an import rejected rows (carries every RowError)
    ├── NotFoundError        an object asked for does not exist
    ├── AccessError          access control refused a request
    │   ├── AuthError        not authenticated: bad credentials, expired session
    │   │   └── LoginThrottled   too many failed logins: wait
    │   └── AccessDenied     authenticated, but the role or habilitation does not allow it
    ├── SolverError          an optimisation could not be run
    └── RecordingError       recording cannot go on (a tool missing, a segment unreadable)
        ├── ToolMissing      ffmpeg or GStreamer's RTSP server is not installed
        └── RecorderBusy     another recorder already holds this recordings folder

Compliance violations are *data* (findings), never exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass


class SentinelleError(Exception):
    """Root of every error raised on purpose by Sentinelle."""


class ConfigError(SentinelleError):
    """Settings or environment are unusable."""


class StorageError(SentinelleError):
    """The database cannot be reached or its schema is wrong."""


class NotFoundError(SentinelleError):
    """An object asked for does not exist."""


class AccessError(SentinelleError):
    """Access control refused a request."""


class AuthError(AccessError):
    """Not authenticated: unknown user, wrong password or code, expired session, throttled."""


class LoginThrottled(AuthError):
    """Too many failed logins for this account or address: wait until `retry_after`."""

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AccessDenied(AccessError):
    """Authenticated, but the role or the habilitation does not allow this."""


class SolverError(SentinelleError):
    """An optimisation could not be run."""


class RecordingError(SentinelleError):
    """Recording cannot go on: a segment is unreadable, a stream cannot be set up."""


class ToolMissing(RecordingError):
    """A program recording needs (ffmpeg, GStreamer's RTSP server) is not installed."""


class RecorderBusy(RecordingError):
    """Another recorder already holds this recordings folder."""


@dataclass(frozen=True)
class RowError:
    """One rejected input row: where it is and why it was rejected."""

    file: str
    line: int | None
    field: str | None
    reason: str
    unit: str = "line"  # what `line` counts: "line" in text files, "feature" in GeoPackages

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", {self.unit} {self.line}"
        if self.field:
            where += f", field `{self.field}`"
        return f"{where}: {self.reason}"


class InputError(SentinelleError):
    """Invalid input: a file, a row, a field or an argument.

    The message names the input and, where known, the line and field.
    """

    def __init__(self, message: str, *, errors: list[RowError] | None = None) -> None:
        super().__init__(message)
        self.errors: list[RowError] = list(errors or [])

    @classmethod
    def at(cls, file: str, line: int | None, field: str | None, reason: str) -> InputError:
        err = RowError(file, line, field, reason)
        return cls(str(err), errors=[err])


class ImportRejected(InputError):
    """An import rejected one or more rows; `errors` lists each of them."""
