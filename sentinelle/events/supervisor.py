"""Event detection supervised: `sentinelle analytics run` runs it on every camera that a legal
basis in force covers, for as long as the basis covers it.

A prefectoral decision under the décret 2023-828 names cameras and a period (a concert, a
match). Every `check_s` the supervisor reads the bases: a camera covered now, with a stream,
gets an `EventPipeline` thread (its start and stop audited and kept in ``event_sessions`` by
the pipeline, as ``system:analytics``); a camera no longer covered (the period is over, the
basis ended early) is stopped — and each pipeline also stops by itself, between two frames,
at its basis's end (the kill switch). A pipeline that ends by itself while its camera is still
covered (stream lost, file over, failure) starts again after a backoff. Cameras outside any
basis in force are never analysed for events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sentinelle.access.keys import Keys
from sentinelle.analytics.runner import (
    HEAD,
    Backoff,
    MasksFor,
    Worker,
    image_masks,
    reap_workers,
    start_worker,
    stop_workers,
    wait_idle,
)
from sentinelle.db.engine import Database
from sentinelle.events.basis import EventBases, NoBasisInForce
from sentinelle.events.runner import EventPipeline
from sentinelle.registry.camera import redact_url
from sentinelle.vision.detector import Detector

log = logging.getLogger(__name__)


class EventSupervisor:
    """Runs one event pipeline per camera covered by a basis in force.

    Parameters
    ----------
    db, keys
        The database and the installation's keys.
    source_for
        The stream (or file) of a camera, None when it has none.
    detector_factory
        Makes one detector per pipeline (default: YOLOX-Nano from the models folder).
    masks_for
        ``(camera_id, head) → polygons`` (default: the image-geometry store).
    fps
        Frames analysed per second.
    backoff_s, backoff_max_s
        Wait before a pipeline that ended by itself starts again (doubling each time).
    realtime
        Pace files like live streams (default: streams only).
    now
        The clock (tests move it).
    only
        Only these cameras.
    """

    def __init__(self, db: Database, keys: Keys, *, source_for: Callable[[str], str | None],
                 detector_factory: Callable[[], Detector] | None = None,
                 masks_for: MasksFor | None = None, fps: float = 5.0,
                 backoff_s: float = 5.0, backoff_max_s: float = 60.0,
                 realtime: bool | None = None, now: Callable[[], datetime] | None = None,
                 only: Sequence[str] | None = None) -> None:
        self.db, self.keys = db, keys
        self.bases = EventBases(db, keys)
        self.source_for = source_for
        self.detector_factory = detector_factory or Detector
        self.masks_for = masks_for or image_masks(db, keys)
        self.fps, self.realtime = fps, realtime
        self.now = now or (lambda: datetime.now(UTC))
        self.only = set(only) if only else None
        self.backoff = Backoff(backoff_s, backoff_max_s)
        self.workers: dict[str, Worker] = {}
        self._no_stream: set[str] = set()

    def covered(self, now: datetime) -> dict[str, int]:
        """Camera → the basis in force that covers it now (the one ending last)."""
        out: dict[str, tuple[datetime, int]] = {}
        for b in self.bases.all():
            if not b.in_force(now):
                continue
            for cid in b.camera_ids:
                if (self.only is None or cid in self.only) and (b.end, b.id) > out.get(
                        cid, (datetime.min.replace(tzinfo=UTC), 0)):
                    out[cid] = (b.end, b.id)
        return {cid: basis_id for cid, (_, basis_id) in out.items()}

    def _work(self, w: Worker, camera_id: str, source: str) -> None:
        try:
            w.pipeline = EventPipeline(self.db, self.keys, camera_id, clock=self.now)
            w.pipeline.start()
            w.pipeline.run_source(source, self.detector_factory(),
                                  masks=self.masks_for(camera_id, HEAD), fps=self.fps,
                                  stop=w.stop, realtime=self.realtime, start=self.now())
        except NoBasisInForce:
            pass  # ended between the supervisor's reading and the pipeline's
        except Exception as exc:  # noqa: BLE001 - a camera's failure must not stop the others
            w.error = f"{type(exc).__name__}: {redact_url(str(exc)) or exc}"
            log.warning("events %s: pipeline failed (%s)", camera_id, w.error)
            if w.pipeline is not None:
                w.pipeline.stop("error")
        finally:
            w.done = True

    def tick(self) -> None:
        """Start and stop the event pipelines after the bases; one pass."""
        now = self.now()
        covered = self.covered(now)
        # A camera no longer covered, or covered by another basis, is stopped (and starts
        # again under the other basis).
        reap_workers(self.workers, lambda cid, w: covered.get(cid) == w.basis, self.backoff,
                     now)
        for cid, basis_id in covered.items():
            if cid in self.workers or not self.backoff.ready(cid, now):
                continue
            source = self.source_for(cid)
            if not source:
                if cid not in self._no_stream:
                    log.warning("events %s: a basis covers it but it has no stream", cid)
                    self._no_stream.add(cid)
                continue
            log.info("events %s: detection starts under basis #%d", cid, basis_id)
            start_worker(self.workers, cid, basis_id,
                         lambda w, cid=cid, source=source: self._work(w, cid, source),
                         name=f"events-{cid}")

    def shutdown(self) -> None:
        stop_workers(self.workers)
        self.workers.clear()

    def wait_idle(self, timeout: float) -> bool:
        return wait_idle(self.workers, timeout)
