"""Event detectors on the tracks of one camera (image coordinates, normalised 0–1).

Every detector takes the tracked `Detections` of one frame (track ids local to the camera,
never across cameras) and returns `EventHit`s. They look at boxes and their motion only:
nothing about a person beyond a box is used or produced.

- `zone_interdite`: the foot point of a person or vehicle stays inside a forbidden zone.
- `contresens`: a track crosses a direction line against its allowed direction (the allowed
  direction is ``a_to_b``: from side a, on the right hand walking the line from its first point
  to its last, to side b).
- `densite_excessive`: persons per m² in a zone, the zone's area on the ground coming from the
  head's homography.
- `mouvement_de_foule`: a sudden change of flow: the median speed of the persons (in body
  heights per second, so distance to the camera does not matter) jumps above a multiple of
  its recent level.
- `personne_au_sol`: a person box lying (wider than high) and still for some seconds.
- `objet_abandonne`: a bag still, with no person near it, for N seconds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

import numpy as np
import shapely

from sentinelle.events.types import EventType
from sentinelle.vision.detections import CLASS_NAMES, Detections

PERSON = CLASS_NAMES.index("person")
BAG = CLASS_NAMES.index("bag")
MOBILE = frozenset(CLASS_NAMES.index(c) for c in ("person", "bicycle", "motor_vehicle"))

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class EventHit:
    """What a detector saw: an attention signal, not a decision."""

    type: str
    camera_id: str
    ts: datetime
    tracks: tuple[int, ...]
    boxes: tuple[Box, ...]
    zone: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventSettings:
    """Thresholds of the detectors (defaults calibrated on the synthetic scenes; a deployment
    calibrates them on its own cameras)."""

    zone_min_s: float = 0.4            # inside a forbidden zone this long
    line_band: float = 0.01            # a side counts beyond this distance from the line
    density_max: float = 4.0           # persons per m²
    density_min_s: float = 2.0         # above the maximum this long
    crowd_min_people: int = 6          # persons moving in the frame
    crowd_ratio: float = 2.5           # speed jump against the recent level
    crowd_min_speed: float = 1.8       # body heights per second (running)
    crowd_window_s: float = 0.6        # the "now" of the speed
    crowd_baseline_s: float = 5.0      # the recent level before it
    crowd_cooldown_s: float = 15.0
    fall_aspect: float = 1.2           # box width / height in pixels
    fall_still_s: float = 3.0
    fall_max_move: float = 0.15        # box lengths over `fall_still_s`
    abandon_s: float = 10.0            # still and alone this long
    abandon_max_move: float = 0.5      # bag heights
    abandon_radius: float = 0.6        # person heights between a bag and the nearest person
    history_s: float = 60.0


@dataclass(frozen=True)
class EventZone:
    """A zone of the layout (normalised polygon); `area_m2` for density zones."""

    name: str
    polygon: tuple[tuple[float, float], ...]
    area_m2: float | None = None


@dataclass(frozen=True)
class DirectionLine:
    """A line whose allowed crossing direction is ``a_to_b``."""

    name: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Layout:
    """The zones and lines of one camera head that the detectors use, and the frame's aspect
    (width / height, to judge a box's shape in pixels)."""

    forbidden: tuple[EventZone, ...] = ()
    directions: tuple[DirectionLine, ...] = ()
    density: tuple[EventZone, ...] = ()
    aspect: float = 4 / 3

    def needs(self) -> dict[str, str]:
        """Event types this layout cannot serve, and why."""
        out = {}
        if not self.forbidden:
            out[EventType.zone_interdite.value] = "no forbidden zone (name `zone_interdite:…`)"
        if not self.directions:
            out[EventType.contresens.value] = "no direction line (name `contresens:…`)"
        if not self.density:
            out[EventType.densite_excessive.value] = (
                "no density zone (name `densite_excessive:…`) with a homography")
        return out


# -- track history ---------------------------------------------------------------------------

@dataclass
class _Obs:
    ts: datetime
    box: np.ndarray
    cls: int


class TrackBook:
    """The recent boxes of each track of one camera (in memory only, pruned as it goes)."""

    def __init__(self, camera_id: str, history_s: float = 60.0, lost_s: float = 5.0) -> None:
        self.camera_id = camera_id
        self.history_s, self.lost_s = history_s, lost_s
        self.tracks: dict[int, deque[_Obs]] = {}

    def update(self, dets: Detections) -> None:
        if dets.camera_id != self.camera_id:
            raise ValueError(f"events of camera {self.camera_id!r} got detections of "
                             f"{dets.camera_id!r}: tracks never cross cameras")
        if dets.track_ids is None:
            raise ValueError("event detectors need tracked detections (Tracker.update first)")
        ts = dets.ts
        for i, tid in enumerate(dets.track_ids):
            if tid < 0:
                continue
            h = self.tracks.setdefault(int(tid), deque())
            h.append(_Obs(ts, dets.boxes[i].astype(np.float64), int(dets.classes[i])))
            while h and (ts - h[0].ts).total_seconds() > self.history_s:
                h.popleft()
        for tid in [t for t, h in self.tracks.items()
                    if (ts - h[-1].ts).total_seconds() > self.lost_s]:
            del self.tracks[tid]

    def since(self, tid: int, ts: datetime, seconds: float) -> list[_Obs]:
        return [o for o in self.tracks.get(tid, ()) if (ts - o.ts).total_seconds() <= seconds]

    def span_s(self, tid: int) -> float:
        h = self.tracks.get(tid)
        return (h[-1].ts - h[0].ts).total_seconds() if h else 0.0


def _centre(b: np.ndarray) -> np.ndarray:
    return np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2])


def _foot(b: np.ndarray) -> tuple[float, float]:
    return float((b[0] + b[2]) / 2), float(b[3])


def _tracked(dets: Detections, classes: Iterable[int]) -> list[tuple[int, int, np.ndarray]]:
    cls = set(classes)
    assert dets.track_ids is not None
    return [(i, int(t), dets.boxes[i].astype(np.float64))
            for i, t in enumerate(dets.track_ids) if t >= 0 and int(dets.classes[i]) in cls]


def _box(b: np.ndarray) -> Box:
    return (round(float(b[0]), 4), round(float(b[1]), 4), round(float(b[2]), 4),
            round(float(b[3]), 4))


class Detector:
    """One event type's detector."""

    type: str = ""

    def __init__(self, layout: Layout, settings: EventSettings) -> None:
        self.layout, self.s = layout, settings

    def update(self, dets: Detections, book: TrackBook) -> list[EventHit]:
        raise NotImplementedError

    def hit(self, dets: Detections, tracks: Sequence[int], boxes: Sequence[np.ndarray],
            zone: str | None = None, **detail: Any) -> EventHit:
        return EventHit(self.type, dets.camera_id, dets.ts, tuple(int(t) for t in tracks),
                        tuple(_box(b) for b in boxes), zone, detail)


class ForbiddenZone(Detector):
    type = EventType.zone_interdite.value

    def __init__(self, layout: Layout, settings: EventSettings) -> None:
        super().__init__(layout, settings)
        self.polys = [(z.name, shapely.Polygon(z.polygon)) for z in layout.forbidden]
        self.inside_since: dict[tuple[int, str], datetime] = {}
        self.fired: set[tuple[int, str]] = set()

    def update(self, dets: Detections, book: TrackBook) -> list[EventHit]:
        out = []
        for _i, tid, b in _tracked(dets, MOBILE):
            p = shapely.Point(_foot(b))
            for name, poly in self.polys:
                key = (tid, name)
                if not poly.covers(p):
                    self.inside_since.pop(key, None)
                    continue
                since = self.inside_since.setdefault(key, dets.ts)
                if key not in self.fired and (dets.ts - since).total_seconds() >= self.s.zone_min_s:
                    self.fired.add(key)
                    out.append(self.hit(dets, [tid], [b], name,
                                        cls=CLASS_NAMES[int(book.tracks[tid][-1].cls)]
                                        if tid in book.tracks else None))
        return out


def _signed_distance(p: np.ndarray, pts: np.ndarray) -> float:
    """Distance to the nearest segment, positive on side a (right hand walking first → last
    point, image y down)."""
    best, sign = np.inf, 1.0
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        ab = b - a
        t = float(np.clip(np.dot(p - a, ab) / max(float(np.dot(ab, ab)), 1e-12), 0, 1))
        d = float(np.linalg.norm(p - (a + t * ab)))
        if d < best:
            cross = ab[0] * (p[1] - a[1]) - ab[1] * (p[0] - a[0])
            best, sign = d, (1.0 if cross >= 0 else -1.0)
    return sign * best


class WrongWay(Detector):
    type = EventType.contresens.value

    def __init__(self, layout: Layout, settings: EventSettings) -> None:
        super().__init__(layout, settings)
        self.lines = [(ln.name, np.array(ln.points, float), shapely.LineString(ln.points))
                      for ln in layout.directions]
        self.side: dict[tuple[int, str], tuple[int, tuple[float, float]]] = {}
        self.fired: set[tuple[int, str]] = set()

    def update(self, dets: Detections, book: TrackBook) -> list[EventHit]:
        out = []
        for _i, tid, b in _tracked(dets, MOBILE):
            foot = _foot(b)
            p = np.array(foot)
            for name, pts, geom in self.lines:
                d = _signed_distance(p, pts)
                if abs(d) <= self.s.line_band:
                    continue
                side = 1 if d > 0 else -1  # +1: side a
                key = (tid, name)
                prev = self.side.get(key)
                self.side[key] = (side, foot)
                if prev is None or prev[0] == side:
                    continue
                crossed = shapely.LineString([prev[1], foot]).intersects(geom)
                if crossed and prev[0] == -1 and side == 1 and key not in self.fired:
                    self.fired.add(key)
                    out.append(self.hit(dets, [tid], [b], name, direction="b_to_a",
                                        allowed="a_to_b"))
        return out


class Density(Detector):
    type = EventType.densite_excessive.value

    def __init__(self, layout: Layout, settings: EventSettings) -> None:
        super().__init__(layout, settings)
        self.zones = [(z, shapely.Polygon(z.polygon)) for z in layout.density if z.area_m2]
        self.over_since: dict[str, datetime] = {}
        self.active: set[str] = set()

    def update(self, dets: Detections, book: TrackBook) -> list[EventHit]:
        out = []
        people = [(i, b) for i, b in enumerate(dets.boxes.astype(np.float64))
                  if int(dets.classes[i]) == PERSON]
        for z, poly in self.zones:
            inside = [(i, b) for i, b in people if poly.covers(shapely.Point(_foot(b)))]
            assert z.area_m2
            density = len(inside) / z.area_m2
            if density <= self.s.density_max:
                self.over_since.pop(z.name, None)
                if density < 0.8 * self.s.density_max:
                    self.active.discard(z.name)
                continue
            since = self.over_since.setdefault(z.name, dets.ts)
            if z.name in self.active or (dets.ts - since).total_seconds() < self.s.density_min_s:
                continue
            self.active.add(z.name)
            assert dets.track_ids is not None
            out.append(self.hit(dets, [int(dets.track_ids[i]) for i, _ in inside
                                       if dets.track_ids[i] >= 0],
                                [b for _, b in inside], z.name, people=len(inside),
                                area_m2=round(z.area_m2, 2),
                                per_m2=round(density, 2), max_per_m2=self.s.density_max))
        return out


class CrowdMovement(Detector):
    type = EventType.mouvement_de_foule.value

    def __init__(self, layout: Layout, settings: EventSettings) -> None:
        super().__init__(layout, settings)
        self.series: deque[tuple[datetime, float, int]] = deque()
        self.last_fired: datetime | None = None

    def update(self, dets: Detections, book: TrackBook) -> list[EventHit]:
        s = self.s
        speeds, moving = [], []
        for _i, tid, b in _tracked(dets, [PERSON]):
            obs = book.since(tid, dets.ts, 0.6)
            if len(obs) < 2:
                continue
            dt = (obs[-1].ts - obs[0].ts).total_seconds()
            height = float(np.mean([o.box[3] - o.box[1] for o in obs]))
            if dt < 0.3 or height <= 0:
                continue
            v = float(np.linalg.norm(_centre(obs[-1].box) - _centre(obs[0].box))) / dt / height
            speeds.append(v)
            moving.append((tid, b))
        if len(speeds) < s.crowd_min_people:
            self.series.append((dets.ts, 0.0, len(speeds)))
        else:
            self.series.append((dets.ts, float(median(speeds)), len(speeds)))
        horizon = s.crowd_window_s + s.crowd_baseline_s
        while self.series and (dets.ts - self.series[0][0]).total_seconds() > horizon:
            self.series.popleft()
        if len(speeds) < s.crowd_min_people:
            return []
        if self.last_fired and (dets.ts - self.last_fired).total_seconds() < s.crowd_cooldown_s:
            return []
        now_ = [v for t, v, n in self.series
                if (dets.ts - t).total_seconds() <= s.crowd_window_s and n >= s.crowd_min_people]
        base = [v for t, v, _n in self.series if (dets.ts - t).total_seconds() > s.crowd_window_s]
        if not now_ or len(base) < 3:
            return []
        current, baseline = float(median(now_)), float(median(base))
        if current >= s.crowd_min_speed and current >= s.crowd_ratio * max(baseline, 0.3):
            self.last_fired = dets.ts
            return [self.hit(dets, [t for t, _ in moving], [b for _, b in moving], None,
                             people=len(speeds), speed_bh_s=round(current, 2),
                             baseline_bh_s=round(baseline, 2))]
        return []


class PersonOnGround(Detector):
    type = EventType.personne_au_sol.value

    def __init__(self, layout: Layout, settings: EventSettings) -> None:
        super().__init__(layout, settings)
        self.fired: set[int] = set()

    def update(self, dets: Detections, book: TrackBook) -> list[EventHit]:
        s, out = self.s, []
        for _i, tid, b in _tracked(dets, [PERSON]):
            if tid in self.fired:
                continue
            obs = book.since(tid, dets.ts, s.fall_still_s)
            if not obs or (dets.ts - obs[0].ts).total_seconds() < s.fall_still_s * 0.95:
                continue
            lying = all((o.box[2] - o.box[0]) * self.layout.aspect
                        > s.fall_aspect * (o.box[3] - o.box[1]) for o in obs)
            if not lying:
                continue
            ref = _centre(b)
            size = max(float(b[2] - b[0]), float(b[3] - b[1]), 1e-6)
            moved = max(float(np.linalg.norm(_centre(o.box) - ref)) for o in obs)
            if moved > s.fall_max_move * size:
                continue
            h = book.tracks.get(tid, ())
            upright = any((o.box[3] - o.box[1]) > (o.box[2] - o.box[0]) * self.layout.aspect
                          for o in h)
            self.fired.add(tid)
            out.append(self.hit(dets, [tid], [b], None, still_s=s.fall_still_s,
                                seen_upright_before=upright))
        return out


def _box_distance(p: np.ndarray, b: np.ndarray) -> float:
    dx = max(float(b[0]) - p[0], 0.0, p[0] - float(b[2]))
    dy = max(float(b[1]) - p[1], 0.0, p[1] - float(b[3]))
    return float(np.hypot(dx, dy))


class AbandonedObject(Detector):
    type = EventType.objet_abandonne.value

    def __init__(self, layout: Layout, settings: EventSettings) -> None:
        super().__init__(layout, settings)
        self.alone_since: dict[int, tuple[datetime, np.ndarray]] = {}
        self.fired: set[int] = set()

    def update(self, dets: Detections, book: TrackBook) -> list[EventHit]:
        s, out = self.s, []
        persons = [b for i, b in enumerate(dets.boxes.astype(np.float64))
                   if int(dets.classes[i]) == PERSON]
        for _i, tid, b in _tracked(dets, [BAG]):
            if tid in self.fired:
                continue
            c = _centre(b)
            near = any(_box_distance(c, p) <= s.abandon_radius * float(p[3] - p[1])
                       for p in persons)
            size = max(float(b[3] - b[1]), 1e-6)
            since, anchor = self.alone_since.setdefault(tid, (dets.ts, c))
            if near or float(np.linalg.norm(c - anchor)) > s.abandon_max_move * size:
                self.alone_since.pop(tid, None)  # attended or moving: starts again
                continue
            if (dets.ts - since).total_seconds() >= s.abandon_s:
                self.fired.add(tid)
                out.append(self.hit(dets, [tid], [b], None, alone_s=s.abandon_s))
        return out


DETECTORS: dict[str, type[Detector]] = {
    EventType.zone_interdite.value: ForbiddenZone,
    EventType.contresens.value: WrongWay,
    EventType.densite_excessive.value: Density,
    EventType.mouvement_de_foule.value: CrowdMovement,
    EventType.personne_au_sol.value: PersonOnGround,
    EventType.objet_abandonne.value: AbandonedObject,
}


class EventEngine:
    """The detectors of the event types `events` on one camera."""

    def __init__(self, camera_id: str, events: Iterable[str], layout: Layout,
                 settings: EventSettings | None = None) -> None:
        self.camera_id = camera_id
        self.settings = settings or EventSettings()
        self.layout = layout
        self.book = TrackBook(camera_id, history_s=self.settings.history_s)
        missing = layout.needs()
        self.detectors = [DETECTORS[e](layout, self.settings) for e in events
                          if e in DETECTORS and e not in missing]

    @property
    def types(self) -> list[str]:
        return [d.type for d in self.detectors]

    def update(self, dets: Detections) -> list[EventHit]:
        self.book.update(dets)
        out: list[EventHit] = []
        for d in self.detectors:
            out.extend(d.update(dets, self.book))
        return out
