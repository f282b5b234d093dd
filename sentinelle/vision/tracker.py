"""Track ids within one camera, IoU matching in the ByteTrack manner.

High-confidence detections are matched first to the live tracks (Hungarian assignment on IoU
with each track's box moved by its last velocity), then low-confidence ones to the tracks left,
so that a person briefly detected with a low score keeps its id. Unmatched high-confidence
detections open new tracks; tracks unseen for `max_lost_s` are dropped. Matching is per class.

A `Tracker` belongs to one camera: it refuses detections of another one, and ids are numbers
local to it. Nothing links a track to another camera, another day or anything about a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from sentinelle.vision.detections import Detections, iou_matrix


@dataclass
class _Track:
    id: int
    cls: int
    box: NDArray[np.float32]
    velocity: NDArray[np.float32]
    last_seen: datetime
    hits: int = 1

    def predicted(self, ts: datetime, period_s: float) -> NDArray[np.float32]:
        steps = (ts - self.last_seen).total_seconds() / period_s if period_s > 0 else 0.0
        return self.box + self.velocity * min(steps, 5.0)


class Tracker:
    """IoU/ByteTrack-style tracker of one camera.

    Parameters
    ----------
    camera_id
        The only camera whose detections it accepts.
    high, low
        Score thresholds of the first and second matching rounds.
    min_iou
        Least overlap of a detection with a track's predicted box to continue it.
    max_lost_s
        A track unseen this long is dropped.
    """

    def __init__(self, camera_id: str, *, high: float = 0.5, low: float = 0.3,
                 min_iou: float = 0.2, max_lost_s: float = 2.0) -> None:
        self.camera_id = camera_id
        self.high, self.low, self.min_iou, self.max_lost_s = high, low, min_iou, max_lost_s
        self._tracks: list[_Track] = []
        self._next_id = 1
        self._last_ts: datetime | None = None
        self._period_s = 0.2

    @property
    def live_tracks(self) -> int:
        return len(self._tracks)

    def update(self, dets: Detections) -> Detections:
        """Give each detection a track id (-1 for a low-confidence one that matched nothing)."""
        if dets.camera_id != self.camera_id:
            raise ValueError(f"tracker of camera {self.camera_id!r} got detections of "
                             f"{dets.camera_id!r}: tracks never cross cameras")
        ts = dets.ts
        if self._last_ts is not None:
            dt = (ts - self._last_ts).total_seconds()
            if dt > 0:
                self._period_s = 0.7 * self._period_s + 0.3 * dt
        self._last_ts = ts
        self._tracks = [t for t in self._tracks
                        if (ts - t.last_seen).total_seconds() <= self.max_lost_s]
        ids = np.full(len(dets), -1, dtype=np.int64)
        matched_tracks: set[int] = set()
        for cls in np.unique(dets.classes):
            idx_c = np.flatnonzero(dets.classes == cls)
            tracks = [i for i, t in enumerate(self._tracks) if t.cls == cls]
            for band in (dets.scores[idx_c] >= self.high, dets.scores[idx_c] < self.high):
                idx = idx_c[band]
                free = [i for i in tracks if i not in matched_tracks]
                if len(idx) == 0 or not free:
                    continue
                pred = np.stack([self._tracks[i].predicted(ts, self._period_s) for i in free])
                iou = iou_matrix(dets.boxes[idx], pred.astype(np.float32))
                rows, cols = linear_sum_assignment(-iou)
                for r, c in zip(rows, cols, strict=True):
                    if iou[r, c] < self.min_iou:
                        continue
                    t = self._tracks[free[c]]
                    d = idx[r]
                    steps = max((ts - t.last_seen).total_seconds() / self._period_s, 1.0)
                    v = (dets.boxes[d] - t.box) / steps
                    t.velocity = 0.5 * t.velocity + 0.5 * v
                    t.box, t.last_seen, t.hits = dets.boxes[d].copy(), ts, t.hits + 1
                    ids[d] = t.id
                    matched_tracks.add(free[c])
        for d in np.flatnonzero((ids == -1) & (dets.scores >= self.high)):
            t = _Track(id=self._next_id, cls=int(dets.classes[d]), box=dets.boxes[d].copy(),
                       velocity=np.zeros(4, np.float32), last_seen=ts)
            self._next_id += 1
            self._tracks.append(t)
            ids[d] = t.id
        return dets.with_tracks(ids)
