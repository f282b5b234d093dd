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

from collections import Counter as _Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from matplotlib.path import Path as _MplPath
from numpy.typing import NDArray

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
        # Per segment: its start, direction and squared length (what `_sides` needs).
        self._geometry = {name: [_segment_geometry(a, b) for a, b in segs]
                          for name, segs in self._segments.items()}
        self._tracks: dict[int, _TrackState] = {}
        self._counts: _Counter[tuple[datetime, str | None, str | None, str | None, str]] = (
            _Counter())

    def _sides(self, name: str, points: NDArray[np.float64]
               ) -> tuple[NDArray[np.int8], NDArray[np.float64]]:
        """Side (+1 / -1) of each point relative to the nearest segment of the line (the
        first one on a tie), and its distance to that segment."""
        px, py = points[:, 0], points[:, 1]
        best_dist = np.full(len(points), np.inf)
        best_cross = np.zeros(len(points))
        for ax, ay, dx, dy, n2 in self._geometry[name]:
            t = np.minimum(1.0, np.maximum(0.0, ((px - ax) * dx + (py - ay) * dy) / n2))
            dist = np.hypot(ax + t * dx - px, ay + t * dy - py)
            nearer = dist < best_dist
            best_dist = np.where(nearer, dist, best_dist)
            best_cross = np.where(nearer, dx * (py - ay) - dy * (px - ax), best_cross)
        return np.where(best_cross > 0, 1, -1).astype(np.int8), best_dist

    def update(self, dets: Detections) -> Detections:
        """Count the tracked detections of one frame; returns them unchanged."""
        self.update_batch([dets])
        return dets

    def update_batch(self, frames: Sequence[Detections]) -> None:
        """Count the tracked detections of several frames, in time order: the same as
        `update` on each in turn, with the geometry (zone membership, side of and distance
        to each line) of all their points computed at once."""
        for dets in frames:
            if dets.track_ids is None:
                raise ValueError("counting needs tracked detections (run the tracker first)")
        tracked = [np.flatnonzero(d.track_ids >= 0) for d in frames]
        points = np.concatenate([d.feet()[i] for d, i in zip(frames, tracked, strict=True)]
                                ).astype(np.float64) if frames else np.zeros((0, 2))
        # Plain Python ints, floats and bools from here on: indexing numpy arrays item by
        # item is slower than the arithmetic itself.
        inside = {name: path.contains_points(points).tolist() if len(points) else []
                  for name, path in self._paths.items()}
        sides = {}
        for name in self._segments:
            side, dist = self._sides(name, points)
            sides[name] = (side.tolist(), (dist > self.band).tolist())
        xy = points.tolist()
        row = 0
        for dets, idx in zip(frames, tracked, strict=True):
            ts = dets.ts
            bucket = bucket_start(ts, self.bucket_s)
            tids, classes = dets.track_ids[idx].tolist(), dets.classes[idx].tolist()
            for tid, c in zip(tids, classes, strict=True):
                cls = CLASS_NAMES[c]
                p = (xy[row][0], xy[row][1])
                st = self._tracks.get(tid)
                if st is None:
                    st = self._tracks[tid] = _TrackState(seen=ts)
                for name, flags in inside.items():
                    now_in = flags[row]
                    if now_in and not st.inside.get(name, False):
                        self._counts[(bucket, name, None, None, cls)] += 1
                    st.inside[name] = now_in
                for name, (side_of, off_band) in sides.items():
                    if not off_band[row]:
                        continue
                    side = side_of[row]
                    prev = st.sides.get(name)
                    if prev is not None and prev[0] != side and any(
                            _crosses(prev[1], p, a, b) for a, b in self._segments[name]):
                        direction = A_TO_B if prev[0] > 0 else B_TO_A
                        self._counts[(bucket, None, name, direction, cls)] += 1
                    st.sides[name] = (side, p)
                st.seen = ts
                row += 1
            stale = [t for t, s in self._tracks.items()
                     if (ts - s.seen).total_seconds() > self.forget_s]
            for t in stale:
                del self._tracks[t]

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
