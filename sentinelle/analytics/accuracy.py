"""Counting accuracy against a hand-made ground truth (people crossing lines, per interval).

The ground truth is a JSON file::

    {"video": "...", "interval_s": 10,
     "lines": [{"name": "ouest", "points": [[0.30, 0.28], [0.30, 0.62]]}, ...],
     "counts": [{"start_s": 0, "line": "ouest", "a_to_b": 1, "b_to_a": 0}, ...]}

`evaluate` runs the pipeline (every frame analysed or motion-gated, as configured) on the video
with those lines, persons only, and compares the counts per interval, line and direction: the
mean absolute error (MAE) over all (interval, line, direction) cells and the totals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sentinelle.errors import InputError
from sentinelle.vision.counting import A_TO_B, B_TO_A, Line
from sentinelle.vision.detector import Detector
from sentinelle.vision.pipeline import Pipeline, PipelineConfig

#: Video time 0 is mapped to this instant (aligned on every bucket length).
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Truth:
    interval_s: int
    lines: list[Line]
    counts: dict[tuple[int, str, str], int]  # (start_s, line, direction) → people

    @property
    def starts(self) -> list[int]:
        return sorted({k[0] for k in self.counts})


def load_truth(path: Path) -> Truth:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        interval = int(data["interval_s"])
        lines = [Line(ln["name"], tuple((float(x), float(y)) for x, y in ln["points"]))
                 for ln in data["lines"]]
        counts: dict[tuple[int, str, str], int] = {}
        for i, c in enumerate(data["counts"]):
            for d in (A_TO_B, B_TO_A):
                counts[(int(c["start_s"]), c["line"], d)] = int(c[d])
            if c["line"] not in {ln.name for ln in lines}:
                raise InputError(f"{path}: counts[{i}] names an unknown line {c['line']!r}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a ground truth file ({exc})") from None
    return Truth(interval, lines, counts)


def evaluate(truth: Truth, video: Path, detector: Detector, *,
             config: PipelineConfig | None = None) -> dict[str, Any]:
    """Count `video` with the truth's lines and compare, per interval, line and direction."""
    cfg = config or PipelineConfig(bucket_s=truth.interval_s)
    if cfg.bucket_s != truth.interval_s:
        raise InputError("the pipeline's bucket must equal the ground truth's interval")
    pipe = Pipeline("groundtruth", detector, lines=truth.lines, config=cfg)
    got: dict[tuple[int, str, str], int] = {}
    for c in pipe.run(str(video), start=T0, realtime=False):
        if c.cls != "person" or c.line is None or c.direction is None:
            continue
        key = (int((c.start - T0).total_seconds()), c.line, c.direction)
        got[key] = got.get(key, 0) + c.count
    rows = []
    for key in sorted(truth.counts):
        rows.append({"start_s": key[0], "line": key[1], "direction": key[2],
                     "truth": truth.counts[key], "counted": got.get(key, 0)})
    errors = [abs(r["truth"] - r["counted"]) for r in rows]
    return {
        "cells": len(rows),
        "mae": sum(errors) / len(errors) if errors else 0.0,
        "truth_total": sum(r["truth"] for r in rows),
        "counted_total": sum(r["counted"] for r in rows),
        "frames": pipe.stats.frames, "detected": pipe.stats.detected,
        "rows": rows,
    }
