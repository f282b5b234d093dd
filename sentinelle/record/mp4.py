"""Read the timing of a fragmented MP4 segment, including one cut short by a crash.

The recorder writes fragmented MP4 (``empty_moov``: an empty ``moov`` then ``moof``/``mdat``
pairs of about one second each). A file cut by a crash or power loss ends inside a fragment;
every fragment before that point is complete and plays. `probe_fragmented_mp4` walks the box
headers (it reads a few hundred bytes per fragment, never the video itself) and returns the
time covered by the complete fragments and the byte length they occupy.
`LayoutScan` checks only the top-level boxes, from the bytes the recorder reads anyway to
hash a segment.

Only what Sentinelle's recorder writes is needed: one video track; sample durations from
``trun``, ``tfhd`` or ``trex``; decode times from ``tfdt``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sentinelle.errors import RecordingError

_LARGE = b"\x00\x00\x00\x01"  # a box size of 1: the 64-bit size follows the type
_CONTAINERS = {b"moov", b"trak", b"mdia", b"mvex", b"moof", b"traf", b"minf", b"stbl"}


@dataclass(frozen=True)
class Mp4Timing:
    """What the complete fragments of a segment cover.

    Attributes
    ----------
    duration_s
        Time from the first sample to the end of the last complete fragment.
    fragments
        Number of complete fragments (``moof`` followed by its whole ``mdat``).
    complete_bytes
        Bytes up to the end of the last complete fragment.
    size_bytes
        Size of the file.
    truncated
        Whether the file ends inside a box (it was cut mid-fragment).
    """

    duration_s: float
    fragments: int
    complete_bytes: int
    size_bytes: int
    truncated: bool


def _header(header: bytes) -> tuple[bytes, int | None, int]:
    """``(type, size, header length)`` of a box from its first 8 or 16 bytes: a size of 1
    means a 64-bit size after the type (16-byte header; size ``None`` when those bytes are
    missing, cut by the end of the file), a size of 0 a box that runs to the end of the file.
    """
    size, kind = struct.unpack(">I4s", header[:8])
    if size != 1:
        return kind, size, 8
    if len(header) < 16:
        return kind, None, 16
    return kind, struct.unpack(">Q", header[8:16])[0], 16


def _boxes(f: BinaryIO, start: int, end: int):
    """Yield ``(type, payload_start, box_end)`` for the boxes between `start` and `end`.

    A box whose header or extent runs past `end` is yielded with ``box_end > end`` and ends the
    walk: the caller decides what a cut box means.
    """
    pos = start
    while pos + 8 <= end:
        f.seek(pos)
        header = f.read(16)
        if len(header) < 8:
            return
        kind, size, length = _header(header)
        if size is None:
            yield kind, pos + 8, end + 1
            return
        payload = pos + length
        if size == 0:
            size = end - pos
        if size < 8:
            return
        yield kind, payload, pos + size
        if pos + size > end:
            return
        pos += size


def _read(f: BinaryIO, pos: int, n: int) -> bytes:
    f.seek(pos)
    return f.read(n)


def _find(f: BinaryIO, start: int, end: int, path: list[bytes]) -> list[tuple[int, int]]:
    """Payload extents of the boxes at `path` below the range (depth-first)."""
    found = []
    for kind, payload, box_end in _boxes(f, start, end):
        if box_end > end or kind != path[0]:
            continue
        if len(path) == 1:
            found.append((payload, box_end))
        elif kind in _CONTAINERS:
            found.extend(_find(f, payload, box_end, path[1:]))
    return found


def _timescale(f: BinaryIO, moov: tuple[int, int]) -> int:
    for payload, _end in _find(f, *moov, [b"trak", b"mdia", b"mdhd"]):
        head = _read(f, payload, 32)
        version = head[0]
        offset = 4 + (16 if version == 1 else 8)
        return struct.unpack(">I", head[offset:offset + 4])[0]
    msg = "no mdhd box in moov: not a video segment written by the recorder"
    raise RecordingError(msg)


def _trex_duration(f: BinaryIO, moov: tuple[int, int]) -> int:
    for payload, _end in _find(f, *moov, [b"mvex", b"trex"]):
        return struct.unpack(">I", _read(f, payload + 12, 4))[0]
    return 0


def _fragment_span(f: BinaryIO, moof: tuple[int, int], default_duration: int) -> tuple[int, int]:
    """``(base decode time, total duration)`` of one fragment, in track timescale units."""
    base = 0
    total = 0
    for traf_payload, traf_end in _find(f, *moof, [b"traf"]):
        duration = default_duration
        for kind, payload, box_end in _boxes(f, traf_payload, traf_end):
            if box_end > traf_end:
                break
            if kind == b"tfhd":
                head = _read(f, payload, box_end - payload)
                flags = int.from_bytes(head[1:4], "big")
                pos = 8  # version+flags, track_ID
                if flags & 0x01:
                    pos += 8  # base_data_offset
                if flags & 0x02:
                    pos += 4  # sample_description_index
                if flags & 0x08:
                    duration = struct.unpack(">I", head[pos:pos + 4])[0]
            elif kind == b"tfdt":
                head = _read(f, payload, 12)
                if head[0] == 1:
                    base = struct.unpack(">Q", head[4:12])[0]
                else:
                    base = struct.unpack(">I", head[4:8])[0]
            elif kind == b"trun":
                body = _read(f, payload, box_end - payload)
                flags = int.from_bytes(body[1:4], "big")
                count = struct.unpack(">I", body[4:8])[0]
                pos = 8
                if flags & 0x001:
                    pos += 4  # data_offset
                if flags & 0x004:
                    pos += 4  # first_sample_flags
                fields = [flags & bit for bit in (0x100, 0x200, 0x400, 0x800)]
                stride = 4 * sum(1 for x in fields if x)
                if fields[0]:
                    for i in range(count):
                        at = pos + i * stride
                        total += struct.unpack(">I", body[at:at + 4])[0]
                else:
                    total += count * duration
        break  # one video track
    return base, total


def probe_fragmented_mp4(path: Path) -> Mp4Timing:
    """The time covered by the complete fragments of the fragmented MP4 at `path`.

    Parameters
    ----------
    path
        A segment written by the recorder, complete or cut.

    Returns
    -------
    Mp4Timing
        Duration and byte extent of the complete fragments; ``fragments == 0`` when nothing
        in the file can be played.

    Raises
    ------
    RecordingError
        When the file is not a fragmented MP4 (no ``moov`` box at its start).
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        moov: tuple[int, int] | None = None
        timescale = 0
        default_duration = 0
        first: int | None = None
        end_time = 0
        fragments = 0
        complete = 0
        pending: tuple[int, int] | None = None  # a moof waiting for its mdat
        cut = False
        for kind, payload, box_end in _boxes(f, 0, size):
            if box_end > size:
                cut = True
                break
            if kind == b"moov":
                moov = (payload, box_end)
                timescale = _timescale(f, moov)
                default_duration = _trex_duration(f, moov)
            elif kind == b"moof":
                if moov is None:
                    break
                pending = _fragment_span(f, (payload, box_end), default_duration)
                continue  # complete only once its mdat is whole
            elif kind == b"mdat" and pending is not None:
                base, duration = pending
                pending = None
                first = base if first is None else min(first, base)
                end_time = max(end_time, base + duration)
                fragments += 1
            complete = box_end
        if moov is None:
            msg = f"{path}: no moov box, not a fragmented MP4 segment"
            raise RecordingError(msg)
    duration_s = (end_time - first) / timescale if fragments and timescale else 0.0
    return Mp4Timing(
        duration_s=duration_s,
        fragments=fragments,
        complete_bytes=complete,
        size_bytes=size,
        truncated=cut or complete < size,
    )


@dataclass(frozen=True)
class Mp4Layout:
    """The top-level boxes of a fragmented MP4 segment (no fragment is opened).

    Attributes
    ----------
    fragments
        Number of complete fragments (``moof`` followed by its whole ``mdat``).
    complete_bytes
        Bytes up to the end of the last complete top-level box.
    size_bytes
        Size of the file.
    truncated
        Whether the file ends inside a box (it was cut mid-fragment).
    """

    fragments: int
    complete_bytes: int
    size_bytes: int
    truncated: bool


class LayoutScan:
    """Walk the top-level boxes of a fragmented MP4 from its bytes as they are read in order.

    The recorder reads every byte of a segment once to hash it; fed the same chunks
    (`feed`), this walk reads nothing of its own. For a segment whose times are known
    already (ffmpeg's segment list gives them), it is what is left to check: the file starts
    with a ``moov``, holds whole fragments, and does not end inside a box. A box header split
    between two chunks is put together; `layout` gives the result once the last chunk is in.
    """

    def __init__(self) -> None:
        self._fed = 0  # bytes fed so far
        self._next = 0  # offset of the next box header
        self._head = bytearray()  # the bytes of that header fed so far (at most 16)
        self._done = False  # the walk stopped: a box to the end of the file, or a bad one
        self._to_end: bytes | None = None  # the kind of a box that runs to the end (size 0)
        # The last box seen, (kind, end): whole once the next header starts at its end, cut
        # if the file ends before it.
        self._last: tuple[bytes, int] | None = None
        self._cut = False
        self._moov = False
        self._pending = False  # a moof waiting for its mdat
        self._fragments = 0
        self._complete = 0

    def feed(self, chunk: bytes | bytearray | memoryview) -> None:
        """The next bytes of the file, right after those fed before."""
        start = self._fed
        self._fed += len(chunk)
        while not self._done and self._next < self._fed:
            # 8 bytes of header, 16 when the size is 64-bit: never past the box's own bytes,
            # so that the next header starts in this chunk or one still to come.
            want = 16 if self._head[:4] == _LARGE else 8
            at = self._next + len(self._head) - start  # where the header goes on in `chunk`
            self._head += chunk[at:at + want - len(self._head)]
            if len(self._head) < want:
                return  # the header goes on in the next chunk (or the file ends here)
            if want == 8 and self._head[:4] == _LARGE:
                continue  # read the 64-bit size too
            self._box(bytes(self._head))
            self._head.clear()

    def _box(self, header: bytes) -> None:
        """The box whose header (8 or 16 bytes; 8 for a cut 64-bit one) is at `_next`."""
        self._settle()  # the box before this one ends where this one starts: it is whole
        if self._done:
            return
        kind, size, length = _header(header)
        if size is None:  # a 64-bit size cut by the end of the file
            self._cut = self._done = True
            return
        if size == 0:  # runs to the end of the file, whose size is known only then
            self._to_end = kind
            self._done = True
            return
        if size < length:
            self._done = True
            return
        self._next += size
        self._last = (kind, self._next)

    def _settle(self) -> None:
        """Count the last box seen, known to be whole."""
        if self._last is not None:
            kind, end = self._last
            self._last = None
            if not self._apply(kind, end):
                self._done = True

    def _apply(self, kind: bytes, box_end: int) -> bool:
        """Count one whole box; False ends the walk (a fragment before any ``moov``)."""
        if kind == b"moov":
            self._moov = True
        elif kind == b"moof":
            if not self._moov:
                return False
            self._pending = True
            return True
        elif kind == b"mdat" and self._pending:
            self._pending = False
            self._fragments += 1
        self._complete = box_end
        return True

    def layout(self, *, name: str = "segment") -> Mp4Layout:
        """The layout of the bytes fed, the whole file.

        Raises
        ------
        RecordingError
            When the file is not a fragmented MP4 (no ``moov`` box before the first
            fragment).
        """
        size = self._fed
        if not self._done and len(self._head) >= 8:  # a 64-bit size cut by the end
            self._box(bytes(self._head))
        if self._last is not None:
            if self._last[1] <= size:
                self._settle()
            else:  # the file ends inside the last box
                self._cut = True
        if self._to_end is not None:
            self._apply(self._to_end, size)
        if not self._moov:
            msg = f"{name}: no moov box, not a fragmented MP4 segment"
            raise RecordingError(msg)
        return Mp4Layout(fragments=self._fragments, complete_bytes=self._complete,
                         size_bytes=size, truncated=self._cut or self._complete < size)
