"""A cheap motion gate: frame differencing on a small grey image.

Each frame is reduced to a grey thumbnail about 80 pixels wide (plain sub-sampling, no copy of
the full frame) and compared with the previous one. The gate opens when more than
`min_fraction` of the thumbnail changed by more than `threshold` grey levels, and stays open for
`hangover_s` after the last motion so that people slowing down are still tracked. A static scene
then costs the decoder and this comparison only, never the detector.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from numpy.typing import NDArray


class MotionGate:
    """Says for each frame whether it is worth running the detector on."""

    def __init__(self, *, threshold: int = 20, min_fraction: float = 0.002,
                 hangover_s: float = 2.0, width: int = 80) -> None:
        self.threshold = threshold
        self.min_fraction = min_fraction
        self.hangover_s = hangover_s
        self.width = width
        self._prev: NDArray[np.int16] | None = None
        self._last_motion: datetime | None = None
        self.frames = 0
        self.opened = 0

    def thumbnail(self, grey: NDArray[np.uint8]) -> NDArray[np.int16]:
        """A grey plane sub-sampled to about `width` pixels wide."""
        step = max(1, grey.shape[1] // self.width)
        return grey[::step, ::step].astype(np.int16)

    def __call__(self, grey: NDArray[np.uint8], ts: datetime) -> bool:
        """Whether to run the detector on this frame, given one ``H×W`` plane of it (the
        pipeline passes the green plane: cheap and close to luminance)."""
        self.frames += 1
        thumb = self.thumbnail(grey)
        prev, self._prev = self._prev, thumb
        if prev is None or prev.shape != thumb.shape:
            moving = True
        else:
            changed = np.count_nonzero(np.abs(thumb - prev) > self.threshold)
            moving = changed > self.min_fraction * thumb.size
        if moving:
            self._last_motion = ts
        open_ = moving or (self._last_motion is not None and
                           (ts - self._last_motion).total_seconds() <= self.hangover_s)
        self.opened += int(open_)
        return open_
