"""Blurring people in a frame: every head region always, and the faces BlazeFace finds.

For analytics stills and thumbnails shown to operators, and for third parties in
``droit_acces_rgpd`` exports (never for judicial or L252-3 exports, which stay lossless).

On CCTV frames faces are ~10 px high and no face detector finds them on the whole frame, so the
*head region* (the top part of each person box, widened a little) is blurred whatever a detector
says. BlazeFace full-range (MediaPipe's ``.tflite``, run with ``ai_edge_litert``) then looks at
each person's upper body, upscaled, and any face it finds is blurred too (a person bending, a
box cut short). BlazeFace only *locates* faces: nothing here describes or compares them.

The blur is a coarse mosaic (block averages) followed by a box blur: the pixels are replaced,
not overlaid, and the frame handed back is the only copy that leaves this module.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

#: Top part of a person box taken as the head region (standing adult: head ≈ 1/7 of height).
HEAD_FRACTION = 0.25
#: The head region is widened by this fraction of the box width on each side, and raised.
HEAD_MARGIN = 0.10
#: Upper part of a person box searched for faces.
FACE_SEARCH_FRACTION = 0.5
#: A face box found is grown by this fraction on each side before blurring.
FACE_MARGIN = 0.25
#: Mosaic: at most this many blocks across the shorter side of a region.
MOSAIC_BLOCKS = 4

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels


@dataclass(frozen=True)
class BlurRegion:
    """A rectangle that was blurred, in frame pixels, and why."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (x1, y1 exclusive)
    kind: str  # "head" (always) or "face" (found by BlazeFace)
    person: int  # index of the person box it belongs to
    score: float | None = None


@dataclass
class BlurResult:
    """The blurred frame (the input array, modified in place) and the regions blurred."""

    frame: NDArray[np.uint8]
    regions: list[BlurRegion] = field(default_factory=list)

    @property
    def faces_found(self) -> int:
        return sum(1 for r in self.regions if r.kind == "face")


# -- BlazeFace ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _BlazeSpec:
    size: int
    strides: tuple[int, ...]
    interpolated: bool  # one extra anchor per location (MediaPipe interpolated_scale_aspect_ratio)
    score_threshold: float


_SPECS = {
    # face_detection_full_range.pbtxt: 1 layer, stride 4, 48×48 = 2,304 anchors.
    "blazeface_full_range": _BlazeSpec(192, (4,), False, 0.5),
    # face_detection_short_range.pbtxt: strides 8, 16, 16, 16 with 2 anchors each: 896.
    "blazeface_short_range": _BlazeSpec(128, (8, 16, 16, 16), True, 0.5),
}


def blazeface_anchors(size: int, strides: Sequence[int], interpolated: bool
                      ) -> NDArray[np.float32]:
    """SSD anchor centres (x, y in 0–1) as MediaPipe's SsdAnchorsCalculator lays them out with
    ``fixed_anchor_size: true`` (width and height 1): layers of equal stride share a grid."""
    out: list[tuple[float, float]] = []
    i = 0
    while i < len(strides):
        n = 0
        j = i
        while j < len(strides) and strides[j] == strides[i]:
            n += 2 if interpolated else 1
            j += 1
        grid = math.ceil(size / strides[i])
        for y in range(grid):
            for x in range(grid):
                for _ in range(n):
                    out.append(((x + 0.5) / grid, (y + 0.5) / grid))
        i = j
    return np.asarray(out, np.float32)


class FaceDetector:
    """BlazeFace (MediaPipe 0.10.14 ``.tflite``) on ``ai_edge_litert``: face boxes in an image.

    Parameters
    ----------
    model
        ``blazeface_full_range`` (default, faces up to ~5 m) or ``blazeface_short_range``.
    path
        The ``.tflite`` file; default `sentinelle.vision.models.model_path(model)`.
    """

    def __init__(self, model: str = "blazeface_full_range", path: Path | str | None = None,
                 *, score_threshold: float | None = None, threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        from sentinelle.vision.models import model_path

        if model not in _SPECS:
            raise ValueError(f"unknown face model {model!r}; expected one of {sorted(_SPECS)}")
        spec = _SPECS[model]
        self.model = model
        self.size = spec.size
        self.score_threshold = spec.score_threshold if score_threshold is None \
            else score_threshold
        self.anchors = blazeface_anchors(spec.size, spec.strides, spec.interpolated)
        self._interp = Interpreter(model_path=str(path or model_path(model)),
                                   num_threads=threads)
        self._interp.allocate_tensors()
        inp = self._interp.get_input_details()[0]
        self._input = inp["index"]
        if tuple(inp["shape"][1:3]) != (spec.size, spec.size):
            raise ValueError(f"{model}: input {tuple(inp['shape'])}, expected "
                             f"{spec.size}×{spec.size}")
        outs = sorted(self._interp.get_output_details(), key=lambda d: -int(d["shape"][-1]))
        self._regressors = outs[0]["index"]  # (1, N, 16)
        self._scores = outs[1]["index"]  # (1, N, 1)
        if int(outs[0]["shape"][1]) != len(self.anchors):
            raise ValueError(f"{model}: {outs[0]['shape'][1]} outputs for "
                             f"{len(self.anchors)} anchors")

    def detect(self, image: NDArray[np.uint8]) -> list[tuple[Box, float]]:
        """Face boxes ``((x0, y0, x1, y1), score)`` in `image` pixels (BGR, any size)."""
        h, w = image.shape[:2]
        if h < 2 or w < 2:
            return []
        side = max(h, w)
        # Letterbox into a square (zero border, as MediaPipe's keep_aspect_ratio), then resize.
        sq = np.zeros((side, side, 3), np.uint8)
        oy, ox = (side - h) // 2, (side - w) // 2
        sq[oy:oy + h, ox:ox + w] = image[:, :, :3]
        rgb = _resize(sq, self.size, self.size)[:, :, ::-1]
        x = (rgb.astype(np.float32) / 127.5 - 1.0)[None]
        self._interp.set_tensor(self._input, np.ascontiguousarray(x))
        self._interp.invoke()
        reg = self._interp.get_tensor(self._regressors)[0]
        raw = self._interp.get_tensor(self._scores)[0, :, 0]
        scores = 1.0 / (1.0 + np.exp(-np.clip(raw.astype(np.float64), -80, 80)))
        keep = np.nonzero(scores >= self.score_threshold)[0]
        if keep.size == 0:
            return []
        a = self.anchors[keep]
        r = reg[keep] / self.size
        cx, cy = r[:, 0] + a[:, 0], r[:, 1] + a[:, 1]
        bw, bh = r[:, 2], r[:, 3]
        boxes = np.column_stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2]) * side
        boxes -= np.array([ox, oy, ox, oy], np.float32)
        out = []
        for i in _nms(boxes, scores[keep], 0.3):
            x0, y0, x1, y1 = (float(v) for v in boxes[i])
            out.append(((max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)),
                        float(scores[keep][i])))
        return out


def _nms(boxes: NDArray[np.float32], scores: NDArray[np.float32], iou: float) -> list[int]:
    order = list(np.argsort(-scores))
    kept: list[int] = []
    while order:
        i = order.pop(0)
        kept.append(int(i))
        rest = []
        for j in order:
            if _iou(boxes[i], boxes[j]) <= iou:
                rest.append(j)
        order = rest
    return kept


def _iou(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def _resize(img: NDArray[np.uint8], width: int, height: int) -> NDArray[np.uint8]:
    """Bilinear resize in numpy (no OpenCV dependency)."""
    h, w = img.shape[:2]
    ys = (np.arange(height) + 0.5) * h / height - 0.5
    xs = (np.arange(width) + 0.5) * w / width - 0.5
    y0 = np.clip(np.floor(ys).astype(int), 0, h - 1)
    x0 = np.clip(np.floor(xs).astype(int), 0, w - 1)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy = np.clip(ys - y0, 0, 1).astype(np.float32)[:, None, None]
    fx = np.clip(xs - x0, 0, 1).astype(np.float32)[None, :, None]
    f = img.astype(np.float32)
    rows = f[y0] * (1 - fy) + f[y1] * fy  # height × w × c
    out = rows[:, x0] * (1 - fx) + rows[:, x1] * fx
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


# -- blurring ---------------------------------------------------------------------------------

def _clip_box(box: Sequence[float], w: int, h: int) -> tuple[int, int, int, int] | None:
    x0, y0 = max(0, int(math.floor(box[0]))), max(0, int(math.floor(box[1])))
    x1, y1 = min(w, int(math.ceil(box[2]))), min(h, int(math.ceil(box[3])))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def blur_region(frame: NDArray[np.uint8], box: tuple[int, int, int, int]) -> None:
    """Replace the pixels of `box` (x0, y0, x1, y1) by a coarse mosaic, then a box blur."""
    x0, y0, x1, y1 = box
    roi = frame[y0:y1, x0:x1]
    rh, rw = roi.shape[:2]
    block = max(2, math.ceil(min(rh, rw) / MOSAIC_BLOCKS))
    f = roi.astype(np.float32)
    for by in range(0, rh, block):
        for bx in range(0, rw, block):
            cell = f[by:by + block, bx:bx + block]
            cell[...] = cell.reshape(-1, cell.shape[-1] if cell.ndim == 3 else 1).mean(axis=0) \
                .reshape((1, 1, -1) if cell.ndim == 3 else (1, 1))
    k = max(1, block // 2)
    if min(rh, rw) > 2 * k:
        # Separable box blur over the mosaic smooths the block edges.
        pad = [(k, k), (k, k)] + ([(0, 0)] if f.ndim == 3 else [])
        p = np.pad(f, pad, mode="edge")
        c = np.cumsum(p, axis=0)
        c = np.concatenate([np.zeros_like(c[:1]), c], axis=0)
        f = (c[2 * k + 1:] - c[:-2 * k - 1]) / (2 * k + 1)
        c = np.cumsum(f, axis=1)
        c = np.concatenate([np.zeros_like(c[:, :1]), c], axis=1)
        f = (c[:, 2 * k + 1:] - c[:, :-2 * k - 1]) / (2 * k + 1)
    roi[...] = np.clip(f + 0.5, 0, 255).astype(np.uint8)


def head_region(box: Sequence[float], *, fraction: float = HEAD_FRACTION,
                margin: float = HEAD_MARGIN) -> Box:
    """The head region of a person box: its top `fraction`, widened and raised by `margin`."""
    x0, y0, x1, y1 = (float(v) for v in box[:4])
    bw, bh = x1 - x0, y1 - y0
    return (x0 - margin * bw, y0 - margin * bh * fraction * 2,
            x1 + margin * bw, y0 + fraction * bh)


def blur_people(
    frame: NDArray[np.uint8], person_boxes: Iterable[Sequence[float]], *,
    faces: FaceDetector | None = None, keep: Iterable[int] = (),
) -> BlurResult:
    """Blur, in place, the head region of every person box and the faces found in them.

    Parameters
    ----------
    frame
        A BGR frame (height × width × 3, uint8), modified in place.
    person_boxes
        Person boxes ``(x0, y0, x1, y1[, ...])`` in frame pixels (a detector's output).
    faces
        A `FaceDetector` to look for faces in each person's upper body; None: head regions only.
    keep
        Indices of person boxes left unblurred (the data subject of a right-of-access export:
        only third parties are blurred).
    """
    h, w = frame.shape[:2]
    keep_set = set(keep)
    result = BlurResult(frame)
    boxes = [tuple(float(v) for v in b[:4]) for b in person_boxes]
    # Every region is found on the original pixels first (persons overlap), then blurred.
    todo: list[BlurRegion] = []
    for i, b in enumerate(boxes):
        if i in keep_set:
            continue
        head = _clip_box(head_region(b), w, h)
        if head is not None:
            todo.append(BlurRegion(head, "head", i))
        if faces is None:
            continue
        x0, y0, x1, y1 = b
        search = _clip_box((x0 - 0.1 * (x1 - x0), y0 - 0.1 * (y1 - y0),
                            x1 + 0.1 * (x1 - x0), y0 + FACE_SEARCH_FRACTION * (y1 - y0)), w, h)
        if search is None:
            continue
        sx0, sy0, sx1, sy1 = search
        for (fx0, fy0, fx1, fy1), score in faces.detect(frame[sy0:sy1, sx0:sx1]):
            mx, my = FACE_MARGIN * (fx1 - fx0), FACE_MARGIN * (fy1 - fy0)
            fb = _clip_box((sx0 + fx0 - mx, sy0 + fy0 - my, sx0 + fx1 + mx, sy0 + fy1 + my),
                           w, h)
            if fb is not None:
                todo.append(BlurRegion(fb, "face", i, round(score, 3)))
    for r in todo:
        blur_region(frame, r.box)
    result.regions = todo
    return result


def blur_third_parties(frame: NDArray[np.uint8], person_boxes: Sequence[Sequence[float]],
                       subject: Iterable[int] = (), *, faces: FaceDetector | None = None
                       ) -> BlurResult:
    """For a right-of-access export: blur everyone but the data subject's box(es)."""
    return blur_people(frame, person_boxes, faces=faces, keep=subject)


def blur_thumbnail(frame: NDArray[np.uint8], person_boxes: Sequence[Sequence[float]], *,
                   faces: FaceDetector | None = None) -> BlurResult:
    """For stills and thumbnails shown to operators: blur every person."""
    return blur_people(frame, person_boxes, faces=faces)


def coverage(result: BlurResult, box: Sequence[float]) -> float:
    """Fraction of `box` (x0, y0, x1, y1) covered by the regions blurred."""
    h, w = result.frame.shape[:2]
    b = _clip_box(box, w, h)
    if b is None:
        return 0.0
    m = np.zeros((b[3] - b[1], b[2] - b[0]), bool)
    for r in result.regions:
        x0, y0 = max(r.box[0], b[0]) - b[0], max(r.box[1], b[1]) - b[1]
        x1, y1 = min(r.box[2], b[2]) - b[0], min(r.box[3], b[3]) - b[1]
        if x1 > x0 and y1 > y0:
            m[y0:y1, x0:x1] = True
    return float(m.mean())


