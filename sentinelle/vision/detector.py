"""YOLOX-Nano on onnxruntime: one masked frame in, `Detections` out.

The model is the stock YOLOX-Nano export (80 COCO classes, input ``1×3×416×416`` BGR, padded
with 114, no normalisation; output ``1×3549×85``: per grid cell the box offsets, the objectness
and the 80 class scores, both already through a sigmoid). Decoding follows YOLOX: strides 8, 16
and 32, centre ``(offset + cell) × stride``, size ``exp(log-size) × stride``. Only the COCO
classes of `COCO_TO_CLASS` are kept, merged into our four classes, then per-class NMS.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from sentinelle.vision.detections import COCO_TO_CLASS, Detections

INPUT_SIZE = 416
STRIDES = (8, 16, 32)
PAD_VALUE = 114


class Ran(NamedTuple):
    """What `Detector.run_image` keeps of one model run."""

    cells: NDArray[np.intp]
    rows: NDArray[np.float32]
    width: int
    height: int
    scale: float


def default_model_path() -> Path:
    """The installed YOLOX-Nano model (``SENTINELLE_MODELS_DIR``, filled by scripts/setup)."""
    from sentinelle.vision.models import model_path

    return Path(model_path("yolox_nano"))


def _grids(size: int) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    cells, strides = [], []
    for s in STRIDES:
        n = size // s
        ys, xs = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        cells.append(np.stack([xs.ravel(), ys.ravel()], axis=1))
        strides.append(np.full((n * n, 1), s))
    return (np.concatenate(cells).astype(np.float32),
            np.concatenate(strides).astype(np.float32))


def letterbox(image: NDArray[np.uint8], size: int = INPUT_SIZE
              ) -> tuple[NDArray[np.float32], float]:
    """The ``1×3×size×size`` float32 input and the scale applied to `image` (top-left aligned,
    the rest padded with 114)."""
    h, w = image.shape[:2]
    r = min(size / h, size / w)
    if r != 1.0:
        nh, nw = max(1, int(round(h * r))), max(1, int(round(w * r)))
        ys = np.minimum((np.arange(nh) / r).astype(np.intp), h - 1)
        xs = np.minimum((np.arange(nw) / r).astype(np.intp), w - 1)
        image = image[ys][:, xs]
    else:
        nh, nw = h, w
    blob = np.full((size, size, 3), PAD_VALUE, dtype=np.uint8)
    blob[:nh, :nw] = image
    return np.ascontiguousarray(blob.transpose(2, 0, 1)[None], dtype=np.float32), r


#: NMS of several frames at once works on a ``frames × n × n`` array; frames are taken together
#: while it holds at most this many cells (a crowded frame alone may exceed it).
_NMS_CELLS = 1 << 18


def nms(boxes: NDArray[np.float32], scores: NDArray[np.float32], iou: float,
        classes: NDArray[np.integer] | None = None,
        frames: NDArray[np.integer] | None = None) -> NDArray[np.intp]:
    """Indices kept by greedy non-maximum suppression, best score first (ties: the first
    box first).

    With `classes`, boxes only suppress boxes of their own class: the same result as one NMS
    per class, in a single pass. With `frames` (each box's frame, 0, 1, …), boxes only
    suppress boxes of their own frame, and the indices come frame by frame (then best score
    first): the same result as one NMS per frame, with numpy's fixed cost per call paid once
    for several frames. A box suppresses another when their intersection exceeds `iou` × their
    union (IoU > `iou`, without the division)."""
    n = len(boxes)
    if frames is None:
        frames = np.zeros(n, np.intp)
    order = np.lexsort((-scores, frames))  # stable: by frame, then best score first
    g = frames[order]
    counts = np.bincount(g).tolist() if n else []
    starts = np.cumsum([0, *counts]).tolist()
    pos = np.arange(n) - np.asarray(starts[:-1], np.intp)[g]
    cls = np.zeros(n, np.int64) if classes is None else np.asarray(classes, np.int64)
    kept = []
    f0 = 0
    while f0 < len(counts):
        f1, m = f0 + 1, counts[f0]
        while f1 < len(counts) and (f1 + 1 - f0) * max(m, counts[f1]) ** 2 <= _NMS_CELLS:
            m = max(m, counts[f1])
            f1 += 1
        if m:
            sl = slice(starts[f0], starts[f1])
            kept.append(_greedy(boxes, cls, order[sl], g[sl] - f0, pos[sl], f1 - f0, m, iou))
        f0 = f1
    return np.concatenate(kept) if kept else np.zeros(0, np.intp)


def _greedy(boxes: NDArray[np.float32], classes: NDArray[np.int64], order: NDArray[np.intp],
            frame: NDArray[np.intp], pos: NDArray[np.intp], n_frames: int, m: int,
            iou: float) -> NDArray[np.intp]:
    """Greedy NMS of `n_frames` frames at once: box ``order[k]`` is the ``pos[k]``-th best of
    frame ``frame[k]``; the frames are padded to `m` boxes each."""
    idx = np.full((n_frames, m), -1, np.intp)
    idx[frame, pos] = order
    coords = np.zeros((4, n_frames, m), np.float32)
    coords[:, frame, pos] = boxes[order].T
    x1, y1, x2, y2 = coords
    w = np.minimum(x2[:, :, None], x2[:, None, :])
    w -= np.maximum(x1[:, :, None], x1[:, None, :])
    h = np.minimum(y2[:, :, None], y2[:, None, :])
    h -= np.maximum(y1[:, :, None], y1[:, None, :])
    np.maximum(w, 0, out=w)
    np.maximum(h, 0, out=h)
    inter = w
    inter *= h
    area = (x2 - x1) * (y2 - y1)
    union = area[:, :, None] + area[:, None, :]
    union -= inter
    suppress = inter > np.float32(iou) * union
    c = np.full((n_frames, m), -1, np.int64)
    c[frame, pos] = classes[order]
    suppress &= c[:, :, None] == c[:, None, :]
    # In each round every frame keeps its best box left, which leaves the queue with every
    # box it suppresses (a box of zero area suppresses nothing, not even itself): as many
    # rounds as the most boxes a frame keeps.
    alive = idx >= 0
    keep = np.zeros_like(alive)
    rows = np.arange(n_frames)
    while True:
        first = alive.argmax(axis=1)
        has = alive[rows, first]
        if not has.any():
            break
        f, i = rows[has], first[has]
        keep[f, i] = True
        alive[f] &= ~suppress[f, i]
        alive[f, i] = False
    return idx[keep]


class Detector:
    """YOLOX-Nano with onnxruntime.

    Parameters
    ----------
    model_path
        The ``.onnx`` file (default: `default_model_path`).
    score_threshold
        Minimum objectness × class score kept.
    nms_iou
        Overlap above which the lower-scored box of a class is dropped.
    threads
        onnxruntime intra-op threads (1: one core per stream).
    providers
        onnxruntime execution providers (default: CPU).
    """

    def __init__(self, model_path: str | Path | None = None, *, score_threshold: float = 0.3,
                 nms_iou: float = 0.45, threads: int = 1,
                 providers: list[str] | None = None) -> None:
        import onnxruntime as ort

        ort.disable_telemetry_events()  # and ORT_DISABLE_TELEMETRY: see sentinelle/__init__.py
        path = Path(model_path) if model_path else default_model_path()
        if not path.is_file():
            raise FileNotFoundError(f"YOLOX-Nano model not found: {path}")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(path), sess_options=opts, providers=providers or ["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.score_threshold = score_threshold
        self.nms_iou = nms_iou
        self._cells, self._strides = _grids(INPUT_SIZE)
        coco = np.array(sorted(COCO_TO_CLASS))
        self._coco = coco
        self._coco_cols = coco + 5  # their columns in the model's output row
        self._ours = np.array([COCO_TO_CLASS[c] for c in coco], dtype=np.int8)
        self._blob = np.empty(0, np.float32)
        self._planes = np.empty(0, np.uint8)
        self._blob_hw: tuple[int, int] | None = None

    def infer(self, blob: NDArray[np.float32]) -> NDArray[np.float32]:
        """The raw model output ``(3549, 85)`` for one input blob (what the benchmark times)."""
        return self.session.run(None, {self.input_name: blob})[0][0]

    def detect(self, image: NDArray[np.uint8], camera_id: str, ts: datetime) -> Detections:
        """Detect in one BGR frame (masks already filled by `frames`)."""
        return self.decode_image(self.run_image(image), camera_id, ts)

    def run_image(self, image: NDArray[np.uint8]) -> Ran:
        """The model run on one BGR frame: the candidate cells of its output (taken while
        the output is still in the caches; the rest of it is dropped), with the frame's width,
        height and the scale applied — what `decode_image` takes. `Pipeline` runs the model
        on a batch of frames back to back, then decodes: each stage's code stays cached."""
        h, w = image.shape[:2]
        if h <= INPUT_SIZE and w <= INPUT_SIZE:
            # The usual case (frames come scaled to the input size): one reused blob, only
            # the image's rectangle rewritten. Transposing the bytes first and then casting
            # the planes contiguously is faster than one strided cast-and-transpose copy
            # (frames of `read_frames` skip both: see `run_planes`).
            blob = self._input(h, w)
            np.copyto(self._planes, image.transpose(2, 0, 1))
            np.copyto(blob[0, :, :h, :w], self._planes)
            r = 1.0
        else:
            blob, r = letterbox(image)
        cand, rows = self.candidates(self.infer(blob))
        return Ran(cand, rows, w, h, r)

    def run_planes(self, planes: Sequence[NDArray[np.uint8]]) -> Ran:
        """`run_image` on a frame given as its B, G, R planes (`Frame.planes`): each plane is
        cast straight into its channel of the input, with the same values."""
        h, w = planes[0].shape
        if h > INPUT_SIZE or w > INPUT_SIZE:
            return self.run_image(np.stack(planes, axis=2))
        blob = self._input(h, w)
        for c in range(3):
            np.copyto(blob[0, c, :h, :w], planes[c])
        cand, rows = self.candidates(self.infer(blob))
        return Ran(cand, rows, int(w), int(h), 1.0)

    def detect_planes(self, planes: Sequence[NDArray[np.uint8]], camera_id: str,
                      ts: datetime) -> Detections:
        """`detect` on a frame given as its B, G, R planes (`Frame.planes`)."""
        return self.decode_image(self.run_planes(planes), camera_id, ts)

    def _input(self, h: int, w: int) -> NDArray[np.float32]:
        """The reused input blob (padded with 114) and byte planes for an ``h×w`` frame;
        only the frame's rectangle is rewritten from one frame to the next."""
        if self._blob_hw != (h, w):
            self._blob = np.full((1, 3, INPUT_SIZE, INPUT_SIZE), PAD_VALUE, np.float32)
            self._planes = np.empty((3, h, w), np.uint8)
            self._blob_hw = (h, w)
        return self._blob

    def decode_image(self, ran: Ran, camera_id: str, ts: datetime) -> Detections:
        """The `Detections` of a `run_image`."""
        return self.decode_batch([ran], camera_id, [ts])[0]

    def candidates(self, out: NDArray[np.float32]) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
        """The grid cells that may hold a detection, and their rows of the output.

        Objectness first: the score is objectness × class score, so cells whose objectness is
        below the threshold can never pass (and are nearly all of them)."""
        cand = np.flatnonzero(out[:, 4] >= self.score_threshold)
        return cand, out[cand]

    def decode_batch(self, rans: Sequence[Ran], camera_id: str,
                     ts: Sequence[datetime]) -> list[Detections]:
        """The `Detections` of several model runs (one per frame, `ts` their times): the
        candidates of every frame are scored, their boxes decoded and suppressed (NMS per
        frame) as arrays of the whole batch. The same detections as one frame at a time, for
        a fraction of the cost (each numpy call has a fixed cost that the small arrays of one
        frame do not amortise)."""
        n = len(rans)
        if n != len(ts):
            raise ValueError(f"{n} model runs but {len(ts)} times")
        lens = [len(r.cells) for r in rans]
        if not any(lens):
            return [Detections(camera_id=camera_id, ts=t) for t in ts]
        o = np.concatenate([r.rows for r in rans])
        cand = np.concatenate([r.cells for r in rans])
        frame = np.repeat(np.arange(n), lens)
        scores_all = o[:, 4:5] * o[:, self._coco_cols]
        best = scores_all.argmax(axis=1)
        score = scores_all.max(axis=1)  # the value at `best`, in one call
        keep = np.flatnonzero(score >= self.score_threshold)
        o, idx, frame = o[keep], cand[keep], frame[keep]
        strides = self._strides[idx]
        centre = (o[:, :2] + self._cells[idx]) * strides
        size = np.exp(np.minimum(np.maximum(o[:, 2:4], -10), 10)) * strides  # np.clip: slower
        half = size / 2
        boxes = np.concatenate([centre - half, centre + half], axis=1)
        # Per frame: back to its pixels (÷ scale), then to 0–1 (÷ width, height).
        dims = np.array([(r.scale, r.width, r.height) for r in rans], np.float32)[frame]
        boxes /= dims[:, :1]
        boxes /= dims[:, [1, 2, 1, 2]]
        boxes = np.minimum(np.maximum(boxes, 0), 1).astype(np.float32, copy=False)
        classes = self._ours[best[keep]]
        score = score[keep].astype(np.float32)
        # NMS per frame and class, all frames at once: the kept boxes come frame by frame,
        # best score first.
        sel = nms(boxes, score, self.nms_iou, classes, frame)
        boxes, score, classes = boxes[sel], score[sel], classes[sel]
        ends = np.cumsum(np.bincount(frame[sel], minlength=n)).tolist()
        return [Detections(camera_id=camera_id, ts=t, boxes=boxes[a:b], scores=score[a:b],
                           classes=classes[a:b])
                for t, a, b in zip(ts, [0, *ends[:-1]], ends, strict=True)]
