"""The event pipeline of one camera, behind its legal basis (the kill switch, R31).

`EventPipeline.start` refuses to start unless a basis naming the camera is in force at `now`;
it runs only the event types that basis allows and that this version can detect on the
camera's layout (zones and lines named ``zone_interdite:…``, ``contresens:…``,
``densite_excessive:…`` in `sentinelle analytics zones import`; the density zones need the
head's homography). `process` takes each frame's tracked detections (and the masked frame for
the thumbnail) and checks the basis again, against the frame time and the clock: at the
basis's end the pipeline stops, records why, and raises nothing more. Each session is stored
(`event_sessions`) so that R31 can compare what ran with the bases; start and stop are audited
``analytics_basis_change`` by ``system:analytics``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import select

from sentinelle.access.audit import Actor, AuditAction, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.db.engine import Database
from sentinelle.db.events_tables import EventSessionRow
from sentinelle.events.alerts import Alert, Alerts
from sentinelle.events.basis import EventBases, EventBasis
from sentinelle.events.detectors import (
    PERSON,
    DirectionLine,
    EventEngine,
    EventSettings,
    EventZone,
    Layout,
)
from sentinelle.events.types import UNAVAILABLE
from sentinelle.vision.detections import Detections

ACTOR = Actor.system("analytics")
PREFIXES = ("zone_interdite:", "contresens:", "densite_excessive:")


def zone_area_m2(polygon: tuple[tuple[float, float], ...], geometry) -> float | None:
    """Ground area (m²) of a zone in normalised image coordinates, through the homography."""
    if geometry is None or not geometry.has_homography:
        return None
    px = np.array(polygon, float) * [geometry.image_width, geometry.image_height]
    ground = shapely.Polygon(geometry.image_to_ground(px))
    area = float(ground.area) if ground.is_valid else 0.0
    return area if area > 0 else None


def load_layout(db: Database, keys: Keys, camera_id: str, head: int = 0) -> Layout:
    """The event layout of a camera head from its imported zones and lines and its geometry."""
    from sentinelle.analytics.shapes import ShapeStore
    from sentinelle.vision.geometry import GeometryStore

    geom = GeometryStore(db).get(camera_id, head)
    forbidden, directions, density = [], [], []
    for sh in ShapeStore(db, keys).shapes(camera_id, head):
        if sh.kind == "zone" and sh.name.startswith("zone_interdite:"):
            forbidden.append(EventZone(sh.name, sh.points))
        elif sh.kind == "line" and sh.name.startswith("contresens:"):
            directions.append(DirectionLine(sh.name, sh.points))
        elif sh.kind == "zone" and sh.name.startswith("densite_excessive:"):
            area = zone_area_m2(sh.points, geom)
            if area:
                density.append(EventZone(sh.name, sh.points, area))
    aspect = geom.image_width / geom.image_height if geom else 4 / 3
    return Layout(tuple(forbidden), tuple(directions), tuple(density), aspect)


@dataclass
class PipelineState:
    running: bool = False
    stopped_by: str | None = None
    alerts: list[Alert] = field(default_factory=list)


class EventPipeline:
    """Event detection on one camera, under one basis."""

    def __init__(self, db: Database, keys: Keys, camera_id: str, *,
                 layout: Layout | None = None, settings: EventSettings | None = None,
                 clock: Callable[[], datetime] | None = None, recheck_s: float = 5.0) -> None:
        self.db, self.keys, self.camera_id = db, keys, camera_id
        self.recheck_s = recheck_s  # how often the basis is read again (ended early?)
        self._checked: datetime | None = None
        self.layout = layout
        self.settings = settings or EventSettings()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.state = PipelineState()
        self.basis: EventBasis | None = None
        self.engine: EventEngine | None = None
        self.session_id: int | None = None
        self.skipped: dict[str, str] = {}

    def start(self, now: datetime | None = None) -> EventBasis:
        """Find the basis in force, or raise `NoBasisInForce` (nothing starts)."""
        now = now or self.clock()
        basis = EventBases(self.db, self.keys).require(self.camera_id, now)
        layout = self.layout or load_layout(self.db, self.keys, self.camera_id)
        self.skipped = {e: UNAVAILABLE[e] for e in basis.events if e in UNAVAILABLE}
        self.skipped.update({e: why for e, why in layout.needs().items() if e in basis.events})
        self.engine = EventEngine(self.camera_id, basis.events, layout, self.settings)
        self.basis = basis
        with self.db.session() as s:
            row = EventSessionRow(camera_id=self.camera_id, basis_id=basis.id,
                                  events=self.engine.types, started_at=now)
            s.add(row)
            s.flush()
            self.session_id = row.id
            AuditLog(self.db, self.keys).record(
                actor=ACTOR, action=AuditAction.analytics_basis_change, object_type="camera",
                object_id=self.camera_id, now=now, session=s,
                details={"change": "events_start", "basis": basis.id,
                         "events": self.engine.types, "not_detected": self.skipped,
                         "until": basis.end.isoformat()})
        self.state.running = True
        return basis

    def stop(self, reason: str, now: datetime | None = None) -> None:
        if not self.state.running:
            return
        now = now or self.clock()
        self.state.running, self.state.stopped_by = False, reason
        with self.db.session() as s:
            row = s.get(EventSessionRow, self.session_id)
            if row is not None:
                row.stopped_at, row.stop_reason = now, reason
            AuditLog(self.db, self.keys).record(
                actor=ACTOR, action=AuditAction.analytics_basis_change, object_type="camera",
                object_id=self.camera_id, now=now, session=s,
                details={"change": "events_stop", "reason": reason,
                         "basis": self.basis.id if self.basis else None})

    def in_force(self, ts: datetime) -> bool:
        """The kill switch: the basis, read again every `recheck_s` (it may have been ended
        early), still covers this camera at `ts` and at the clock."""
        assert self.basis is not None
        now = self.clock()
        if self._checked is None or (now - self._checked).total_seconds() >= self.recheck_s:
            self.basis = EventBases(self.db, self.keys).get(self.basis.id)
            self._checked = now
        return all(self.basis.covers(self.camera_id, t) for t in (ts, now))

    def process(self, dets: Detections, frame: NDArray[np.uint8] | None = None
                ) -> list[Alert]:
        """Detect events on one frame's tracked detections; raise and return the alerts.

        Past the basis's end (frame time or clock) the pipeline stops and returns nothing."""
        if not self.state.running or self.engine is None or self.basis is None:
            return []
        if not self.in_force(dets.ts):
            self.stop("basis_ended" if max(dets.ts, self.clock()) >= self.basis.end
                      else "outside_basis")
            return []
        hits = self.engine.update(dets)
        out = []
        if hits:
            persons = [tuple(float(v) for v in b)
                       for b, c in zip(dets.boxes, dets.classes, strict=True) if c == PERSON]
            store = Alerts(self.db, self.keys)
            for h in hits:
                if h.type not in self.basis.events:
                    continue
                out.append(store.raise_(h, basis_id=self.basis.id, frame=frame,
                                        person_boxes=persons, now=self.clock()))
        self.state.alerts.extend(out)
        return out

    def run_source(self, source: str, detector, *, masks=(), fps: float = 5.0,
                   stop: threading.Event | None = None, realtime: bool | None = None,
                   start: datetime | None = None) -> PipelineState:
        """Decode `source` (masks filled first), detect, track and look for events until its
        end, `stop`, or the basis's end. `start`: time of the source's first frame (default:
        when it is opened; a recorded clip replayed at a fixed time gives it)."""
        from sentinelle.vision.frames import read_frames
        from sentinelle.vision.tracker import Tracker

        if not self.state.running:
            self.start()
        tracker = Tracker(self.camera_id)
        frames = read_frames(source, self.camera_id, list(masks), fps=fps, realtime=realtime,
                             start=start)
        try:
            for frame in frames:
                if stop is not None and stop.is_set():
                    self.stop("stop")
                    break
                dets = tracker.update(detector.detect_planes(frame.planes, self.camera_id,
                                                             frame.ts))
                self.process(dets, frame.image)
                del frame
                if not self.state.running:
                    break
        finally:
            frames.close()
        self.stop("end_of_source")
        return self.state


def sessions(db: Database, camera_id: str | None = None) -> list[dict]:
    """The event pipeline runs recorded (for R31 and the DPO page)."""
    with db.session() as s:
        q = select(EventSessionRow).order_by(EventSessionRow.id)
        if camera_id is not None:
            q = q.where(EventSessionRow.camera_id == camera_id)
        return [{"id": r.id, "camera": r.camera_id, "basis": r.basis_id,
                 "events": list(r.events), "started_at": r.started_at,
                 "stopped_at": r.stopped_at, "stop_reason": r.stop_reason}
                for r in s.scalars(q).all()]
