"""One camera's analysis: masked frames → motion gate → detector → tracker → counter.

`Pipeline.process_batch` takes masked `Frame`s in time order and returns their tracked
`Detections` (None for a frame the motion gate kept from the detector); `Pipeline.run` reads a
source with `read_frames` (the masks are filled there, before anything else sees the pixels),
analyses it `config.batch` frames at a time, stops at `stop_at` or when `stop` is set, and hands
each completed bucket of counts to `on_counts`. Frames and detections stay in memory and are
dropped as soon as they are counted.

A batch is analysed stage by stage — decode every frame, then the model on each frame back to
back, then the boxes of the whole batch decoded as one array, tracking, and counting with the
geometry of all the batch's points computed at once — rather than frame by frame: the model's
working set evicts everything else from the processor's caches, and interleaving the stages made
every step after it run cold (about 10 % of the model's cost per frame, measured in
bench/analytics_pipeline.py), while numpy's fixed cost per call is paid once per batch instead
of once per frame. Results are the same as one frame at a time; only the latency grows, by one
batch (4 s at 5 frames/s), which counts per 10-s bucket do not notice.
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
    batch: int = 20  # frames analysed stage by stage together (see the module's docstring)

    def __post_init__(self) -> None:
        if self.batch < 1:
            raise ValueError(f"batch must be at least 1 frame, got {self.batch}")


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
        return self.process_batch([frame])[0]

    def process_batch(self, frames: Sequence[Frame]) -> list[Detections | None]:
        """Analyse masked frames in time order, stage by stage: the motion gate on each, the
        model on each frame it lets through (back to back), box decoding of those frames as
        one array (NMS frame by frame), tracking frame by frame, then counting of the whole
        batch (geometry of all points at once). One result per frame
        (None where the gate said no)."""
        for frame in frames:
            if frame.camera_id != self.camera_id:
                raise ValueError(f"pipeline of {self.camera_id!r} got a frame of "
                                 f"{frame.camera_id!r}")
        picked = [i for i, f in enumerate(frames)
                  if self.gate is None or self.gate(f.planes[1], f.ts)]  # green as grey
        self.stats.frames += len(frames)
        self.stats.detected += len(picked)
        ran = [self.detector.run_planes(frames[i].planes) for i in picked]
        decoded = self.detector.decode_batch(ran, self.camera_id, [frames[i].ts for i in picked])
        tracked = [self.tracker.update(dets) for dets in decoded]
        self.counter.update_batch(tracked)
        results: list[Detections | None] = [None] * len(frames)
        for i, dets in zip(picked, tracked, strict=True):
            results[i] = dets
        return results

    def frames(self, source: str, *, start: datetime | None = None,
               realtime: bool | None = None) -> Iterator[Frame]:
        """The masked frames of `source` as this pipeline analyses them."""
        return read_frames(source, self.camera_id, self.masks, fps=self.config.fps,
                           max_side=self.config.max_side, start=start, realtime=realtime,
                           decode_threads=self.config.decode_threads)

    def step(self, frames: Sequence[Frame]) -> list[Count]:
        """Analyse a batch of frames; returns the counts of the buckets it completed."""
        if not frames:
            return []
        self.process_batch(frames)
        return self.counter.flush(before=frames[-1].ts)

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
        batch: list[Frame] = []
        try:
            for frame in frames:
                if stop is not None and stop.is_set():
                    self.stats.stopped_by = "stop"
                    break
                if stop_at is not None and (frame.ts >= stop_at or clock() >= stop_at):
                    self.stats.stopped_by = "end_date"
                    break
                batch.append(frame)
                del frame
                if len(batch) >= self.config.batch:
                    hand(self.step(batch))
                    batch.clear()
        finally:
            frames.close()
        # The frames read before a stop are analysed, unless the legal basis has ended since.
        if batch and not (stop_at is not None and clock() >= stop_at):
            hand(self.step(batch))
        batch.clear()
        hand(self.counter.flush())
        return kept
