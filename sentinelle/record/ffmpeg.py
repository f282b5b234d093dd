"""The ffmpeg command that records one stream, and what the recorder reads back from ffmpeg.

The command is a list of arguments, never a shell string. It copies the video as it comes
(no re-encoding), over RTSP/TCP with a socket timeout (a frozen camera would otherwise hang
ffmpeg forever), into fragmented MP4 segments named by their UTC start time
(``YYYY-MM-DD/YYYYMMDDTHHMMSSZ.mp4``) so that a segment cut by a crash stays readable and no
name repeats when clocks change for daylight saving. A CSV segment list names each segment
once it is complete.

ffmpeg prints the stream URL, credentials included, in its messages: `scrub` removes them from
every line before it reaches a log.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sentinelle.errors import ToolMissing

SEGMENT_PATTERN = "%Y-%m-%d/%Y%m%dT%H%M%SZ.mp4"
"""Where ffmpeg writes segments below a camera's folder (strftime, in UTC)."""

FRAGMENT_OPTIONS = (
    "movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=1000000:flush_packets=1"
)

_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s'\"]+)@")
_INPUT_START = re.compile(r"^\s*Duration: .*?, start: (?P<start>-?\d+(?:\.\d+)?)")
_OPENING = re.compile(r"Opening '(?P<path>[^']+\.mp4)' for writing")


def find_ffmpeg(name: str = "ffmpeg") -> str:
    """The path of the ffmpeg program.

    Raises
    ------
    ToolMissing
        When ffmpeg is not installed.
    """
    path = shutil.which(name)
    if path is None:
        msg = f"`{name}` not found: recording needs ffmpeg (apt-get install ffmpeg)"
        raise ToolMissing(msg)
    return path


def record_argv(
    url: str,
    *,
    out_dir: Path,
    segment_list: Path,
    segment_time_s: float = 10.0,
    rtsp_timeout_s: float = 5.0,
    ffmpeg: str = "ffmpeg",
) -> list[str]:
    """The ffmpeg arguments that record `url` into segments under `out_dir`.

    Parameters
    ----------
    url
        The camera's stream (RTSP), credentials included: they stay in the argument list and
        are never logged (see `scrub`).
    out_dir
        The camera's folder; segments go to its dated sub-folders, which must exist before
        ffmpeg opens a segment in them (the segment muxer does not create folders).
    segment_list
        CSV file where ffmpeg names each segment once complete (``name,start,end``, times in
        seconds from the first packet of this run).
    segment_time_s
        Target segment length; segments are cut on the next keyframe after it.
    rtsp_timeout_s
        Socket timeout: ffmpeg exits when the camera sends nothing for this long.
    ffmpeg
        The program to run.

    Returns
    -------
    list[str]
        The argument vector, program first. Run it with ``TZ=UTC`` in its environment so that
        segment names are in UTC.
    """
    if segment_time_s <= 0:
        msg = f"`segment_time_s` must be positive, got {segment_time_s}"
        raise ValueError(msg)
    if rtsp_timeout_s <= 0:
        msg = f"`rtsp_timeout_s` must be positive, got {rtsp_timeout_s}"
        raise ValueError(msg)
    # No progress reports: the recorder watches the segment being written grow instead.
    argv = [ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info"]
    if url.lower().startswith(("rtsp://", "rtsps://")):
        argv += ["-rtsp_transport", "tcp", "-timeout", str(int(rtsp_timeout_s * 1_000_000))]
    argv += [
        "-use_wallclock_as_timestamps", "1",
        "-i", url,
        "-map", "0:v",
        "-c", "copy",
        "-f", "segment",
        "-segment_time", f"{segment_time_s:g}",
        "-segment_format", "mp4",
        "-segment_format_options", FRAGMENT_OPTIONS,
        "-reset_timestamps", "1",
        "-strftime", "1",
        "-segment_list", str(segment_list),
        "-segment_list_type", "csv",
        str(out_dir / SEGMENT_PATTERN),
    ]
    return argv


def url_secrets(url: str | None) -> list[str]:
    """The secrets in a stream URL: the user-info, and the password raw and decoded."""
    if not url:
        return []
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return []
    userinfo = parts.netloc.rsplit("@", 1)[0]
    found = {userinfo}
    _user, sep, password = userinfo.partition(":")
    if sep and password:
        found |= {password, unquote(password)}
    return sorted((s for s in found if len(s) >= 3), key=len, reverse=True)


def scrub(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """`text` with the credentials of any URL, and each of `secrets`, replaced by ``***``.

    Parameters
    ----------
    text
        A line written by ffmpeg (or anything that may quote a stream URL).
    secrets
        Strings that must not appear, such as `url_secrets` of the stream.
    """
    out = _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}***@", text)
    for secret in secrets:
        if secret:
            out = out.replace(secret, "***")
    return out


def input_start(line: str) -> datetime | None:
    """The wall-clock time of the first packet, from ffmpeg's input summary line.

    With ``-use_wallclock_as_timestamps 1`` ffmpeg prints ``Duration: …, start: <epoch>`` for
    the input; the times of the segment list count from it.
    """
    m = _INPUT_START.match(line)
    if not m:
        return None
    value = float(m.group("start"))
    if value < 1e9:  # not a wall-clock time (a camera's own clock, or a file)
        return None
    return datetime.fromtimestamp(value, UTC)


def opened_segment(line: str) -> str | None:
    """The path of the segment ffmpeg opened, from its ``Opening '…' for writing`` line."""
    m = _OPENING.search(line)
    return m.group("path") if m else None
