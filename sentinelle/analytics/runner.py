"""`sentinelle analytics run`: the supervisor of the enabled cameras' pipelines.

Every `check_s` the supervisor reads the switches: a camera whose basis is in force and that
has a stream gets a pipeline thread; one disabled, or whose basis has ended, is stopped (and an
ended basis is switched off, audited as ``analytics_change`` by ``system:analytics``). Each
pipeline also stops by itself at the basis's end, between two frames. A pipeline that fails is
restarted with backoff. Counts go to the store bucket by bucket; frames and detections never
leave the pipeline's memory, and nothing is logged about them but their number.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sentinelle.access.audit import Actor, AuditAction, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.analytics.basis import Enablements
from sentinelle.analytics.shapes import ShapeStore, zones_and_lines
from sentinelle.analytics.stats import CountStore
from sentinelle.db.analytics_tables import AnalyticsCameraRow
from sentinelle.db.engine import Database
from sentinelle.registry.camera import redact_url
from sentinelle.vision.counting import Count
from sentinelle.vision.detector import Detector
from sentinelle.vision.frames import Polygon
from sentinelle.vision.pipeline import Pipeline, PipelineConfig

log = logging.getLogger(__name__)
ACTOR = Actor.system("analytics")
HEAD = 0  # the head analysed (the stream shows one head)

MasksFor = Callable[[str, int], Sequence[Polygon]]


def image_masks(db: Database, keys: Keys) -> MasksFor:
    """The privacy masks of each camera head from the image-geometry store (normalised
    polygons, `sentinelle cameras geometry set`)."""
    from sentinelle.vision.geometry import GeometryStore

    store = GeometryStore(db)

    def masks_for(camera_id: str, head: int) -> Sequence[Polygon]:
        g = store.get(camera_id, head)
        return [list(m) for m in g.masks] if g is not None else []

    return masks_for


@dataclass
class Worker:
    """One camera's pipeline thread, under `basis` (statistics: the camera's `Enablement`;
    events: the id of the basis in force)."""

    basis: Any
    thread: threading.Thread
    stop: threading.Event
    pipeline: Any = None
    error: str | None = None
    done: bool = False


def start_worker(workers: dict[str, Worker], camera_id: str, basis: Any,
                 target: Callable[[Worker], None], name: str) -> Worker:
    """Run `target(worker)` in a new daemon thread, as `camera_id`'s worker under `basis`."""
    w = Worker(basis=basis, thread=threading.Thread(), stop=threading.Event())
    w.thread = threading.Thread(target=target, args=(w,), name=name, daemon=True)
    workers[camera_id] = w
    w.thread.start()
    return w


def reap_workers(workers: dict[str, Worker], keep: Callable[[str, Worker], bool],
                 backoff: Backoff, now: datetime) -> list[tuple[str, Worker]]:
    """Stop the workers `keep` refuses, and take out those that have ended or stopped (one
    that ended by itself counts towards its camera's backoff); returns those taken out."""
    out = []
    for cid, w in list(workers.items()):
        if not keep(cid, w):
            w.stop.set()
        if w.done or w.stop.is_set():
            w.thread.join(timeout=30)
            del workers[cid]
            if w.done and not w.stop.is_set():
                backoff.ended(cid, now)  # ended by itself: restarted after a while
            out.append((cid, w))
    return out


def stop_workers(workers: dict[str, Worker], timeout: float = 30) -> None:
    """Ask every pipeline to stop and wait for each (at most `timeout` seconds each)."""
    for w in workers.values():
        w.stop.set()
    for w in workers.values():
        w.thread.join(timeout=timeout)


def wait_idle(workers: dict[str, Worker], timeout: float) -> bool:
    """Wait until every pipeline has ended (files reach their end); for tests and runs on
    recorded files."""
    for w in list(workers.values()):
        w.thread.join(timeout=timeout)
    return all(w.done for w in workers.values())


class Backoff:
    """When a camera's pipeline that ended by itself (stream lost, file over, failure) may
    start again: `base_s` after the first end, doubling at each end since, at most `max_s`."""

    def __init__(self, base_s: float, max_s: float) -> None:
        self.base_s, self.max_s = base_s, max_s
        self._ends: dict[str, tuple[int, datetime]] = {}

    def ended(self, camera_id: str, now: datetime) -> None:
        n = self._ends.get(camera_id, (0, now))[0] + 1
        self._ends[camera_id] = (n, now)

    def ready(self, camera_id: str, now: datetime) -> bool:
        ends = self._ends.get(camera_id)
        if ends is None:
            return True
        wait = min(self.base_s * 2 ** (ends[0] - 1), self.max_s)
        return (now - ends[1]).total_seconds() >= wait


@dataclass
class SupervisorConfig:
    check_s: float = 5.0
    backoff_s: float = 5.0
    backoff_max_s: float = 60.0
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    realtime: bool | None = None  # pace files like live streams (default: streams only)


class Supervisor:
    """Runs one pipeline per enabled camera.

    Parameters
    ----------
    db, keys
        The database and the installation's keys.
    detector_factory
        Makes one detector per pipeline (default: YOLOX-Nano from the models folder).
    masks_for
        ``(camera_id, head) → polygons`` (default: the image-geometry store).
    sources
        Override of the stream of some cameras (files or URLs); default the camera's
        ``stream_sub``, else ``stream_main``.
    now
        The clock (tests move it).
    """

    def __init__(self, db: Database, keys: Keys, *,
                 detector_factory: Callable[[], Detector] | None = None,
                 masks_for: MasksFor | None = None, sources: dict[str, str] | None = None,
                 config: SupervisorConfig | None = None,
                 now: Callable[[], datetime] | None = None,
                 only: Sequence[str] | None = None) -> None:
        self.db, self.keys = db, keys
        self.enablements = Enablements(db, keys)
        self.shapes = ShapeStore(db, keys)
        self.counts = CountStore(db)
        self.detector_factory = detector_factory or Detector
        self.masks_for = masks_for or image_masks(db, keys)
        self.sources = dict(sources or {})
        self.config = config or SupervisorConfig()
        self.now = now or (lambda: datetime.now(UTC))
        self.only = set(only) if only else None
        self.workers: dict[str, Worker] = {}
        self.backoff = Backoff(self.config.backoff_s, self.config.backoff_max_s)

    # -- sources and state ----------------------------------------------------------------

    def source_for(self, camera_id: str) -> str | None:
        if camera_id in self.sources:
            return self.sources[camera_id]
        from sentinelle.registry.store import Registry

        cam = Registry(self.db, keys=self.keys).camera(camera_id)
        return cam.stream_sub or cam.stream_main

    def _state(self, camera_id: str, state: str, *, pipeline: Pipeline | None = None,
               error: str | None = None) -> None:
        now = self.now()
        with self.db.session() as s:
            row = s.get(AnalyticsCameraRow, camera_id)
            if row is None:
                row = AnalyticsCameraRow(camera_id=camera_id, state=state, since=now, frames=0,
                                         detected=0, updated_at=now)
                s.add(row)
            elif row.state != state:
                row.state, row.since = state, now
            if pipeline is not None:
                row.frames, row.detected = pipeline.stats.frames, pipeline.stats.detected
            row.last_error = error
            row.updated_at = now

    # -- one pipeline ---------------------------------------------------------------------

    def _work(self, w: Worker, source: str) -> None:
        e = w.basis
        try:
            shapes = self.shapes.shapes(e.camera_id, HEAD)
            zones, lines = zones_and_lines(shapes)
            masks = self.masks_for(e.camera_id, HEAD)
            w.pipeline = Pipeline(e.camera_id, self.detector_factory(), zones=zones,
                                  lines=lines, masks=masks, config=self.config.pipeline)
            bucket_s = self.config.pipeline.bucket_s

            def store(counts: list[Count]) -> None:
                self.counts.add(e.camera_id, counts, bucket_s)
                self._state(e.camera_id, "running", pipeline=w.pipeline)

            self._state(e.camera_id, "running")
            w.pipeline.run(source, start=self.now(), stop_at=e.ends_at, stop=w.stop,
                           on_counts=store,
                           realtime=self.config.realtime, now=self.now)
        except Exception as exc:  # noqa: BLE001 - a camera's failure must not stop the others
            w.error = f"{type(exc).__name__}: {redact_url(str(exc)) or exc}"
            log.warning("analytics %s: pipeline failed (%s)", e.camera_id, w.error)
        finally:
            w.done = True

    # -- the loop -------------------------------------------------------------------------

    def tick(self) -> None:
        """Start, stop and restart pipelines after the switches; one pass."""
        now = self.now()
        wanted = {e.camera_id: e for e in self.enablements.all()
                  if self.only is None or e.camera_id in self.only}
        def keep(cid: str, w: Worker) -> bool:
            e = wanted.get(cid)
            return e is not None and e.active(now) and e.changed_at == w.basis.changed_at

        for cid, w in reap_workers(self.workers, keep, self.backoff, now):
            if w.error:
                self._state(cid, "error", pipeline=w.pipeline, error=w.error)
            else:
                self._state(cid, "stopped", pipeline=w.pipeline)
        for cid, e in wanted.items():
            if e.enabled and not e.active(now):
                # The basis has ended: switch it off so that nothing restarts it.
                self.enablements.disable(cid, actor=ACTOR, reason="expired", now=now)
                self._state(cid, "expired")
                log.info("analytics %s: legal basis ended on %s, switched off", cid,
                         e.until.isoformat())
                continue
            if not e.active(now) or cid in self.workers or not self.backoff.ready(cid, now):
                continue
            source = self.source_for(cid)
            if not source:
                self._state(cid, "error", error="no stream: the camera has no stream_sub or "
                            "stream_main")
                continue
            AuditLog(self.db, self.keys).record(
                actor=ACTOR, action=AuditAction.analytics_change, object_type="camera",
                object_id=cid, details={"change": "pipeline_start", "mode": e.mode}, now=now)
            start_worker(self.workers, cid, e, lambda w, source=source: self._work(w, source),
                         name=f"analytics-{cid}")

    def shutdown(self) -> None:
        stop_workers(self.workers)
        for cid, w in self.workers.items():
            self._state(cid, "stopped", pipeline=w.pipeline, error=w.error)
        self.workers.clear()

    def wait_idle(self, timeout: float) -> bool:
        return wait_idle(self.workers, timeout)
