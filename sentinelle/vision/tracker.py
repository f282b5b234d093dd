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
        ages: list[float] = []
        live: list[_Track] = []
        for t in self._tracks:
            age = (ts - t.last_seen).total_seconds()
            if age <= self.max_lost_s:
                live.append(t)
                ages.append(age)
        self._tracks = live
        ids = np.full(len(dets), -1, dtype=np.int64)
        if len(dets) and live:
            self._match(dets, ids, ages)
        for d in np.flatnonzero((ids == -1) & (dets.scores >= self.high)):
            t = _Track(id=self._next_id, cls=int(dets.classes[d]), box=dets.boxes[d].copy(),
                       velocity=np.zeros(4, np.float32), last_seen=ts)
            self._next_id += 1
            self._tracks.append(t)
            ids[d] = t.id
        return dets.with_tracks(ids)

    def _match(self, dets: Detections, ids: NDArray[np.int64], ages: list[float]) -> None:
        """Continue the live tracks with the detections (writes their ids into `ids`).

        All the tracks' predicted boxes are computed in one go (the last box moved by the last
        velocity for the frames since, at most five) and one IoU matrix serves both rounds: a
        detection and a track of different classes get an IoU of 0, below `min_iou`, so
        matching all classes in one assignment matches each class with its own tracks only."""
        ts, period = dets.ts, self._period_s
        tracks = self._tracks
        factor = np.array([min(a / period if period > 0 else 0.0, 5.0) for a in ages],
                          dtype=np.float32)[:, None]
        t_boxes = np.stack([t.box for t in tracks])
        t_vel = np.stack([t.velocity for t in tracks])
        pred = (t_boxes + t_vel * factor).astype(np.float32)
        t_cls = np.array([t.cls for t in tracks], dtype=dets.classes.dtype)
        iou_all = iou_matrix(dets.boxes, pred, dets.classes, t_cls)
        matched = np.zeros(len(tracks), dtype=bool)
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
            d_sel = idx[rows[ok]]
            t_sel = free[cols[ok]].tolist()
            steps = np.array([max(ages[i] / period, 1.0) for i in t_sel],
                             dtype=np.float32)[:, None]
            new_boxes = dets.boxes[d_sel]
            v = (new_boxes - t_boxes[t_sel]) / steps
            velocity = 0.5 * t_vel[t_sel] + 0.5 * v
            for j, (i, d) in enumerate(zip(t_sel, d_sel.tolist(), strict=True)):
                t = tracks[i]
                t.velocity, t.box = velocity[j], new_boxes[j]
                t.last_seen, t.hits = ts, t.hits + 1
                ids[d] = t.id
                matched[i] = True
