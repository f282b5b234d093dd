"""A labelled test set of synthetic scenes: tracked detections generated in code.

Each scene is a sequence of `Detections` (5 frames per second, boxes jittered by a seeded
noise) on one camera with a fixed layout, and the events it should raise (type, track ids and
time window). `evaluate` runs the detectors on every scene and reports recall and precision per
event type. Scenes: a forbidden-zone entry, a wrong-way walk, a left bag, a dense group, a
person falling, a sudden flow change, and a control scene where nothing should fire (people
walking the allowed way, a carried bag, a small group, a person standing still, a walk along
the forbidden zone).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from sentinelle.events.detectors import (
    BAG,
    PERSON,
    DirectionLine,
    EventEngine,
    EventHit,
    EventSettings,
    EventZone,
    Layout,
)
from sentinelle.events.types import AVAILABLE
from sentinelle.vision.detections import Detections

FPS = 5
T0 = datetime(2026, 6, 21, 18, 0, tzinfo=UTC)
PW, PH = 0.06, 0.2          # a standing person's box (normalised, 4:3 frame)
BW, BH = 0.04, 0.05         # a bag's box

FORBIDDEN = EventZone("zone_interdite:quai", ((0.75, 0.45), (0.95, 0.45), (0.95, 0.7),
                                              (0.75, 0.7)))
DIRECTION = DirectionLine("contresens:couloir", ((0.5, 0.4), (0.5, 1.0)))  # allowed: left→right
DENSITY = EventZone("densite_excessive:parvis", ((0.05, 0.6), (0.35, 0.6), (0.35, 0.98),
                                                  (0.05, 0.98)), area_m2=4.0)
LAYOUT = Layout((FORBIDDEN,), (DIRECTION,), (DENSITY,), aspect=4 / 3)


@dataclass(frozen=True)
class Label:
    type: str
    tracks: frozenset[int]   # empty: any track
    start_s: float
    end_s: float


@dataclass
class Scene:
    name: str
    frames: list[Detections]
    labels: list[Label] = field(default_factory=list)
    camera_id: str = "SYN-1"


class _Builder:
    """Objects with a position (feet, normalised) per frame."""

    def __init__(self, name: str, duration_s: float, seed: int, noise: float = 0.002) -> None:
        self.name, self.n, self.noise = name, int(duration_s * FPS), noise
        self.rng = np.random.default_rng(seed)
        self.objs: list[tuple[int, int, Callable[[float], tuple[float, float, str] | None]]] = []

    def add(self, tid: int, cls: int, path: Callable[[float], tuple[float, float, str] | None]
            ) -> None:
        """`path(t)` → (x of the box centre, y of its bottom, posture "up"/"lying"/"bag") or
        None when the object is not in view."""
        self.objs.append((tid, cls, path))

    def build(self, labels: list[Label], camera_id: str = "SYN-1") -> Scene:
        frames = []
        for k in range(self.n):
            t = k / FPS
            boxes, classes, ids = [], [], []
            for tid, cls, path in self.objs:
                p = path(t)
                if p is None:
                    continue
                x, y, posture = p
                w, h = {"up": (PW, PH), "lying": (PH * 0.75, PW * 1.3), "bag": (BW, BH)}[posture]
                b = np.array([x - w / 2, y - h, x + w / 2, y]) + self.rng.normal(0, self.noise, 4)
                if b[2] < 0 or b[0] > 1 or b[3] < 0 or b[1] > 1:
                    continue
                boxes.append(np.clip(b, 0, 1))
                classes.append(cls)
                ids.append(tid)
            frames.append(Detections(
                camera_id, T0 + timedelta(seconds=t),
                boxes=np.array(boxes, np.float32).reshape(-1, 4),
                scores=np.full(len(boxes), 0.9, np.float32),
                classes=np.array(classes, np.int8), track_ids=np.array(ids, np.int64)))
        return Scene(self.name, frames, labels, camera_id)


def _walk(x0: float, y0: float, vx: float, vy: float, t0: float = 0.0, t1: float = 1e9
          ) -> Callable[[float], tuple[float, float, str] | None]:
    def f(t: float) -> tuple[float, float, str] | None:
        if t < t0 or t > t1:
            return None
        return x0 + vx * (t - t0), y0 + vy * (t - t0), "up"
    return f


def _walkers(b: _Builder, first_id: int, count: int) -> None:
    """People crossing the direction line the allowed way (left to right), bottom band."""
    for i in range(count):
        b.add(first_id + i, PERSON, _walk(0.05 + 0.03 * i, 0.88 + 0.02 * (i % 3), 0.18, 0.0,
                                          t0=1.5 * i))


def zone_entry(seed: int = 0, noise: float = 0.002) -> Scene:
    b = _Builder("zone_entry", 20, seed=1 + 100 * seed, noise=noise)
    _walkers(b, 1, 3)

    def intruder(t: float) -> tuple[float, float, str]:
        # walks up from the bottom right into the forbidden zone and stays there
        y = max(0.98 - 0.12 * t, 0.6)
        return 0.85, y, "up"
    b.add(10, PERSON, intruder)
    return b.build([Label("zone_interdite", frozenset({10}), 2.0, 20.0)])


def wrong_way(seed: int = 0, noise: float = 0.002) -> Scene:
    b = _Builder("wrong_way", 20, seed=2 + 100 * seed, noise=noise)
    _walkers(b, 1, 4)
    b.add(20, PERSON, _walk(0.9, 0.8, -0.15, 0.0, t0=2.0))
    return b.build([Label("contresens", frozenset({20}), 2.0, 20.0)])


def left_bag(seed: int = 0, noise: float = 0.002) -> Scene:
    b = _Builder("left_bag", 35, seed=3 + 100 * seed, noise=noise)

    def owner(t: float) -> tuple[float, float, str] | None:
        if t < 4:
            return 0.1 + 0.08 * t, 0.3, "up"
        if t < 6:
            return 0.42, 0.3, "up"
        x = 0.42 - 0.12 * (t - 6)
        return (x, 0.3, "up") if x > -0.05 else None

    def bag(t: float) -> tuple[float, float, str]:
        if t < 4:
            return 0.1 + 0.08 * t + 0.05, 0.3, "bag"
        return 0.47, 0.3, "bag"
    b.add(1, PERSON, owner)
    b.add(2, BAG, bag)
    # after leaving the bag (t = 6 s) the owner is more than a body height away at about 8 s
    return b.build([Label("objet_abandonne", frozenset({2}), 16.0, 35.0)])


def dense_group(seed: int = 0, noise: float = 0.002) -> Scene:
    b = _Builder("dense_group", 15, seed=4 + 100 * seed, noise=noise)
    rng = np.random.default_rng(40 + 100 * seed)
    for i in range(20):
        tx, ty = rng.uniform(0.08, 0.32), rng.uniform(0.65, 0.95)
        sx, sy = tx, rng.uniform(0.42, 0.5)  # arrive from above the zone

        def person(t: float, tx=tx, ty=ty, sx=sx, sy=sy) -> tuple[float, float, str]:
            a = min(t / 3.0, 1.0)  # gathers in three seconds
            return sx + (tx - sx) * a, sy + (ty - sy) * a, "up"
        b.add(100 + i, PERSON, person)
    return b.build([Label("densite_excessive", frozenset(), 3.0, 15.0)])


def person_falling(seed: int = 0, noise: float = 0.002) -> Scene:
    b = _Builder("person_falling", 15, seed=5 + 100 * seed, noise=noise)

    def p(t: float) -> tuple[float, float, str]:
        if t < 4:
            return 0.2 + 0.06 * t, 0.35, "up"
        return 0.44, 0.35, "lying"
    b.add(7, PERSON, p)
    _walkers(b, 1, 2)
    return b.build([Label("personne_au_sol", frozenset({7}), 6.5, 15.0)])


def flow_change(seed: int = 0, noise: float = 0.002) -> Scene:
    b = _Builder("flow_change", 14, seed=6 + 100 * seed, noise=noise)
    rng = np.random.default_rng(60 + 100 * seed)
    for i in range(10):
        x0, y0 = rng.uniform(0.4, 0.6), rng.uniform(0.15, 0.33)
        vx, vy = rng.uniform(-0.006, 0.006), rng.uniform(-0.004, 0.004)  # milling about
        out = -1.0 if x0 < 0.5 else 1.0

        def person(t: float, x0=x0, y0=y0, vx=vx, vy=vy, out=out
                   ) -> tuple[float, float, str] | None:
            if t < 10:
                return x0 + vx * t, y0 + vy * t, "up"
            x = x0 + vx * 10 + out * 0.45 * (t - 10)   # everyone runs away at once
            return (x, y0 + vy * 10, "up") if -0.1 < x < 1.1 else None
        b.add(200 + i, PERSON, person)
    return b.build([Label("mouvement_de_foule", frozenset(), 10.0, 12.0)])


def control(seed: int = 0, noise: float = 0.002) -> Scene:
    b = _Builder("control", 30, seed=7 + 100 * seed, noise=noise)
    _walkers(b, 1, 6)
    # a person carrying a bag across the top band
    b.add(30, PERSON, _walk(0.05, 0.3, 0.04, 0.0))
    b.add(31, BAG, lambda t: (0.05 + 0.04 * t + 0.04, 0.3, "bag"))
    # a small group in the density zone
    for i in range(4):
        b.add(40 + i, PERSON, _walk(0.1 + 0.06 * i, 0.75 + 0.05 * (i % 2), 0.0, 0.0))
    # someone standing still, upright, for the whole scene
    b.add(50, PERSON, _walk(0.65, 0.3, 0.0, 0.0))
    # someone walking along the forbidden zone, never inside
    b.add(60, PERSON, _walk(0.7, 0.95, 0.0, -0.02))
    return b.build([])


SCENES: dict[str, Callable[..., Scene]] = {
    "zone_entry": zone_entry, "wrong_way": wrong_way, "left_bag": left_bag,
    "dense_group": dense_group, "person_falling": person_falling,
    "flow_change": flow_change, "control": control,
}


def run_scene(scene: Scene, settings: EventSettings | None = None,
              events: tuple[str, ...] = AVAILABLE) -> list[EventHit]:
    engine = EventEngine(scene.camera_id, events, LAYOUT, settings)
    hits: list[EventHit] = []
    for d in scene.frames:
        hits.extend(engine.update(d))
    return hits


def _matches(h: EventHit, lab: Label) -> bool:
    t = (h.ts - T0).total_seconds()
    return (h.type == lab.type and lab.start_s <= t <= lab.end_s
            and (not lab.tracks or bool(lab.tracks & set(h.tracks))))


def evaluate(settings: EventSettings | None = None, *, variants: int = 1,
             noise: float = 0.002) -> dict[str, Any]:
    """Recall and precision per event type over every scene, each in `variants` versions
    (other random positions and jitter), boxes jittered by `noise` (normalised, 1 σ)."""
    per: dict[str, dict[str, int]] = {e: {"labels": 0, "found": 0, "alerts": 0, "true": 0}
                                      for e in AVAILABLE}
    scenes: dict[str, list[dict[str, Any]]] = {}
    for (name, make), v in itertools.product(SCENES.items(), range(variants)):
        scene = make(v, noise)
        hits = run_scene(scene, settings)
        key = f"{name}#{v}" if variants > 1 else name
        scenes[key] = [{"type": h.type, "t_s": round((h.ts - T0).total_seconds(), 1),
                        "tracks": list(h.tracks)} for h in hits]
        for lab in scene.labels:
            per[lab.type]["labels"] += 1
            per[lab.type]["found"] += any(_matches(h, lab) for h in hits)
        for h in hits:
            per[h.type]["alerts"] += 1
            per[h.type]["true"] += any(_matches(h, lab) for lab in scene.labels)
    out = {}
    for e, c in per.items():
        out[e] = dict(c, recall=round(c["found"] / c["labels"], 3) if c["labels"] else None,
                      precision=round(c["true"] / c["alerts"], 3) if c["alerts"] else None)
    return {"per_type": out, "scenes": scenes}
