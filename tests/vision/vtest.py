"""Test data: OpenCV's ``vtest.avi`` (Debian opencv-doc), decoded frames, YOLOX person boxes.

The video is fetched with ``apt-get download opencv-doc`` and only ``vtest.avi`` is unpacked
from the package (``dpkg-deb --fsys-tarfile``); it is cached outside the repository
(``SENTINELLE_TEST_CACHE``, default ``~/.cache/sentinelle-tests``) and never committed.
Without apt (or offline) the tests that need it skip, and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

MEMBER = "./usr/share/doc/opencv-doc/examples/data/vtest.avi"
VTEST_W, VTEST_H = 768, 576


def _cache() -> Path:
    return Path(os.environ.get("SENTINELLE_TEST_CACHE",
                               Path.home() / ".cache" / "sentinelle-tests"))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"vtest.avi required under CI=true: {reason}")
    pytest.skip(f"vtest.avi unavailable: {reason}")


@pytest.fixture(scope="session")
def vtest_avi() -> Path:
    """Path of vtest.avi, fetched once from Debian's opencv-doc package."""
    target = _cache() / "vtest.avi"
    if target.is_file() and target.stat().st_size > 8_000_000:
        return target
    for tool in ("apt-get", "dpkg-deb", "tar"):
        if shutil.which(tool) is None:
            _unavailable(f"{tool} not found")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        got = subprocess.run(["apt-get", "download", "opencv-doc"], cwd=tmp,
                             capture_output=True, text=True, timeout=600)
        debs = list(Path(tmp).glob("opencv-doc_*.deb"))
        if got.returncode != 0 or not debs:
            _unavailable(f"apt-get download opencv-doc failed: {got.stderr.strip()[-300:]}")
        subprocess.run(f"dpkg-deb --fsys-tarfile '{debs[0]}' | tar -x -C '{tmp}' '{MEMBER}'",
                       shell=True, check=True, timeout=600)
        part = target.with_suffix(".part")
        shutil.move(str(Path(tmp) / MEMBER), part)
        part.replace(target)
    return target


def read_frames(video: Path, indices: list[int]) -> dict[int, np.ndarray]:
    """BGR frames (H×W×3 uint8) of `video` at the given frame numbers (10 fps), via ffmpeg."""
    wanted = "+".join(f"eq(n\\,{i})" for i in indices)
    out = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(video), "-vf", f"select={wanted}",
         "-vsync", "0", "-f", "rawvideo", "-pix_fmt", "bgr24", "-"],
        capture_output=True, check=True, timeout=300).stdout
    size = VTEST_W * VTEST_H * 3
    frames = [np.frombuffer(out[k:k + size], np.uint8).reshape(VTEST_H, VTEST_W, 3).copy()
              for k in range(0, len(out), size)]
    assert len(frames) == len(indices), f"ffmpeg gave {len(frames)} of {len(indices)} frames"
    return dict(zip(sorted(indices), frames, strict=True))


class YoloxPeople:
    """Person boxes from YOLOX-Nano on onnxruntime (test helper; the product's detector lives
    in sentinelle.vision.detector)."""

    SIZE = 416

    def __init__(self) -> None:
        import onnxruntime as ort

        from sentinelle.vision.models import model_path

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_path("yolox_nano")), opts,
                                            providers=["CPUExecutionProvider"])
        grids, strides = [], []
        for s in (8, 16, 32):
            n = self.SIZE // s
            yy, xx = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
            grids.append(np.stack([xx, yy], -1).reshape(-1, 2))
            strides.append(np.full((n * n, 1), s))
        self.grid = np.concatenate(grids).astype(np.float32)
        self.stride = np.concatenate(strides).astype(np.float32)

    def __call__(self, frame: np.ndarray, threshold: float = 0.3) -> list[tuple[float, ...]]:
        h, w = frame.shape[:2]
        r = min(self.SIZE / h, self.SIZE / w)
        nh, nw = int(round(h * r)), int(round(w * r))
        ys = np.minimum((np.arange(nh) / r).astype(int), h - 1)
        xs = np.minimum((np.arange(nw) / r).astype(int), w - 1)
        img = np.full((self.SIZE, self.SIZE, 3), 114, np.uint8)
        img[:nh, :nw] = frame[ys][:, xs]
        x = img.transpose(2, 0, 1)[None].astype(np.float32)
        out = self.session.run(None, {self.session.get_inputs()[0].name: x})[0][0]
        xy = (out[:, :2] + self.grid) * self.stride
        wh = np.exp(out[:, 2:4]) * self.stride
        score = out[:, 4] * out[:, 5]  # objectness × P(person)
        keep = np.nonzero(score >= threshold)[0]
        boxes = np.column_stack([xy[keep] - wh[keep] / 2, xy[keep] + wh[keep] / 2]) / r
        order = np.argsort(-score[keep])
        chosen: list[int] = []
        for i in order:
            if all(_iou(boxes[i], boxes[j]) < 0.45 for j in chosen):
                chosen.append(int(i))
        return [(*map(float, boxes[i]), float(score[keep][i])) for i in chosen]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0
