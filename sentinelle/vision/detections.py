"""`Detections`: what the detector finds in one frame, and what every later step passes on.

Boxes are in normalised image coordinates (0–1, x to the right, y down) so that they compare
directly with masks, zones and counting lines. Only four classes are kept, each a group of COCO
classes; nothing about a person beyond its box is ever produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

#: The classes Sentinelle keeps, in index order.
CLASS_NAMES: tuple[str, ...] = ("person", "bicycle", "motor_vehicle", "bag")

#: COCO class index (YOLOX order) → our class index.
COCO_TO_CLASS: dict[int, int] = {
    0: 0,   # person
    1: 1,   # bicycle
    2: 2,   # car
    3: 2,   # motorcycle
    5: 2,   # bus
    7: 2,   # truck
    24: 3,  # backpack
    26: 3,  # handbag
    28: 3,  # suitcase
}


def _f32(n: int, cols: int | None = None) -> NDArray[np.float32]:
    return np.zeros((n, cols) if cols else (n,), dtype=np.float32)


@dataclass(frozen=True, eq=False)
class Detections:
    """The objects found in one frame of one camera.

    Attributes
    ----------
    camera_id, ts
        Which camera, when (timezone-aware).
    boxes
        ``(N, 4)`` float32 ``x1, y1, x2, y2`` in normalised image coordinates.
    scores
        ``(N,)`` float32 confidence.
    classes
        ``(N,)`` int8 index into `CLASS_NAMES`.
    track_ids
        ``(N,)`` int64 track id within this camera (-1: not tracked yet).
    """

    camera_id: str
    ts: datetime
    boxes: NDArray[np.float32] = field(default_factory=lambda: _f32(0, 4))
    scores: NDArray[np.float32] = field(default_factory=lambda: _f32(0))
    classes: NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, np.int8))
    track_ids: NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        n = len(self.boxes)
        if self.boxes.shape != (n, 4) or len(self.scores) != n or len(self.classes) != n:
            raise ValueError("boxes, scores and classes must describe the same N objects")
        if self.track_ids is not None and len(self.track_ids) != n:
            raise ValueError("track_ids must have one id per box")
        if self.ts.tzinfo is None:
            raise ValueError("Detections.ts must be timezone-aware")

    def __len__(self) -> int:
        return len(self.boxes)

    @property
    def class_names(self) -> list[str]:
        return [CLASS_NAMES[c] for c in self.classes]

    def feet(self) -> NDArray[np.float32]:
        """``(N, 2)`` bottom-centre point of each box (where a person stands)."""
        b = self.boxes
        return np.stack([(b[:, 0] + b[:, 2]) / 2, b[:, 3]], axis=1)

    def select(self, keep: NDArray[np.bool_] | NDArray[np.intp]) -> Detections:
        """A copy with only the objects `keep` picks."""
        return replace(
            self, boxes=self.boxes[keep], scores=self.scores[keep], classes=self.classes[keep],
            track_ids=None if self.track_ids is None else self.track_ids[keep])

    def with_tracks(self, track_ids: NDArray[np.int64]) -> Detections:
        return replace(self, track_ids=np.asarray(track_ids, dtype=np.int64))

    def __repr__(self) -> str:  # never dumps arrays into logs
        return f"Detections(camera_id={self.camera_id!r}, ts={self.ts.isoformat()}, n={len(self)})"


def iou_matrix(a: NDArray[np.float32], b: NDArray[np.float32],
               classes_a: NDArray[np.integer] | None = None,
               classes_b: NDArray[np.integer] | None = None) -> NDArray[np.float32]:
    """Intersection over union of every box of `a` with every box of `b` (``x1 y1 x2 y2``).

    With the boxes' classes, two boxes of different classes get 0 (they never match nor
    suppress each other)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)  # np.clip: slower, same values
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    iou = np.where(union > 0, inter / np.maximum(union, 1e-12), 0).astype(np.float32)
    if classes_a is not None and classes_b is not None:
        iou[classes_a[:, None] != classes_b[None, :]] = 0
    return iou
