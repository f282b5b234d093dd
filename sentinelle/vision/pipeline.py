"""One camera's analysis: masked frames → motion gate → detector → tracker → counter.

`Pipeline.process` takes one masked `Frame` and returns its tracked `Detections` (or None when
the motion gate kept the detector idle); `Pipeline.run` reads a source with `read_frames` (the
masks are filled there, before anything else sees the pixels), stops at `stop_at` or when
`stop` is set, and hands each completed bucket of counts to `on_counts`. Frames and detections
stay in memory and are dropped as soon as they are counted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sentinelle.vision.counting import DEFAULT_BUCKET_S, Count, Counter, Line, Zone
from sentinelle.vision.detections import Detections
from sentinelle.vision.detector import Detector
from sentinelle.vision.frames import DEFAULT_FPS, DEFAULT_MAX_SIDE, Frame, Polygon, read_frames
from sentinelle.vision.motion import MotionGate
from sentinelle.vision.tracker import Tracker


@dataclass(frozen=True)
class PipelineConfig:
    """How one camera is analysed."""

    fps: float = DEFAULT_FPS
    max_side: int = DEFAULT_MAX_SIDE
    motion_gate: bool = True
    bucket_s: int = DEFAULT_BUCKET_S
    decode_threads: int = 1  # `read_frames`: 1 costs the least CPU per frame, 0 = FFmpeg's choice


@dataclass
class PipelineStats:
    frames: int = 0
    detected: int = 0
    stopped_by: str | None = None


class Pipeline:
    """The analysis of one camera (its tracker and counter are its own)."""

    def __init__(self, camera_id: str, detector: Detector, *, zones: Sequence[Zone] = (),
                 lines: Sequence[Line] = (), masks: Sequence[Polygon] = (),
                 config: PipelineConfig | None = None) -> None:
        self.camera_id = camera_id
        self.detector = detector
        self.masks = list(masks)
        self.config = config or PipelineConfig()
        self.gate = MotionGate() if self.config.motion_gate else None
        self.tracker = Tracker(camera_id)
        self.counter = Counter(zones, lines, bucket_s=self.config.bucket_s)
        self.stats = PipelineStats()

    def process(self, frame: Frame) -> Detections | None:
        """Analyse one masked frame; None when the motion gate skipped the detector."""
        if frame.camera_id != self.camera_id:
            raise ValueError(f"pipeline of {self.camera_id!r} got a frame of {frame.camera_id!r}")
        self.stats.frames += 1
        if self.gate is not None and not self.gate(frame.image, frame.ts):
            return None
        self.stats.detected += 1
        dets = self.detector.detect(frame.image, self.camera_id, frame.ts)
        return self.counter.update(self.tracker.update(dets))

    def frames(self, source: str, *, start: datetime | None = None,
               realtime: bool | None = None) -> Iterator[Frame]:
        """The masked frames of `source` as this pipeline analyses them."""
        return read_frames(source, self.camera_id, self.masks, fps=self.config.fps,
                           max_side=self.config.max_side, start=start, realtime=realtime,
                           decode_threads=self.config.decode_threads)

    def step(self, frame: Frame) -> list[Count]:
        """Analyse one frame; returns the counts of the buckets it completed."""
        ts = frame.ts
        self.process(frame)
        return self.counter.flush(before=ts)

    def run(self, source: str, *, start: datetime | None = None,
            stop_at: datetime | None = None, stop: threading.Event | None = None,
            on_counts: Callable[[list[Count]], None] | None = None,
            realtime: bool | None = None, now: Callable[[], datetime] | None = None,
            ) -> list[Count]:
        """Analyse `source` until its end, `stop_at` or `stop`; returns the counts not handed
        to `on_counts` (all of them without it).

        `stop_at` is checked against the frame time and against the wall clock (`now`), so
        that nothing is analysed past a legal basis's end even on a stream that lags.
        """
        clock = now or (lambda: datetime.now(UTC))
        kept: list[Count] = []

        def hand(counts: list[Count]) -> None:
            if not counts:
                return
            if on_counts is None:
                kept.extend(counts)
            else:
                on_counts(counts)

        frames = self.frames(source, start=start, realtime=realtime)
        try:
            for frame in frames:
                if stop is not None and stop.is_set():
                    self.stats.stopped_by = "stop"
                    break
                if stop_at is not None and (frame.ts >= stop_at or clock() >= stop_at):
                    self.stats.stopped_by = "end_date"
                    break
                counts = self.step(frame)
                del frame
                hand(counts)
        finally:
            frames.close()
        hand(self.counter.flush())
        return kept
