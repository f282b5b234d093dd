"""Recorded segments: where they live, their index (time, size, SHA-256), rebuilt from disk.

Layout under the recordings folder (``SENTINELLE_HOME/recordings``)::

    recordings/
      CAMERA/                      one folder per camera (its id, made safe for a file name)
        camera.json                the camera id, so that the index can be rebuilt from disk
        2026-11-25/                UTC day
          20261125T233524Z.mp4     a fragmented MP4 segment named by its UTC start
      .lists/                      ffmpeg's segment lists, one per ffmpeg run

`SegmentIndex` is the only code that reads or writes the ``record_segments`` table. A path is
indexed at most once (a unique column), so replaying a segment list or rebuilding from disk
twice never duplicates a segment.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from sentinelle.db.engine import Database
from sentinelle.db.record_tables import SegmentRow
from sentinelle.errors import RecordingError
from sentinelle.record.mp4 import LayoutScan, Mp4Layout, probe_fragmented_mp4

logger = logging.getLogger(__name__)

CAMERA_FILE = "camera.json"
LISTS_DIR = ".lists"
_HASH_CHUNK = 1 << 18  # as hashlib.file_digest reads; larger buffers hash slower here
_NAME = re.compile(r"^(\d{8}T\d{6})Z\.mp4$")
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CHAIN_TOLERANCE_S = 1.5
"""How far before its named second a segment may start and still follow its predecessor."""


@dataclass(frozen=True)
class Segment:
    """One segment of footage, as indexed.

    Attributes
    ----------
    camera_id
        The camera it records.
    path
        Its path relative to the recordings folder, with ``/`` separators.
    start, end
        Time it covers, timezone-aware UTC.
    size_bytes
        File size when indexed.
    sha256
        SHA-256 of the file's bytes when indexed.
    complete
        False when the segment was cut by a crash and indexed up to its last whole fragment.
    """

    camera_id: str
    path: str
    start: datetime
    end: datetime
    size_bytes: int
    sha256: str
    complete: bool = True
    run_id: int | None = None

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()

    @property
    def bitrate_kbps(self) -> float | None:
        d = self.duration_s
        return self.size_bytes * 8 / d / 1000 if d > 0 else None


def camera_folder(camera_id: str) -> str:
    """The folder name of a camera: its id when safe for a file name, else a slug and a hash."""
    if _SAFE.match(camera_id) and camera_id not in {".", ".."}:
        return camera_id
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", camera_id).strip("._")[:40] or "camera"
    digest = hashlib.sha256(camera_id.encode()).hexdigest()[:10]
    return f"{slug}-{digest}"


def camera_dir(root: Path, camera_id: str) -> Path:
    return root / camera_folder(camera_id)


def prepare_camera_dir(root: Path, camera_id: str, *, now: datetime) -> Path:
    """Create the camera's folder, its ``camera.json`` and the dated folders of `now`'s UTC day
    and the next (ffmpeg's segment muxer does not create folders)."""
    folder = camera_dir(root, camera_id)
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / CAMERA_FILE
    if not marker.exists():
        marker.write_text(json.dumps({"camera_id": camera_id}) + "\n", encoding="utf-8")
    ensure_day_folders(folder, now=now)
    return folder


def ensure_day_folders(folder: Path, *, now: datetime) -> None:
    """Create the UTC day folders of `now` and of the next day below a camera's folder."""
    day = now.astimezone(UTC).date()
    for d in (day, day + timedelta(days=1)):
        (folder / d.isoformat()).mkdir(exist_ok=True)


def segment_name_time(path: Path | str) -> datetime | None:
    """The UTC time in a segment's file name (``20261125T233524Z.mp4``), or None."""
    m = _NAME.match(Path(path).name if not isinstance(path, str) or "/" in path else path)
    if not m:
        return None
    d = m.group(1)  # YYYYMMDDTHHMMSS, digits checked by the pattern (strptime is 30× slower)
    return datetime(int(d[0:4]), int(d[4:6]), int(d[6:8]), int(d[9:11]), int(d[11:13]),
                    int(d[13:15]), tzinfo=UTC)


def sha256_file(path: Path) -> str:
    with path.open("rb", buffering=0) as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _hash_and_scan(path: Path, name: str) -> tuple[str, Mp4Layout]:
    """SHA-256 of every byte of a segment and its top-level boxes, in one read through a
    reused buffer: the box walk reads nothing of its own. (Not a memory map: a file truncated
    while mapped would kill the recorder.)"""
    digest = hashlib.sha256()
    scan = LayoutScan()
    buf = bytearray(_HASH_CHUNK)
    view = memoryview(buf)
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(buf):
            chunk = view[:n]
            digest.update(chunk)
            scan.feed(chunk)
    return digest.hexdigest(), scan.layout(name=name)


def read_camera_id(folder: Path) -> str | None:
    """The camera id stored in a camera folder's ``camera.json``."""
    try:
        data = json.loads((folder / CAMERA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    cid = data.get("camera_id") if isinstance(data, dict) else None
    return cid if isinstance(cid, str) and cid else None


def segment_files(folder: Path) -> list[Path]:
    """The segment files below a camera's folder, oldest name first."""
    return sorted(
        (p for p in folder.glob("*/*.mp4") if _NAME.match(p.name)), key=lambda p: p.name
    )


@dataclass(frozen=True)
class ListedSegment:
    """One line of an ffmpeg CSV segment list: a complete segment and its run-relative times."""

    name: str
    start_s: float
    end_s: float


def read_segment_list(path: Path, *, offset: int = 0) -> tuple[list[ListedSegment], int]:
    """The complete lines of an ffmpeg CSV segment list from byte `offset` on.

    Returns the segments and the offset after the last complete line (a line being written
    is left for the next call).
    """
    try:
        with path.open("rb") as f:
            f.seek(offset)
            data = f.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset
    out = []
    for raw in data[: end + 1].decode("utf-8", "replace").splitlines():
        parts = raw.rsplit(",", 2)
        if len(parts) != 3:
            continue
        name = parts[0].strip().strip('"')
        try:
            out.append(ListedSegment(name, float(parts[1]), float(parts[2])))
        except ValueError:
            continue
    return out, offset + end + 1


@dataclass(frozen=True)
class ListedTimes:
    """What an ffmpeg segment list tells of a segment: its times (when the run's first packet
    time is known) and its run."""

    start: datetime | None
    end: datetime | None
    run_id: int | None


@dataclass
class RebuildReport:
    """What `SegmentIndex.rebuild_from_disk` did."""

    added: list[Segment] = field(default_factory=list)
    already: int = 0
    unplayable: list[str] = field(default_factory=list)
    unknown_folders: list[str] = field(default_factory=list)


@dataclass
class VerifyReport:
    """What `SegmentIndex.verify` found: segments whose bytes changed, and missing files."""

    checked: int = 0
    changed: list[Segment] = field(default_factory=list)
    missing: list[Segment] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.changed and not self.missing


_SEGMENTS = SegmentRow.__table__


def _segment_row(segment: Segment, now: datetime) -> dict:
    return {
        "camera_id": segment.camera_id, "path": segment.path, "start_at": segment.start,
        "end_at": segment.end, "duration_s": segment.duration_s,
        "size_bytes": segment.size_bytes, "sha256": segment.sha256,
        "complete": segment.complete, "run_id": segment.run_id, "indexed_at": now,
    }


def _row_to_segment(row: SegmentRow) -> Segment:
    return Segment(
        camera_id=row.camera_id,
        path=row.path,
        start=row.start_at,
        end=row.end_at,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        complete=row.complete,
        run_id=row.run_id,
    )


class SegmentIndex:
    """The index of recorded segments, over the database and the recordings folder.

    Parameters
    ----------
    db
        The database.
    root
        The recordings folder (``SENTINELLE_HOME/recordings``).
    """

    def __init__(self, db: Database, root: Path) -> None:
        self.db = db
        self.root = root
        self._resolved_root: Path | None = None

    # --- reading -------------------------------------------------------------------------
    def segments(
        self,
        camera_id: str | None = None,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[Segment]:
        """Indexed segments, by camera then start; those overlapping [start, end) when given."""
        q = select(SegmentRow).order_by(SegmentRow.camera_id, SegmentRow.start_at)
        if camera_id is not None:
            q = q.where(SegmentRow.camera_id == camera_id)
        if start is not None:
            q = q.where(SegmentRow.end_at > start)
        if end is not None:
            q = q.where(SegmentRow.start_at < end)
        with self.db.session() as s:
            return [_row_to_segment(r) for r in s.scalars(q)]

    def get(self, path: str) -> Segment | None:
        """The indexed segment at `path` (relative to the recordings folder), or None."""
        with self.db.session() as s:
            row = s.scalars(select(SegmentRow).where(SegmentRow.path == path)).first()
            return _row_to_segment(row) if row else None

    def last(self, camera_id: str) -> Segment | None:
        """The camera's latest segment (by start)."""
        q = (
            select(SegmentRow)
            .where(SegmentRow.camera_id == camera_id)
            .order_by(SegmentRow.start_at.desc())
            .limit(1)
        )
        with self.db.session() as s:
            row = s.scalars(q).first()
            return _row_to_segment(row) if row else None

    def count(self, camera_id: str | None = None) -> int:
        q = select(func.count()).select_from(SegmentRow)
        if camera_id is not None:
            q = q.where(SegmentRow.camera_id == camera_id)
        with self.db.session() as s:
            return int(s.scalar(q) or 0)

    def indexed_paths(self, camera_id: str | None = None) -> set[str]:
        q = select(SegmentRow.path)
        if camera_id is not None:
            q = q.where(SegmentRow.camera_id == camera_id)
        with self.db.session() as s:
            return set(s.scalars(q))

    def camera_ids(self) -> list[str]:
        with self.db.session() as s:
            return list(s.scalars(select(SegmentRow.camera_id).distinct()))

    # --- writing -------------------------------------------------------------------------
    def add(self, segment: Segment, *, now: datetime) -> bool:
        """Index `segment`; False when its path is already indexed (nothing is written).

        One INSERT in one transaction; the unique path refuses a second copy.
        """
        try:
            with self.db.engine.begin() as conn:
                conn.execute(insert(_SEGMENTS), [_segment_row(segment, now)])
        except IntegrityError:  # indexed already (the path is unique)
            return False
        return True

    def remove(self, path: str) -> bool:
        """Remove the index row of the segment at `path` (relative, as indexed); False when
        it was not indexed. Only retention (`sentinelle.custody.retention`) calls it, after
        deleting the file."""
        with self.db.session() as s:
            result = s.execute(delete(SegmentRow).where(SegmentRow.path == path))
            return bool(result.rowcount)
    def add_many(self, segments: Sequence[Segment], *, now: datetime) -> list[bool]:
        """Index `segments` in one transaction (one INSERT of several rows).

        When one of them is indexed already the transaction is rolled back and each is added
        on its own, so that the others are still indexed and none twice. Returns, for each
        segment, whether it was added.
        """
        if not segments:
            return []
        if len(segments) == 1:
            return [self.add(segments[0], now=now)]
        try:
            with self.db.engine.begin() as conn:
                conn.execute(insert(_SEGMENTS), [_segment_row(seg, now) for seg in segments])
        except IntegrityError:
            return [self.add(seg, now=now) for seg in segments]
        return [True] * len(segments)

    def relative(self, path: Path) -> str:
        if self._resolved_root is None or not self._resolved_root.is_dir():
            self._resolved_root = self.root.resolve()
        return path.resolve().relative_to(self._resolved_root).as_posix()

    def index_file(
        self,
        path: Path,
        *,
        camera_id: str,
        now: datetime,
        complete: bool,
        start: datetime | None = None,
        end: datetime | None = None,
        run_id: int | None = None,
    ) -> Segment | None:
        """Hash, time and index one segment file.

        Parameters
        ----------
        path
            The segment file, below the recordings folder.
        camera_id
            The camera it records.
        now
            Time of indexing.
        complete
            Whether ffmpeg listed it as complete.
        start, end
            Its times when the segment list gives them; otherwise the start follows the
            camera's previous segment when that ends within the second named by the file (or
            is the named second), and the end is the start plus the duration of the file's
            complete fragments.
        run_id
            The ffmpeg run that wrote it.

        Returns
        -------
        Segment or None
            The indexed segment; None when it was indexed already or holds no whole fragment.
        """
        segment = self.read_segment(path, camera_id=camera_id, complete=complete, start=start,
                                    end=end, run_id=run_id)
        if segment is None:
            return None
        return segment if self.add(segment, now=now) else None

    def read_segment(
        self,
        path: Path,
        *,
        camera_id: str,
        complete: bool,
        start: datetime | None = None,
        end: datetime | None = None,
        run_id: int | None = None,
        rel: str | None = None,
    ) -> Segment | None:
        """Hash and time one segment file without indexing it (see `index_file`).

        `rel` is the file's path relative to the recordings folder when the caller built
        `path` from the (resolved) folder itself; otherwise it is worked out from `path`.

        A complete segment whose times are given (ffmpeg listed it) is read once, hashing
        every byte, and only its top-level boxes are walked; any other segment has its
        fragments walked for its duration and the end of its last whole fragment.

        Returns None when the file is unreadable or holds no whole fragment.
        """
        rel = rel or self.relative(path)
        listed = complete and start is not None and end is not None
        try:
            if listed:
                digest, layout = _hash_and_scan(path, rel)
                fragments, size, truncated = (layout.fragments, layout.size_bytes,
                                              layout.truncated)
            else:
                timing = probe_fragmented_mp4(path)
                fragments, size, truncated = (timing.fragments, timing.size_bytes,
                                              timing.truncated)
        except (RecordingError, OSError) as exc:
            logger.warning("segment %s unreadable, not indexed: %s", rel, exc)
            return None
        if fragments == 0:
            return None
        if not listed:
            named = segment_name_time(path)
            if start is None or end is None:
                if named is None:
                    msg = f"{rel}: not a segment name (expected YYYYMMDDTHHMMSSZ.mp4)"
                    raise RecordingError(msg)
                start = named
                prev = self.last(camera_id)
                if prev is not None and prev.end < named + timedelta(seconds=1):
                    if prev.end >= named - timedelta(seconds=CHAIN_TOLERANCE_S):
                        start = prev.end
                end = start + timedelta(seconds=timing.duration_s)
            digest = sha256_file(path)
        assert start is not None and end is not None
        return Segment(
            camera_id=camera_id,
            path=rel,
            start=start,
            end=end,
            size_bytes=size,
            sha256=digest,
            complete=complete and not truncated,
            run_id=run_id,
        )

    # --- from disk -----------------------------------------------------------------------
    def rebuild_from_disk(
        self,
        *,
        now: datetime,
        listed: dict[str, ListedTimes] | None = None,
    ) -> RebuildReport:
        """Index every segment found on disk and missing from the index.

        Used at each recorder start, after a crash or ``kill -9``: completed segments are
        found again, the segment cut by the crash is indexed up to its last whole fragment, and
        nothing already indexed is indexed twice.

        Parameters
        ----------
        now
            Time of indexing.
        listed
            Segments named in leftover ffmpeg segment lists, by path relative to the
            recordings folder. These are complete, and get their exact times when known; the
            others are timed from their names and their fragments.
        """
        report = RebuildReport()
        listed = listed or {}
        if not self.root.is_dir():
            return report
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            if folder.name.startswith("."):
                continue
            camera_id = read_camera_id(folder)
            if camera_id is None:
                report.unknown_folders.append(folder.name)
                continue
            known = self.indexed_paths(camera_id)
            for path in segment_files(folder):
                rel = self.relative(path)
                if rel in known:
                    report.already += 1
                    continue
                info = listed.get(rel) or ListedTimes(None, None, None)
                seg = self.index_file(
                    path, camera_id=camera_id, now=now, complete=rel in listed,
                    start=info.start, end=info.end, run_id=info.run_id,
                )
                if seg is None:
                    report.unplayable.append(rel)
                else:
                    report.added.append(seg)
        return report

    # --- integrity -----------------------------------------------------------------------
    def verify(
        self,
        *,
        camera_ids: Sequence[str] | None = None,
        since: datetime | None = None,
    ) -> VerifyReport:
        """Rehash indexed segments; report those whose bytes changed and those that vanished."""
        report = VerifyReport()
        for seg in self._iter_for_verify(camera_ids, since):
            report.checked += 1
            path = self.root / seg.path
            try:
                digest = sha256_file(path)
            except FileNotFoundError:
                report.missing.append(seg)
                continue
            if digest != seg.sha256:
                report.changed.append(seg)
        return report

    def _iter_for_verify(
        self, camera_ids: Sequence[str] | None, since: datetime | None
    ) -> Iterable[Segment]:
        q = select(SegmentRow).order_by(SegmentRow.camera_id, SegmentRow.start_at)
        if camera_ids:
            q = q.where(SegmentRow.camera_id.in_(list(camera_ids)))
        if since is not None:
            q = q.where(SegmentRow.end_at > since)
        with self.db.session() as s:
            rows = [_row_to_segment(r) for r in s.scalars(q)]
        return rows
