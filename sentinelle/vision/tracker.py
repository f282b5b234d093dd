"""Track ids within one camera, IoU matching in the ByteTrack manner.

High-confidence detections are matched first to the live tracks (Hungarian assignment on IoU
with each track's box moved by its last velocity), then low-confidence ones to the tracks left,
so that a person briefly detected with a low score keeps its id. Unmatched high-confidence
detections open new tracks; tracks unseen for `max_lost_s` are dropped. Matching is per class.

A `Tracker` belongs to one camera: it refuses detections of another one, and ids are numbers
local to it. Nothing links a track to another camera, another day or anything about a person.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from sentinelle.vision.detections import Detections, iou_matrix

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def _micros(ts: datetime) -> int:
    """`ts` in whole microseconds since the epoch: differences of these, divided by 10⁶, are
    exactly `timedelta.total_seconds()`."""
    return (ts - _EPOCH) // _US


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

    The live tracks are held as arrays, one row per track in the order they were opened (ids,
    classes, last boxes, velocities, when last seen): a frame's work is a few array operations
    whatever the number of tracks.
    """

    def __init__(self, camera_id: str, *, high: float = 0.5, low: float = 0.3,
                 min_iou: float = 0.2, max_lost_s: float = 2.0) -> None:
        self.camera_id = camera_id
        self.high, self.low, self.min_iou, self.max_lost_s = high, low, min_iou, max_lost_s
        self._ids = np.zeros(0, np.int64)
        self._cls = np.zeros(0, np.int8)
        self._boxes = np.zeros((0, 4), np.float32)
        self._vel = np.zeros((0, 4), np.float32)
        self._seen = np.zeros(0, np.int64)  # microseconds since the epoch
        self._next_id = 1
        self._last_ts: datetime | None = None
        self._period_s = 0.2

    @property
    def live_tracks(self) -> int:
        return len(self._ids)

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
        now = _micros(ts)
        if len(self._ids):
            ages = (now - self._seen) / 1_000_000
            live = ages <= self.max_lost_s
            if not live.all():
                self._ids, self._cls, self._boxes, self._vel, self._seen = (
                    self._ids[live], self._cls[live], self._boxes[live], self._vel[live],
                    self._seen[live])
                ages = ages[live]
        ids = np.full(len(dets), -1, dtype=np.int64)
        if len(dets) and len(self._ids):
            self._match(dets, ids, ages, now)
        new = np.flatnonzero((ids == -1) & (dets.scores >= self.high))
        if len(new):
            ids[new] = np.arange(self._next_id, self._next_id + len(new))
            self._next_id += len(new)
            self._ids = np.concatenate([self._ids, ids[new]])
            self._cls = np.concatenate([self._cls, dets.classes[new].astype(np.int8)])
            self._boxes = np.concatenate([self._boxes, dets.boxes[new]])
            self._vel = np.concatenate([self._vel, np.zeros((len(new), 4), np.float32)])
            self._seen = np.concatenate([self._seen, np.full(len(new), now, np.int64)])
        return dets.with_tracks(ids)

    def _match(self, dets: Detections, ids: NDArray[np.int64], ages: NDArray[np.float64],
               now: int) -> None:
        """Continue the live tracks with the detections (writes their ids into `ids`).

        The tracks' predicted boxes are their last boxes moved by their last velocities for
        the frames since (at most five), and one IoU matrix serves both rounds: a detection
        and a track of different classes get an IoU of 0, below `min_iou`, so matching all
        classes in one assignment matches each class with its own tracks only."""
        period = self._period_s
        factor = (np.minimum(ages / period, 5.0) if period > 0 else np.zeros_like(ages)
                  ).astype(np.float32)[:, None]
        pred = (self._boxes + self._vel * factor).astype(np.float32)
        iou_all = iou_matrix(dets.boxes, pred, dets.classes, self._cls)
        matched = np.zeros(len(self._ids), dtype=bool)
        high = dets.scores >= self.high
        for band in (high, ~high):
            idx = np.flatnonzero(band)
            free = np.flatnonzero(~matched)
            if len(idx) == 0 or len(free) == 0:
                continue
            iou = iou_all[idx][:, free]
            rows, cols = linear_sum_assignment(-iou)
            ok = iou[rows, cols] >= self.min_iou
            if not ok.any():
                continue
            d_sel, t_sel = idx[rows[ok]], free[cols[ok]]
            steps = np.maximum(ages[t_sel] / period, 1.0).astype(np.float32)[:, None]
            new_boxes = dets.boxes[d_sel]
            v = (new_boxes - self._boxes[t_sel]) / steps
            self._vel[t_sel] = 0.5 * self._vel[t_sel] + 0.5 * v
            self._boxes[t_sel] = new_boxes
            self._seen[t_sel] = now
            ids[d_sel] = self._ids[t_sel]
            matched[t_sel] = True
