"""Small helpers shared by the custody modules: keys, times, text fields."""

from __future__ import annotations

from datetime import UTC, datetime

from sentinelle.access.keys import Keys, load_keys
from sentinelle.errors import InputError
from sentinelle.settings import Settings


def keys_or_default(keys: Keys | None) -> Keys:
    """`keys`, or the installation's keys read from the environment (as the CLI does)."""
    return keys if keys is not None else load_keys(Settings())


def aware(value: datetime, name: str) -> datetime:
    """`value` in UTC; a naive datetime is refused."""
    if value.tzinfo is None:
        msg = f"`{name}`: a timezone-aware time is needed, got {value.isoformat()}"
        raise InputError(msg)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        msg = f"`{name}`: {value.isoformat()} is out of range"
        raise InputError(msg) from None


def window(start: datetime, end: datetime, what: str) -> tuple[datetime, datetime]:
    """A checked time window: aware, end after start."""
    start, end = aware(start, f"{what} start"), aware(end, f"{what} end")
    if end <= start:
        msg = f"{what}: end {end.isoformat()} is not after start {start.isoformat()}"
        raise InputError(msg)
    return start, end


def text(value: str | None, name: str, *, max_len: int, required: bool = False) -> str | None:
    """A stripped text field, None when empty; refused when required and empty, or too long."""
    v = (value or "").strip()
    if "\x00" in v:
        msg = f"`{name}` contains a NUL character"
        raise InputError(msg)
    if not v:
        if required:
            msg = f"`{name}` is required"
            raise InputError(msg)
        return None
    if len(v) > max_len:
        msg = f"`{name}` is longer than {max_len} characters"
        raise InputError(msg)
    return v


def parse_time(value: str, name: str) -> datetime:
    """An ISO 8601 time; UTC when it has no offset."""
    try:
        t = datetime.fromisoformat(value.strip())
    except ValueError:
        msg = f"`{name}` '{value}' is not an ISO 8601 time (e.g. 2026-11-25T21:00:00Z)"
        raise InputError(msg) from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
