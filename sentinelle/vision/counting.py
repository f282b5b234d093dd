"""Anonymous counts: tracks entering zones and crossing counting lines, per time bucket.

The point counted is the bottom centre of a box (where a person stands). A **zone** counts a
track each time its point enters the polygon (a track first seen inside counts once). A **line**
(a polyline in normalised image coordinates, from its first point to its last) counts a
crossing ``a_to_b`` or ``b_to_a``: walking along the line from its first point, side ``a`` is
on the right hand (image y pointing down), side ``b`` on the left. A side only changes once the
point is more than `band` away from the line, so a track lingering on the line does not count
back and forth.

Only the totals per bucket, zone or line, direction and class leave this module; the per-track
state it keeps in memory holds a point and a side, no image.
"""

from __future__ import annotations

import math
from collections import Counter as _Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from matplotlib.path import Path as _MplPath

from sentinelle.vision.detections import CLASS_NAMES, Detections

A_TO_B = "a_to_b"
B_TO_A = "b_to_a"
DEFAULT_BUCKET_S = 10


@dataclass(frozen=True)
class Zone:
    """A counting zone: a polygon in normalised image coordinates."""

    name: str
    polygon: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Line:
    """A counting line: a polyline in normalised image coordinates (≥ 2 points)."""

    name: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Count:
    """One aggregate: how many `cls` entered `zone` or crossed `line` in `direction` during the
    bucket that starts at `start`."""

    start: datetime
    zone: str | None
    line: str | None
    direction: str | None
    cls: str
    count: int


def bucket_start(ts: datetime, bucket_s: int) -> datetime:
    """The start of the bucket of `bucket_s` seconds (aligned on the epoch) holding `ts`."""
    epoch = int(ts.timestamp())
    return datetime.fromtimestamp(epoch - epoch % bucket_s, UTC)


Point = tuple[float, float]


def _orient(u: Point, v: Point, w: Point) -> float:
    return (v[0] - u[0]) * (w[1] - u[1]) - (v[1] - u[1]) * (w[0] - u[0])


def _crosses(p: Point, q: Point, a: Point, b: Point) -> bool:
    """Whether the segment p→q meets the segment a→b (the line's extent)."""
    return (_orient(a, b, p) * _orient(a, b, q) <= 0) and (_orient(p, q, a) * _orient(p, q, b) <= 0)


def _segment_geometry(a: Point, b: Point) -> tuple[float, float, float, float, float]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    return a[0], a[1], dx, dy, dx * dx + dy * dy or 1e-12


@dataclass
class _TrackState:
    point: Point
    seen: datetime
    inside: dict[str, bool] = field(default_factory=dict)
    # per line: (confirmed side +1 / -1, the point where it was confirmed)
    sides: dict[str, tuple[int, Point]] = field(default_factory=dict)


class Counter:
    """Counts tracked detections of one camera into buckets.

    Parameters
    ----------
    zones, lines
        What to count.
    bucket_s
        Bucket length in seconds (buckets aligned on the epoch).
    band
        Half-width of the dead band around each line, normalised units.
    forget_s
        Per-track state unseen this long is dropped.
    """

    def __init__(self, zones: Sequence[Zone] = (), lines: Sequence[Line] = (), *,
                 bucket_s: int = DEFAULT_BUCKET_S, band: float = 0.01,
                 forget_s: float = 5.0) -> None:
        self.zones = list(zones)
        self.lines = list(lines)
        self.bucket_s = bucket_s
        self.band = band
        self.forget_s = forget_s
        self._paths = {z.name: _MplPath(np.asarray(z.polygon)) for z in self.zones}
        self._segments = {
            ln.name: [(ln.points[i], ln.points[i + 1]) for i in range(len(ln.points) - 1)]
            for ln in self.lines}
        # Per segment: its start, direction and squared length (what `_side` needs).
        self._geometry = {name: [_segment_geometry(a, b) for a, b in segs]
                          for name, segs in self._segments.items()}
        self._tracks: dict[int, _TrackState] = {}
        self._counts: _Counter[tuple[datetime, str | None, str | None, str | None, str]] = (
            _Counter())

    def _side(self, name: str, p: Point) -> tuple[int, float]:
        """Side of `p` relative to the nearest segment of the line, and its distance to it."""
        best: tuple[float, float] | None = None
        px, py = p
        for ax, ay, dx, dy, n2 in self._geometry[name]:
            t = min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / n2))
            dist = math.hypot(ax + t * dx - px, ay + t * dy - py)
            if best is None or dist < best[1]:
                best = (dx * (py - ay) - dy * (px - ax), dist)
        assert best is not None
        return (1 if best[0] > 0 else -1), best[1]

    def update(self, dets: Detections) -> Detections:
        """Count the tracked detections of one frame; returns them unchanged."""
        if dets.track_ids is None:
            raise ValueError("counting needs tracked detections (run the tracker first)")
        ts = dets.ts
        bucket = bucket_start(ts, self.bucket_s)
        feet = dets.feet().tolist()
        # Plain Python ints and floats from here on: indexing numpy arrays item by item is
        # slower than the arithmetic itself.
        classes = dets.classes.tolist()
        for i, tid in enumerate(dets.track_ids.tolist()):
            if tid < 0:
                continue
            cls = CLASS_NAMES[classes[i]]
            p = (feet[i][0], feet[i][1])
            st = self._tracks.get(tid)
            if st is None:
                st = self._tracks[tid] = _TrackState(point=p, seen=ts)
            for name, path in self._paths.items():
                inside = bool(path.contains_point(p))
                if inside and not st.inside.get(name, False):
                    self._counts[(bucket, name, None, None, cls)] += 1
                st.inside[name] = inside
            for name, segs in self._segments.items():
                side, dist = self._side(name, p)
                if dist <= self.band:
                    continue
                prev = st.sides.get(name)
                if prev is not None and prev[0] != side and any(
                        _crosses(prev[1], p, a, b) for a, b in segs):
                    direction = A_TO_B if prev[0] > 0 else B_TO_A
                    self._counts[(bucket, None, name, direction, cls)] += 1
                st.sides[name] = (side, p)
            st.point, st.seen = p, ts
        stale = [t for t, s in self._tracks.items()
                 if (ts - s.seen).total_seconds() > self.forget_s]
        for t in stale:
            del self._tracks[t]
        return dets

    def flush(self, before: datetime | None = None) -> list[Count]:
        """Hand over (and forget) the counts of the buckets that end at or before `before`
        (all buckets when None)."""
        out = []
        for key in sorted(self._counts, key=lambda k: (k[0], str(k[1]), str(k[2]), str(k[3]),
                                                        k[4])):
            start, zone, line, direction, cls = key
            if before is not None and start + timedelta(seconds=self.bucket_s) > before:
                continue
            out.append(Count(start, zone, line, direction, cls, self._counts.pop(key)))
        return out
