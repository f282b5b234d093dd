"""`contresens` measured on real video: vtest.avi against its hand-made ground truth.

The ground truth (`sentinelle.analytics.accuracy.load_truth`: people crossing two lines, per
direction and per 10 s, over the first 40 s of vtest.avi) becomes a labelled event set by
declaring one direction of each line allowed: every crossing the other way is an expected
`contresens` event in its (line, interval) cell. The real event pipeline then runs on the clip
(decoding, YOLOX-Nano, the tracker, the `contresens` detector, behind a basis in force at a fixed
time, alerts stored with their blurred thumbnail), and its alerts are compared with the expected
events per cell: true positives = min(expected, raised), false positives = raised − that,
missed = expected − that; recall = true / expected, precision = true / raised.

Both choices of the allowed direction can be measured in one run: each line enters the layout
once per allowed direction (``contresens:ouest:a_to_b`` with the ground truth's points,
``contresens:ouest:b_to_a`` with them reversed, which swaps its sides).

`zone_interdite` is measured the same way with, for each (vertical) line, a forbidden zone
between the line and the frame's edge on the side its one direction enters: est's right-hand
part (entered a_to_b) and ouest's left-hand part (entered b_to_a); each such crossing is an
expected entry. Anyone already inside at the start, or entering over the frame's edge, raises
an alert that counts as false: the zone is not the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from sentinelle.access.audit import Actor
from sentinelle.access.keys import Keys
from sentinelle.analytics.accuracy import T0, Truth
from sentinelle.db.engine import Database
from sentinelle.errors import InputError
from sentinelle.events.basis import EventBases
from sentinelle.events.detectors import (
    DirectionLine,
    EventSettings,
    EventZone,
    Layout,
    _signed_distance,
)
from sentinelle.events.runner import EventPipeline
from sentinelle.events.types import EventType
from sentinelle.vision.counting import A_TO_B, B_TO_A, Line

CAMERA = "VTEST"
CONTRESENS = EventType.contresens.value
ZONE = EventType.zone_interdite.value
OPPOSITE = {A_TO_B: B_TO_A, B_TO_A: A_TO_B}
#: The forbidden zone beyond each line, and the direction that enters it.
ZONE_ENTRY = {"est": A_TO_B, "ouest": B_TO_A}


def zone_beyond(line: Line, entry: str) -> EventZone:
    """The part of the frame beyond a vertical line on the side `entry` crosses into."""
    (x0, y0), (x1, y1) = line.points[0], line.points[-1]
    if len(line.points) != 2 or abs(x0 - x1) > 1e-9:
        raise InputError(f"line {line.name!r}: a zone beyond it needs a vertical line")
    right_is_a = _signed_distance(np.array([x0 + 0.05, (y0 + y1) / 2]),
                                  np.array(line.points, float)) > 0
    into_a = entry == B_TO_A
    edge = 1.0 if right_is_a == into_a else 0.0
    top, bottom = min(y0, y1), max(y0, y1)
    return EventZone(f"{ZONE}:{line.name}",
                     ((x0, top), (edge, top), (edge, bottom), (x0, bottom)))


def layout_for(truth: Truth, allowed: Sequence[str] = (A_TO_B,)) -> Layout:
    """Direction lines from the ground truth's lines, one per line and allowed direction."""
    lines = []
    for a in allowed:
        if a not in OPPOSITE:
            raise InputError(f"allowed direction must be {A_TO_B} or {B_TO_A}, got {a!r}")
        for ln in truth.lines:
            pts = ln.points if a == A_TO_B else tuple(reversed(ln.points))
            lines.append(DirectionLine(f"{CONTRESENS}:{ln.name}:{a}", tuple(pts)))
    zones = tuple(zone_beyond(ln, ZONE_ENTRY[ln.name]) for ln in truth.lines
                  if ln.name in ZONE_ENTRY)
    return Layout(forbidden=zones, directions=tuple(lines), aspect=768 / 576)


def expected(truth: Truth, allowed: str) -> dict[tuple[int, str], int]:
    """(start_s, line) → crossings against `allowed`: the `contresens` events expected."""
    wrong = OPPOSITE[allowed]
    return {(start, line): n for (start, line, d), n in truth.counts.items() if d == wrong}


def compare(exp: dict[tuple[int, str], int], raised: dict[tuple[int, str], int]
            ) -> dict[str, Any]:
    """Per-cell comparison of expected events and alerts, and the totals."""
    rows, tp = [], 0
    for key in sorted(set(exp) | set(raised)):
        e, r = exp.get(key, 0), raised.get(key, 0)
        tp += min(e, r)
        rows.append({"start_s": key[0], "line": key[1], "expected": e, "raised": r,
                     "true": min(e, r)})
    n_exp, n_raised = sum(exp.values()), sum(raised.values())
    return {"expected": n_exp, "raised": n_raised, "true": tp,
            "false_positives": n_raised - tp, "missed": n_exp - tp,
            "recall": round(tp / n_exp, 3) if n_exp else None,
            "precision": round(tp / n_raised, 3) if n_raised else None, "rows": rows}


def evaluate(db: Database, keys: Keys, truth: Truth, video: Path, detector, *,
             allowed: Sequence[str] = (A_TO_B,), fps: float = 5.0,
             settings: EventSettings | None = None, camera_id: str = CAMERA
             ) -> dict[str, Any]:
    """Run the event pipeline on `video` (its first frame at `T0`) and compare its
    `contresens` alerts with the ground truth, for each allowed direction.

    `camera_id` must exist in the registry; a basis for it (``contresens`` only) covering the
    video is recorded at a fixed time, and the pipeline's clock stays at `T0`."""
    end = T0 + timedelta(seconds=max(truth.starts, default=0) + truth.interval_s)
    basis = EventBases(db, keys).add(
        text="loi 2023-380 art. 10 ; décret 2023-828 (évaluation sur vtest.avi)",
        decision="évaluation hors production", cameras=camera_id,
        start=T0 - timedelta(minutes=1), end=end + timedelta(minutes=1),
        events=f"{CONTRESENS},{ZONE}", actor=Actor.system("analytics"),
        now=T0 - timedelta(minutes=2))
    pipe = EventPipeline(db, keys, camera_id, layout=layout_for(truth, allowed),
                         settings=settings, clock=lambda: T0)
    pipe.start(T0)
    state = pipe.run_source(str(video), detector, fps=fps, realtime=False, start=T0)
    span = max(truth.starts, default=0) + truth.interval_s
    out: dict[str, Any] = {"basis": basis.id, "stopped_by": state.stopped_by,
                           "alerts": len(state.alerts), "per_allowed": {}}
    for a in allowed:
        raised: dict[tuple[int, str], int] = {}
        suffix = f":{a}"
        for al in state.alerts:
            if al.type != CONTRESENS or not (al.zone or "").endswith(suffix):
                continue
            t = (al.ts - T0).total_seconds()
            if not 0 <= t < span:
                continue
            line = al.zone[len(CONTRESENS) + 1:-len(suffix)]
            key = (int(t // truth.interval_s) * truth.interval_s, line)
            raised[key] = raised.get(key, 0) + 1
        out["per_allowed"][a] = compare(expected(truth, a), raised)
    entries = {(start, line): n for (start, line, d), n in truth.counts.items()
               if ZONE_ENTRY.get(line) == d}
    raised = {}
    for al in state.alerts:
        t = (al.ts - T0).total_seconds()
        if al.type == ZONE and al.zone and 0 <= t < span:
            key = (int(t // truth.interval_s) * truth.interval_s, al.zone[len(ZONE) + 1:])
            raised[key] = raised.get(key, 0) + 1
    out[ZONE] = compare(entries, raised)
    return out
