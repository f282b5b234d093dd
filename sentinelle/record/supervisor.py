"""The recorder: one ffmpeg per stream, supervised, restarted, watched and indexed.

`Recorder.run` is what ``sentinelle record run`` does. It

1. takes the recordings folder's lock (one recorder per folder), kills orphan ffmpeg processes
   left writing into it, and rebuilds the segment index from disk (after a crash, every
   completed segment is found again and the segment cut by the crash is indexed to its end);
2. starts one ffmpeg per stream (`sentinelle.record.ffmpeg.record_argv`) in its own session,
   with a parent-death signal so that ffmpeg dies with the recorder;
3. loops: reads each ffmpeg's messages (scrubbed of credentials), indexes each segment once
   ffmpeg lists it as complete, watches the segment being written grow (a fragment a second:
   the proof that footage reaches the disk), restarts any ffmpeg that exits, whatever its exit
   code (ffmpeg exits 0 after a socket timeout), with exponential backoff, kills one that stops
   writing (watchdog), records each outage as a gap, writes a heartbeat and each camera's state,
   creates tomorrow's dated folders ahead of midnight, and raises an alert when a camera is
   silent longer than ``offline_after_s``;
4. on stop (SIGTERM, SIGINT), stops each ffmpeg gracefully (SIGTERM, then SIGKILL after
   ``stop_timeout_s``), indexes the last segments and marks its cameras stopped.

Its own CPU is kept near the one cost it cannot avoid, SHA-256 of every byte (about 0.05 % of
a core per 4 Mb/s stream, see bench/README.md): a listed segment is read once and only its
top-level boxes are walked, the segments of a few seconds are indexed in one transaction,
segment lists are read when ffmpeg opens the next segment, pipe reads are coalesced, and
liveness is one ``stat`` of the segment being written per stream and turn (ffmpeg's own
progress reports, a pipe read and parsed per stream every two seconds, cost more and prove
less: a frame counted is not yet a frame on disk).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import logging
import os
import selectors
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sentinelle.access.audit import Actor
from sentinelle.access.keys import Keys
from sentinelle.db.engine import Database
from sentinelle.errors import RecorderBusy
from sentinelle.record import ffmpeg as ff
from sentinelle.record.journal import (
    CameraState,
    CameraStatusUpdate,
    GapReason,
    RecorderJournal,
)
from sentinelle.record.segments import (
    LISTS_DIR,
    ListedSegment,
    ListedTimes,
    RebuildReport,
    Segment,
    SegmentIndex,
    camera_dir,
    ensure_day_folders,
    prepare_camera_dir,
    read_segment_list,
    segment_files,
    segment_name_time,
)
from sentinelle.record.sources import RecordingSource

logger = logging.getLogger(__name__)
ffmpeg_logger = logging.getLogger("sentinelle.record.ffmpeg.log")

LOCK_FILE = ".recorder.lock"
_PR_SET_PDEATHSIG = 1
_HEALTHY_RUN_S = 30.0
_TAIL_LINES = 20
_START_SLACK_EARLY_S = 15.0  # a run's first segment opens after ffmpeg probed the stream
_START_SLACK_LATE_S = 1.5
_PROGRESS_EVERY = timedelta(seconds=60)
_COALESCE_S = 0.25
_READ_SIZE = 65536
_LIST_FALLBACK_S = 5.0
"""ffmpeg names a segment in its list just before it logs the opening of the next one, and the
list is read then; it is also read at least this often, whatever ffmpeg logs."""
_INDEX_EVERY_MAX_S = 5.0
"""Segments read from the lists are indexed together, at most this long (and at most half a
segment) after the first of them: one transaction for the segments of many streams. A crash
loses none of them: at restart, the leftover lists name them again."""


class RecorderConfig(BaseModel):
    """How the recorder records and supervises its streams."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment_time_s: float = Field(
        10.0, gt=0, le=600, title="Segment length",
        description="Target length of a segment in seconds; cut on the next keyframe.",
    )
    rtsp_timeout_s: float = Field(
        5.0, gt=0, le=120, title="Stream timeout",
        description="ffmpeg gives up a stream that sends nothing for this long.",
    )
    stall_timeout_s: float = Field(
        20.0, gt=0, le=600, title="Watchdog",
        description="An ffmpeg that writes no frame for this long is killed and restarted.",
    )
    backoff_initial_s: float = Field(
        1.0, ge=1.0, le=60, title="First retry delay",
        description="Delay before the first restart; at least 1 s so that no segment name "
        "(one per second) repeats.",
    )
    backoff_max_s: float = Field(30.0, ge=1.0, le=3600, title="Longest retry delay")
    offline_after_s: float = Field(
        60.0, gt=0, le=86400, title="Alert threshold",
        description="A camera silent for longer is offline and raises an alert.",
    )
    heartbeat_s: float = Field(5.0, gt=0, le=300, title="Heartbeat period")
    stop_timeout_s: float = Field(
        10.0, gt=0, le=120, title="Graceful stop",
        description="Time given to ffmpeg to close its segment before it is killed.",
    )
    tick_s: float = Field(
        1.0, gt=0, le=5, title="Supervision period",
        description="How often the recorder looks for new segments, exits and silences.",
    )
    ffmpeg: str = Field("ffmpeg", title="ffmpeg program")

    @model_validator(mode="after")
    def _backoff_order(self) -> RecorderConfig:
        if self.backoff_max_s < self.backoff_initial_s:
            msg = (f"backoff_max_s ({self.backoff_max_s}) must be at least backoff_initial_s "
                   f"({self.backoff_initial_s})")
            raise ValueError(msg)
        return self

    @property
    def fresh_s(self) -> float:
        """A camera whose segment grew within this many seconds is recording (ffmpeg writes a
        fragment a second; the recorder looks every `tick_s`)."""
        return max(3.0, self.rtsp_timeout_s, 2 * self.tick_s + 1.0)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def parent_death_signal(
    sig: signal.Signals = signal.SIGKILL, *, parent: int | None = None
) -> Callable[[], None]:
    """A ``preexec_fn``: the child receives `sig` when its parent dies, even by SIGKILL.

    Linux sends it when the *thread* that started the child exits: start children from the
    thread that lives as long as they should (the recorder's main loop).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid() if parent is None else parent

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def find_orphans(root: Path, *, exclude: Sequence[int] = ()) -> list[int]:
    """Pids of ffmpeg processes writing below `root` (the recordings folder)."""
    prefix = str(root.resolve()).rstrip("/") + "/"
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in exclude:
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if not args or b"ffmpeg" not in Path(args[0].decode(errors="replace")).name.encode():
            continue
        if any(a.decode(errors="replace").startswith(prefix) for a in args[1:]):
            found.append(int(entry.name))
    return found


def kill_orphans(root: Path, *, grace_s: float = 3.0) -> list[int]:
    """Stop every ffmpeg left writing below `root`: SIGTERM, then SIGKILL after `grace_s`."""
    pids = find_orphans(root, exclude=[os.getpid()])
    for pid in pids:
        logger.warning("killing orphan ffmpeg %d writing into %s", pid, root)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if _alive(p)]
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return pids


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return False


class FolderLock:
    """The recordings folder's lock: one recorder (or re-indexing) at a time per folder.

    An advisory ``flock`` on ``.recorder.lock``; the kernel releases it when the holder dies,
    even by SIGKILL.
    """

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock.

        Raises
        ------
        RecorderBusy
            When another process holds it (the message names its pid).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            msg = f"another recorder (pid {holder}) is recording into {self.path.parent}"
            raise RecorderBusy(msg) from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass
class _Stream:
    """The recorder's view of one stream: its ffmpeg, its run, its state."""

    source: RecordingSource
    folder: Path
    secrets: list[str]
    first_attempt_at: datetime
    state: CameraState = CameraState.reconnecting
    state_since: datetime = field(default_factory=_utcnow)
    proc: subprocess.Popen | None = None
    run_id: int | None = None
    list_path: Path | None = None
    list_offset: int = 0
    list_due: bool = False
    list_read_mono: float = 0.0
    run_start: datetime | None = None
    launched_mono: float = 0.0
    opened: list[str] = field(default_factory=list)
    listed: set[str] = field(default_factory=set)
    buffers: dict[int, bytes] = field(default_factory=dict)
    writing: str | None = None
    written: int = 0
    last_progress_mono: float | None = None
    last_progress_at: datetime | None = None
    run_progress_mono: float | None = None
    next_launch_mono: float = 0.0
    backoff_s: float = 1.0
    restarts: int = 0
    kill_reason: str | None = None
    last_error: str | None = None
    gap_open: bool = True  # until the first segment proves otherwise
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=_TAIL_LINES))

    @property
    def camera_id(self) -> str:
        return self.source.camera_id


class Recorder:
    """Records `sources` into `root`, indexing segments in `db`.

    Parameters
    ----------
    db
        The database (segments, runs, gaps, states).
    root
        The recordings folder, usually ``SENTINELLE_HOME/recordings``.
    sources
        The streams to record (`sentinelle.record.sources.recording_sources`).
    config
        Timings and the ffmpeg program.
    clock
        Wall clock, timezone-aware UTC (tests may pass their own).
    on_offline, on_recovered
        Called with the camera id and the time when a camera goes offline (its silence passed
        ``offline_after_s``) and when it records again.
    """

    def __init__(
        self,
        db: Database,
        root: Path,
        sources: Sequence[RecordingSource],
        *,
        config: RecorderConfig | None = None,
        clock: Callable[[], datetime] = _utcnow,
        on_offline: Callable[[str, datetime], None] | None = None,
        on_recovered: Callable[[str, datetime], None] | None = None,
    ) -> None:
        self.db = db
        self.root = root.expanduser().resolve()
        self.config = config or RecorderConfig()
        self.clock = clock
        self.index = SegmentIndex(db, self.root)
        self.journal = RecorderJournal(db)
        self.on_offline = on_offline
        self.on_recovered = on_recovered
        self.recorder_id: int | None = None
        self._sources = list(sources)
        self._streams: list[_Stream] = []
        self._selector: selectors.BaseSelector | None = None
        self._folder_lock: FolderLock | None = None
        self._ffmpeg = ff.find_ffmpeg(self.config.ffmpeg)
        self._env = {**os.environ, "TZ": "UTC"}
        self._stopping = False

    # --- public --------------------------------------------------------------------------
    def run(self, stop: threading.Event | None = None) -> None:
        """Record until `stop` is set, then stop every ffmpeg gracefully."""
        stop = stop or threading.Event()
        self.start()
        try:
            while not stop.is_set():
                self.step(timeout=self.config.tick_s)
        finally:
            self.shutdown()

    def start(self) -> None:
        """Lock the folder, kill orphans, rebuild the index, start every ffmpeg."""
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / LISTS_DIR).mkdir(exist_ok=True)
        self._lock()
        try:
            self._start()
        except BaseException:
            self._unlock()
            raise

    def _start(self) -> None:
        now = self.clock()
        killed = kill_orphans(self.root)
        if killed:
            logger.warning("killed %d orphan ffmpeg process(es): %s", len(killed), killed)
        recover_index(self.index, self.journal, now=now)
        self.recorder_id = self.journal.register_recorder(
            recordings=str(self.root), now=now, heartbeat_s=self.config.heartbeat_s,
            offline_after_s=self.config.offline_after_s,
        )
        self._selector = selectors.DefaultSelector()
        mono = time.monotonic()
        for src in self._sources:
            folder = prepare_camera_dir(self.root, src.camera_id, now=now)
            st = _Stream(
                source=src, folder=folder, secrets=ff.url_secrets(src.url),
                first_attempt_at=now, state_since=now,
                backoff_s=self.config.backoff_initial_s, next_launch_mono=mono,
            )
            last = self.index.last(src.camera_id)
            if last is not None:
                self.journal.open_gap(src.camera_id, start=last.end,
                                      reason=GapReason.recorder_down)
            st.gap_open = self.journal.open_gap_of(src.camera_id) is not None
            self._streams.append(st)
        self._last_heartbeat = 0.0
        self._last_folders = mono
        self._written: dict[str, tuple[tuple, datetime | None]] = {}
        self._pending: list[tuple[_Stream, Segment]] = []
        self._pending_since = mono
        self._index_every_s = min(_INDEX_EVERY_MAX_S, self.config.segment_time_s / 2)
        logger.info("recorder %s: %d stream(s) into %s", self.recorder_id, len(self._streams),
                    self.root)

    def step(self, *, timeout: float = 0.5) -> None:
        """One turn of supervision: read ffmpeg output for `timeout` seconds, then index,
        restart, watch and write the heartbeat once (so that the work per turn grows with the
        number of streams, not with their number squared)."""
        self._drain(timeout)
        mono = time.monotonic()
        now = self.clock()
        for st in self._streams:
            if st.list_due or mono - st.list_read_mono >= _LIST_FALLBACK_S:
                if not self._pending:
                    self._pending_since = mono
                self._collect_segments(st, now=now, mono=mono, batch=self._pending)
        if self._pending and mono - self._pending_since >= self._index_every_s:
            self._flush_pending(now=now)
        changed = False
        for st in self._streams:
            if st.proc is not None and st.proc.poll() is not None:
                self._on_exit(st, now=now, mono=mono)
            if st.proc is None and mono >= st.next_launch_mono:
                self._launch(st, now=now, mono=mono)
            # From here on `st.proc` is None or was running at this turn's poll.
            self._sense(st, now=now, mono=mono)
            self._watchdog(st, mono=mono)
            changed |= self._update_state(st, now=now, mono=mono)
        if changed or mono - self._last_heartbeat >= self.config.heartbeat_s:
            self._heartbeat(now=now)
            self._last_heartbeat = mono
        if mono - self._last_folders >= 60:
            for st in self._streams:
                ensure_day_folders(st.folder, now=now)
            self._last_folders = mono

    def shutdown(self) -> None:
        """Stop every ffmpeg (graceful, then forceful), index their last segments, unlock."""
        self._stopping = True
        try:
            running = [st for st in self._streams if st.proc is not None]
            for st in running:
                with contextlib.suppress(ProcessLookupError):
                    st.proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + self.config.stop_timeout_s
            while any(st.proc.poll() is None for st in running) and time.monotonic() < deadline:
                self._drain(0.1)
            for st in running:
                if st.proc.poll() is None:
                    logger.warning("%s: ffmpeg did not stop within %.0f s, killing it",
                                   st.camera_id, self.config.stop_timeout_s)
                    st.proc.kill()
                    st.proc.wait()
            now = self.clock()
            for st in running:
                self._on_exit(st, now=now, mono=time.monotonic())
            self._flush_pending(now=now)
            for st in self._streams:
                last = self.index.last(st.camera_id)
                if last is not None:
                    self.journal.open_gap(st.camera_id, start=last.end,
                                          reason=GapReason.recorder_stopped)
            if self.recorder_id is not None:
                self.journal.stop_recorder(self.recorder_id, now=now)
        finally:
            if self._selector is not None:
                self._selector.close()
            self._unlock()

    @property
    def sources(self) -> list[RecordingSource]:
        return list(self._sources)

    @property
    def pids(self) -> dict[str, int]:
        """The pid of each running ffmpeg, by camera id."""
        return {st.camera_id: st.proc.pid for st in self._streams
                if st.proc is not None and st.proc.poll() is None}

    def state(self, camera_id: str) -> CameraState:
        for st in self._streams:
            if st.camera_id == camera_id:
                return st.state
        return CameraState.stopped

    # --- internals -----------------------------------------------------------------------
    def _lock(self) -> None:
        self._folder_lock = FolderLock(self.root)
        self._folder_lock.acquire()

    def _unlock(self) -> None:
        if self._folder_lock is not None:
            self._folder_lock.release()
            self._folder_lock = None

    def _launch(self, st: _Stream, *, now: datetime, mono: float) -> None:
        newest = self._newest_name(st)
        if newest is not None and now < newest + timedelta(seconds=1):
            # A segment already bears this second's name: wait, never overwrite it.
            st.next_launch_mono = mono + (newest + timedelta(seconds=1) - now).total_seconds()
            return
        ensure_day_folders(st.folder, now=now)
        list_path = self.root / LISTS_DIR / f"{st.folder.name}-{int(now.timestamp() * 1000)}.csv"
        st.run_id = self.journal.start_run(
            st.camera_id, recorder_id=self.recorder_id or 0, now=now, segment_list=str(list_path)
        )
        argv = ff.record_argv(
            st.source.url, out_dir=st.folder, segment_list=list_path,
            segment_time_s=self.config.segment_time_s,
            rtsp_timeout_s=self.config.rtsp_timeout_s, ffmpeg=self._ffmpeg,
        )
        st.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=self._env, start_new_session=True,
            preexec_fn=parent_death_signal(signal.SIGKILL),
        )
        st.list_path = list_path
        st.list_offset = 0
        st.run_start = None
        st.opened = []
        st.listed = set()
        st.writing = None
        st.written = 0
        st.run_progress_mono = None
        st.launched_mono = mono
        st.kill_reason = None
        stderr = st.proc.stderr
        os.set_blocking(stderr.fileno(), False)
        st.buffers[stderr.fileno()] = b""
        assert self._selector is not None
        self._selector.register(stderr, selectors.EVENT_READ, st)
        logger.info("%s: ffmpeg %d started (run %d) on %s", st.camera_id, st.proc.pid,
                    st.run_id, st.source.safe_url)

    def _newest_name(self, st: _Stream) -> datetime | None:
        days = sorted((p for p in st.folder.iterdir() if p.is_dir()), reverse=True)
        for day in days:
            names = sorted(p.name for p in day.glob("*.mp4"))
            if names:
                return segment_name_time(names[-1])
        return None

    def _drain(self, timeout: float) -> None:
        """Read whatever the ffmpeg processes write, for `timeout` seconds.

        After each read the loop sleeps a little (`_COALESCE_S`) before it looks again, so
        that what the streams write in the meantime is read in one wake-up, however many
        streams there are (pipes hold far more than ffmpeg writes in that time).
        """
        assert self._selector is not None
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            if not self._selector.get_map():
                time.sleep(remaining)
                return
            ready = self._selector.select(remaining)
            full = False
            for key, _ in ready:
                full |= self._read(key.fileobj, key.data) >= _READ_SIZE
            if ready and not full and (remaining := deadline - time.monotonic()) > 0:
                time.sleep(min(_COALESCE_S, remaining))

    def _read(self, fileobj, st: _Stream) -> int:
        """Read once from a pipe; return the number of bytes read (a full read: more waits)."""
        fd = fileobj.fileno()
        try:
            chunk = os.read(fd, _READ_SIZE)
        except BlockingIOError:
            return 0
        if not chunk:
            self._close_pipe(st, fileobj)
            return 0
        self._feed(st, fd, chunk)
        return len(chunk)

    def _feed(self, st: _Stream, fd: int, chunk: bytes) -> None:
        buf = st.buffers.get(fd, b"") + chunk
        *lines, buf = buf.replace(b"\r", b"\n").split(b"\n")
        st.buffers[fd] = buf
        for raw in lines:
            if raw:
                self._line(st, raw.decode(errors="replace"))

    def _close_pipe(self, st: _Stream, fileobj) -> None:
        """Read what is left in the pipe of an ffmpeg that exited, then close it."""
        fd = fileobj.fileno()
        with contextlib.suppress(OSError):
            while chunk := os.read(fd, _READ_SIZE):
                self._feed(st, fd, chunk)
        rest = st.buffers.pop(fd, b"")
        if rest:
            self._line(st, rest.decode(errors="replace"))
        assert self._selector is not None
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(fileobj)
        fileobj.close()

    def _line(self, st: _Stream, line: str) -> None:
        line = ff.scrub(line, st.secrets)
        st.tail.append(line)
        start = ff.input_start(line)
        if start is not None and st.run_start is None:
            st.run_start = start
            if st.run_id is not None:
                self.journal.set_first_packet(st.run_id, start)
        opened = ff.opened_segment(line)
        if opened is not None:
            if not os.path.isabs(opened):
                opened = os.path.join(os.getcwd(), opened)
            st.opened.append(opened)
            st.list_due = True  # the previous segment is complete and listed
        lowered = line.lower()
        if any(w in lowered for w in ("error", "failed", "refused", "timed out", "invalid")):
            st.last_error = line.strip()
            ffmpeg_logger.warning("%s: %s", st.camera_id, line)
        else:
            ffmpeg_logger.debug("%s: %s", st.camera_id, line)

    def _collect_segments(self, st: _Stream, *, now: datetime, mono: float | None = None,
                          batch: list[tuple[_Stream, Segment]] | None = None) -> None:
        """Read the new lines of the stream's segment list and hash each segment they name;
        index them now, or add them to `batch` (indexed in one transaction by the caller)."""
        st.list_due = False
        st.list_read_mono = time.monotonic() if mono is None else mono
        if st.list_path is None:
            return
        lines, st.list_offset = read_segment_list(st.list_path, offset=st.list_offset)
        found: list[tuple[_Stream, Segment]] = []
        for line in lines:
            seg = self._read_listed(st, line)
            if seg is not None:
                found.append((st, seg))
        if batch is None:
            self._index_batch(found, now=now)
        else:
            batch.extend(found)

    def _read_listed(self, st: _Stream, line: ListedSegment) -> Segment | None:
        named = segment_name_time(line.name)
        if named is None:
            logger.warning("%s: unexpected segment name %r in ffmpeg's list", st.camera_id,
                           line.name)
            return None
        day = named.date().isoformat()
        path = st.folder / day / line.name
        st.listed.add(str(path))
        start = end = None
        if st.run_start is not None:
            s = st.run_start + timedelta(seconds=line.start_s)
            if _plausible(s, named):
                start = s
                end = st.run_start + timedelta(seconds=line.end_s)
        return self.index.read_segment(path, camera_id=st.camera_id, complete=True,
                                       start=start, end=end, run_id=st.run_id,
                                       rel=f"{st.folder.name}/{day}/{line.name}")

    def _index_batch(self, batch: list[tuple[_Stream, Segment]], *, now: datetime) -> None:
        """Index the segments read in one turn in one transaction; close the gap of each
        stream whose footage resumes with them."""
        if not batch:
            return
        added = self.index.add_many([seg for _, seg in batch], now=now)
        for (st, seg), ok in zip(batch, added, strict=True):
            if ok and st.gap_open:
                self.journal.close_gap(st.camera_id, end=seg.start)
                st.gap_open = False

    def _flush_pending(self, *, now: datetime) -> None:
        """Index the segments hashed since the last flush, in one transaction."""
        pending, self._pending = self._pending, []
        self._index_batch(pending, now=now)

    def _on_exit(self, st: _Stream, *, now: datetime, mono: float) -> None:
        assert st.proc is not None
        self._flush_pending(now=now)  # the stream's last segments follow those hashed before
        code = st.proc.wait()
        if st.proc.stderr is not None and not st.proc.stderr.closed:
            self._close_pipe(st, st.proc.stderr)
        self._sense(st, now=now, mono=mono)  # what ffmpeg wrote as it closed its segment
        self._collect_segments(st, now=now)
        for opened in st.opened:  # the segment being written when ffmpeg stopped
            path = Path(opened)
            if str(path) in st.listed or not path.exists():
                continue
            seg = self.index.index_file(path, camera_id=st.camera_id, now=now, complete=False,
                                        run_id=st.run_id)
            if seg is not None and st.gap_open:
                self.journal.close_gap(st.camera_id, end=seg.start)
                st.gap_open = False
        if st.list_path is not None and st.run_id is not None:
            with contextlib.suppress(FileNotFoundError):
                st.list_path.unlink()
            self.journal.forget_list(st.run_id)
        reason = "stopped" if self._stopping else (st.kill_reason or f"exit {code}")
        if st.run_id is not None:
            self.journal.end_run(st.run_id, now=now, exit_code=code, reason=reason)
        ran_well = (st.run_progress_mono is not None
                    and mono - st.run_progress_mono >= _HEALTHY_RUN_S)
        if not self._stopping:
            last = self.index.last(st.camera_id)
            gap_start = last.end if last is not None else now
            detail = st.last_error or (st.tail[-1] if st.tail else None)
            gap_reason = GapReason.stalled if st.kill_reason == "stalled" else (
                GapReason.stream_lost)
            self.journal.open_gap(st.camera_id, start=gap_start, reason=gap_reason,
                                  detail=detail)
            st.gap_open = True
            if ran_well:
                st.backoff_s = self.config.backoff_initial_s
            delay = st.backoff_s
            st.backoff_s = min(st.backoff_s * 2, self.config.backoff_max_s)
            st.next_launch_mono = mono + delay
            st.restarts += 1
            logger.warning("%s: ffmpeg exited (%s); restarting in %.0f s", st.camera_id,
                           reason, delay)
        st.proc = None
        st.list_path = None
        st.run_id = None

    def _sense(self, st: _Stream, *, now: datetime, mono: float) -> None:
        """Whether footage reached the disk since the last turn: the segment being written
        grew (ffmpeg flushes a fragment a second), or the next one was opened (ffmpeg cuts a
        segment on a keyframe it received). The first segment of a run counts once it grows
        past what ffmpeg wrote when it opened it (the file's header)."""
        if st.proc is None or not st.opened:
            return
        path = st.opened[-1]
        try:
            size = os.stat(path).st_size
        except OSError:  # not created yet, or removed by a purge
            return
        if path == st.writing:
            grew = size > st.written
        else:
            grew = st.writing is not None
            st.writing = path
        st.written = size
        if grew:
            st.last_progress_mono = mono
            st.last_progress_at = now
            if st.run_progress_mono is None:
                st.run_progress_mono = mono

    def _watchdog(self, st: _Stream, *, mono: float) -> None:
        if st.proc is None or st.kill_reason:
            return
        since = st.last_progress_mono if st.run_progress_mono is not None else None
        since = max(since or 0.0, st.launched_mono)
        if mono - since > self.config.stall_timeout_s:
            logger.warning("%s: no frame written for %.0f s, killing ffmpeg %d", st.camera_id,
                           mono - since, st.proc.pid)
            st.kill_reason = "stalled"
            st.proc.kill()

    def _update_state(self, st: _Stream, *, now: datetime, mono: float) -> bool:
        fresh = self.config.fresh_s
        alive = st.proc is not None
        if alive and st.last_progress_mono is not None and (
            st.run_progress_mono is not None and mono - st.last_progress_mono <= fresh
        ):
            new = CameraState.recording
        else:
            silent_since = st.last_progress_at or st.first_attempt_at
            silent_s = (now - silent_since).total_seconds()
            new = (CameraState.offline if silent_s > self.config.offline_after_s
                   else CameraState.reconnecting)
        if new == st.state:
            return False
        old = st.state
        st.state = new
        st.state_since = now
        if new == CameraState.offline:
            logger.warning("ALERT %s: silent for more than %.0f s (offline)", st.camera_id,
                           self.config.offline_after_s)
            if self.on_offline is not None:
                self.on_offline(st.camera_id, now)
        elif new == CameraState.recording and old == CameraState.offline:
            logger.info("%s: recording again", st.camera_id)
            if self.on_recovered is not None:
                self.on_recovered(st.camera_id, now)
        return True

    def _heartbeat(self, *, now: datetime) -> None:
        """Write the recorder's heartbeat, and the cameras whose state changed (their last
        progress at most once a minute): one small transaction in the usual case."""
        if self.recorder_id is None:
            return
        updates = []
        progress: list[tuple[str, datetime]] = []
        for st in self._streams:
            key = (st.state, st.state_since, st.restarts, st.last_error)
            written = self._written.get(st.camera_id)
            stale = written is None or (
                st.last_progress_at is not None
                and (written[1] is None or st.last_progress_at - written[1] >= _PROGRESS_EVERY)
            )
            if written is not None and written[0] == key:
                if stale and st.last_progress_at is not None:
                    progress.append((st.camera_id, st.last_progress_at))
                    self._written[st.camera_id] = (key, st.last_progress_at)
                continue
            updates.append(CameraStatusUpdate(
                camera_id=st.camera_id, state=st.state, state_since=st.state_since,
                first_attempt_at=st.first_attempt_at, last_progress_at=st.last_progress_at,
                restarts=st.restarts, last_error=st.last_error,
            ))
            self._written[st.camera_id] = (key, st.last_progress_at)
        self.journal.heartbeat(self.recorder_id, now=now, cameras=updates, progress=progress)


def recorded_files(root: Path, camera_id: str) -> list[Path]:
    """The segment files of a camera on disk (oldest first)."""
    return segment_files(camera_dir(root, camera_id))


def recordings_root(home: Path) -> Path:
    """The recordings folder of a Sentinelle data folder."""
    return home / "recordings"


def reindex(db: Database, root: Path, *, now: datetime) -> RebuildReport:
    """Rebuild the index from disk while no recorder runs (it takes the folder's lock).

    Raises
    ------
    RecorderBusy
        When a recorder is recording into `root`.
    """
    root = root.expanduser().resolve()
    with FolderLock(root):
        return recover_index(SegmentIndex(db, root), RecorderJournal(db), now=now)


def _plausible(start: datetime, named: datetime) -> bool:
    """Whether a run-relative start agrees with the second a segment is named after."""
    return (named - timedelta(seconds=_START_SLACK_EARLY_S) <= start
            <= named + timedelta(seconds=_START_SLACK_LATE_S))


def recover_index(index: SegmentIndex, journal: RecorderJournal, *, now: datetime
                  ) -> RebuildReport:
    """Finish the work of a recorder that died: index from leftover segment lists and from
    the files on disk, and close its runs.

    Segments named in a leftover list are complete and get their exact times; the others
    (the segment cut by the crash) are indexed up to their last whole fragment. Nothing already
    indexed is indexed again.
    """
    listed: dict[str, ListedTimes] = {}
    done: list[tuple[int, Path]] = []
    for run in journal.runs_with_lists():
        path = Path(run.segment_list or "")
        lines, _ = read_segment_list(path)
        folder = camera_dir(index.root, run.camera_id)
        for line in lines:
            named = segment_name_time(line.name)
            if named is None:
                continue
            rel = index.relative(folder / named.date().isoformat() / line.name)
            start = end = None
            if run.first_packet_at is not None:
                s = run.first_packet_at + timedelta(seconds=line.start_s)
                if _plausible(s, named):
                    start, end = s, run.first_packet_at + timedelta(seconds=line.end_s)
            listed[rel] = ListedTimes(start, end, run.id)
        done.append((run.id, path))
        if run.ended_at is None:
            journal.end_run(run.id, now=now, exit_code=None, reason="recorder_down")
    report = index.rebuild_from_disk(now=now, listed=listed)
    if report.added:
        logger.info("index rebuilt from disk: %d segment(s) added (%d cut by a crash)",
                    len(report.added), sum(not s.complete for s in report.added))
    for run_id, path in done:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        journal.forget_list(run_id)
    return report


RECORDER_ACTOR = Actor.system("recorder")
"""The actor of the recorder's unattended work (``system:recorder``)."""
SYSTEM_RECORDER = RECORDER_ACTOR.name


def build_recorder(
    db: Database,
    root: Path,
    *,
    keys: Keys,
    config: RecorderConfig | None = None,
    only: Sequence[str] | None = None,
    auto_tickets: bool = True,
) -> Recorder:
    """A recorder for the registry's cameras in service with a main stream.

    Parameters
    ----------
    db
        The database.
    root
        The recordings folder.
    keys
        The installation's keys: they decrypt the stream URLs and sign the audit log.
    config
        Timings and the ffmpeg program.
    only
        Record only these camera ids.
    auto_tickets
        Open a maintenance ticket (by ``system:recorder``) when a camera goes offline, and
        close it when the camera records again.
    """
    from sentinelle.access.audit import AuditLog
    from sentinelle.record.logbook import Logbook
    from sentinelle.record.sources import recording_sources
    from sentinelle.registry.store import Registry

    sources = recording_sources(Registry(db, keys=keys).cameras(), only=only)
    on_offline = on_recovered = None
    if auto_tickets:
        book = Logbook(db, AuditLog(db, keys))
        actor = RECORDER_ACTOR
        cfg = config or RecorderConfig()

        def on_offline(camera_id: str, now: datetime) -> None:
            if book.open_ticket_for(camera_id, opened_by=SYSTEM_RECORDER) is None:
                book.open_ticket(
                    camera_id=camera_id, actor=actor, now=now,
                    fault=f"no footage for more than {cfg.offline_after_s:.0f} s "
                    "(stream unreachable or silent)",
                )

        def on_recovered(camera_id: str, now: datetime) -> None:
            ticket = book.open_ticket_for(camera_id, opened_by=SYSTEM_RECORDER)
            if ticket is not None:
                book.close_ticket(ticket.id, actor=actor, now=now,
                                  resolution="recording resumed")

    return Recorder(db, root, sources, config=config, on_offline=on_offline,
                    on_recovered=on_recovered)
