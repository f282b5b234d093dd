"""Frames from a stream or a file, at a chosen rate, with the privacy masks already filled.

`read_frames` is the only way the analysis gets pixels: it decodes with PyAV, scales each kept
frame down to the analysis size with the decoder's own scaler, fills every mask polygon and
only then yields the frame. No other code sees an unmasked image. Frames live in memory only:
nothing here writes a file, and a `Frame`'s repr never shows its pixels.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from sentinelle.errors import InputError
from sentinelle.vision.geometry import mask_raster

#: A polygon in normalised image coordinates: ``[(x, y), ...]`` with 0 ≤ x, y ≤ 1.
Polygon = Sequence[tuple[float, float]]
DEFAULT_FPS = 5.0
DEFAULT_MAX_SIDE = 416  # YOLOX-Nano's input: larger frames would only be scaled down again
MASK_FILL = 0


#: A frame's pixels as three ``H×W`` uint8 planes, in the order B, G, R.
Planes = tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8]]


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded, masked frame of one camera.

    Its pixels are three planes, B, G and R (`planes`, each ``H×W`` uint8: what the scaler
    wrote, masks filled, no copy): the detector casts its input from them and the motion gate
    reads the green one. `image` is the usual ``H×W×3`` BGR array, made at its first use.
    """

    camera_id: str
    ts: datetime
    planes: Planes

    @cached_property
    def image(self) -> NDArray[np.uint8]:
        """The frame as one ``H×W×3`` BGR array (a copy of the planes, made once)."""
        return np.stack(self.planes, axis=2)

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)``."""
        h, w = self.planes[0].shape
        return int(h), int(w)

    def __repr__(self) -> str:
        h, w = self.shape
        return f"Frame(camera_id={self.camera_id!r}, ts={self.ts.isoformat()}, {w}x{h})"


def check_polygons(masks: Sequence[Polygon], what: str = "mask") -> list[list[tuple[float, float]]]:
    """Masks as lists of float points, each checked (≥ 3 points, coordinates within 0–1)."""
    out = []
    for i, poly in enumerate(masks):
        pts = [(float(x), float(y)) for x, y in poly]
        if len(pts) < 3:
            raise InputError(f"{what} {i}: a polygon needs at least 3 points, got {len(pts)}")
        for x, y in pts:
            if not (0 <= x <= 1 and 0 <= y <= 1):
                raise InputError(f"{what} {i}: point ({x}, {y}) outside the normalised image "
                                 "(coordinates must be within 0–1)")
        out.append(pts)
    return out


class Masker:
    """Fills the masks on the planes of frames of any size: exactly the pixels of
    `geometry.apply_masks` (every pixel a polygon touches), but only the masks' bounding
    rectangle is visited, its raster computed once per frame size."""

    def __init__(self, masks: Sequence[Polygon]) -> None:
        self.masks = check_polygons(masks)
        self._boxes: dict[tuple[int, int], tuple[slice, slice, NDArray[np.bool_]] | None] = {}

    def _box(self, shape: tuple[int, int]) -> tuple[slice, slice, NDArray[np.bool_]] | None:
        if shape not in self._boxes:
            raster = mask_raster(shape, self.masks)
            rows, cols = np.flatnonzero(raster.any(axis=1)), np.flatnonzero(raster.any(axis=0))
            if not len(rows):
                self._boxes[shape] = None
            else:
                ys, xs = slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
                self._boxes[shape] = (ys, xs, raster[ys, xs])
        return self._boxes[shape]

    def apply_planes(self, planes: Sequence[NDArray[np.uint8]]) -> Sequence[NDArray[np.uint8]]:
        """Fill the masks on each ``H×W`` plane of a planar image, in place."""
        if not self.masks or not len(planes):
            return planes
        box = self._box((int(planes[0].shape[0]), int(planes[0].shape[1])))
        if box is not None:
            ys, xs, where = box
            fill = np.asarray(MASK_FILL, planes[0].dtype)
            for plane in planes:
                np.copyto(plane[ys, xs], fill, where=where)
        return planes


def analysis_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The frame size analysed: the source scaled so its longer side is at most `max_side`
    (even numbers, for the scaler)."""
    r = min(1.0, max_side / max(width, height))
    return max(2, int(round(width * r / 2)) * 2), max(2, int(round(height * r / 2)) * 2)


def planar_bgr(frame) -> Planes:  # noqa: ANN001 - av.VideoFrame in gbrp
    """Views of a planar GBR frame's planes, in B, G, R order (no copy: the arrays keep the
    frame's buffers alive)."""
    w, h = frame.width, frame.height

    def plane(i: int) -> NDArray[np.uint8]:
        p = frame.planes[i]
        return np.frombuffer(p, np.uint8).reshape(h, p.line_size)[:, :w]

    return plane(1), plane(0), plane(2)  # gbrp holds G, B, R


def open_container(source: str, timeout_s: float = 10.0):  # noqa: ANN201 - av.container
    """Open a file or a stream with PyAV (RTSP over TCP)."""
    import av

    options = {"rtsp_transport": "tcp"} if source.startswith("rtsp") else {}
    try:
        return av.open(source, options=options, timeout=timeout_s)
    except (av.error.FFmpegError, OSError) as exc:
        from sentinelle.registry.camera import redact_url

        raise InputError(f"cannot open video {redact_url(source)}: {exc}") from None


def read_frames(
    source: str, camera_id: str, masks: Sequence[Polygon] = (), *, fps: float = DEFAULT_FPS,
    max_side: int = DEFAULT_MAX_SIDE, start: datetime | None = None, realtime: bool | None = None,
    timeout_s: float = 10.0, decode_threads: int = 1,
) -> Iterator[Frame]:
    """Decode `source` and yield masked frames at most `fps` per second.

    Parameters
    ----------
    source
        A file path or a stream URL (``rtsp://…``).
    camera_id
        The camera the frames belong to.
    masks
        Privacy masks, polygons in normalised image coordinates; filled before yielding.
    fps
        Frames kept per second of video (decoded frames in between are dropped).
    max_side
        Longest side of the analysed frame in pixels.
    start
        Time of the video's first frame; frame times are `start` + the frame's offset. Default:
        the moment the source was opened.
    realtime
        Pace a file like a live stream (default: only for stream URLs, which pace themselves).
    decode_threads
        Decoder threads: 1 (default) decodes in the calling thread, which costs the least CPU
        per frame (one stream per core); 0 lets FFmpeg choose (frame threads: lower latency on
        a large stream, more CPU in all).
    """
    if fps <= 0:
        raise InputError(f"fps must be positive, got {fps}")
    if decode_threads < 0:
        raise InputError(f"decode_threads must be 0 (automatic) or more, got {decode_threads}")
    from av.video.reformatter import VideoReformatter

    masker = Masker(masks)
    t0 = start or datetime.now(UTC)
    if t0.tzinfo is None:
        raise InputError("start must be timezone-aware")
    container = open_container(source, timeout_s)
    try:
        stream = container.streams.video[0]
        if decode_threads == 1:
            stream.thread_type = "NONE"
            stream.codec_context.thread_count = 1
        else:
            stream.thread_type = "AUTO"
            stream.codec_context.thread_count = decode_threads
        # Two swscale contexts for the whole stream, single-threaded (`frame.to_ndarray(width=…)`
        # would build a new context, and its thread pool, for every frame: more than the
        # decoding itself). The frame is scaled in YUV 4:2:0 first, then converted at the
        # analysis size to planar GBR: cheaper than scaling straight to packed BGR, and the
        # planes are what the detector takes (see `planar_bgr`).
        scaler, converter = VideoReformatter(), VideoReformatter()
        period = 1.0 / fps
        next_t: float | None = None
        first: float | None = None
        wall0 = time.monotonic()
        size: tuple[int, int] | None = None
        for frame in container.decode(stream):
            t = frame.time if frame.time is not None else (frame.pts or 0) * float(
                stream.time_base or 0)
            if first is None:
                first = t
            rel = t - first
            if next_t is not None and rel + 1e-6 < next_t:
                continue
            next_t = (math.floor(rel / period + 1e-6) + 1) * period
            if size is None:
                size = analysis_size(frame.width, frame.height, max_side)
            small = scaler.reformat(frame, width=size[0], height=size[1], format="yuv420p",
                                    interpolation="BILINEAR", threads=1)
            planes = planar_bgr(converter.reformat(small, format="gbrp", threads=1))
            masker.apply_planes(planes)
            if realtime:
                delay = rel - (time.monotonic() - wall0)
                if delay > 0:
                    time.sleep(delay)
            yield Frame(camera_id=camera_id, ts=t0 + timedelta(seconds=rel), planes=planes)
    finally:
        container.close()
