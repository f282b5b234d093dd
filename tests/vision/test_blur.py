"""Blurring: every person's head region on real vtest frames, faces BlazeFace finds, exports."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from sentinelle.vision.blur import (
    FaceDetector,
    blazeface_anchors,
    blur_people,
    blur_region,
    blur_third_parties,
    blur_thumbnail,
    coverage,
    head_region,
)
from tests.vision.vtest import YoloxPeople, read_frames, vtest_avi  # noqa: F401 (fixture)

HEADS = json.loads((Path(__file__).parent / "data" / "vtest_heads.json").read_text())["frames"]


def _detail(img: np.ndarray) -> float:
    """Mean absolute difference between neighbouring pixels (what a blur removes)."""
    g = img.astype(np.float32).mean(axis=2)
    return float(np.abs(np.diff(g, axis=0)).mean() + np.abs(np.diff(g, axis=1)).mean())


@pytest.fixture(scope="module")
def frames(vtest_avi):  # noqa: F811
    return read_frames(vtest_avi, [int(k) for k in HEADS])


@pytest.fixture(scope="module")
def people(frames):
    det = YoloxPeople()
    return {i: det(f) for i, f in frames.items()}


@pytest.fixture(scope="module")
def faces():
    return FaceDetector("blazeface_full_range")


def test_anchors_match_the_models():
    assert len(blazeface_anchors(192, (4,), False)) == 2304
    assert len(blazeface_anchors(128, (8, 16, 16, 16), True)) == 896
    a = blazeface_anchors(192, (4,), False)
    assert np.allclose(a[0], [0.5 / 48, 0.5 / 48]) and np.allclose(a[-1], [47.5 / 48] * 2)


def test_every_hand_labelled_head_is_blurred_on_vtest_frames(frames, people, faces):
    """Recall on 18 hand-labelled heads (3 frames): person boxes from YOLOX-Nano, then
    blur_thumbnail; each head box must be covered by blurred regions and lose its detail."""
    missed = []
    total = 0
    for i, original in frames.items():
        frame, before = original.copy(), original
        result = blur_thumbnail(frame, people[i], faces=faces)
        for head in HEADS[str(i)]:
            total += 1
            x0, y0, x1, y1 = head
            cov = coverage(result, head)
            kept = _detail(frame[y0:y1, x0:x1]) / max(_detail(before[y0:y1, x0:x1]), 1e-6)
            if cov < 0.95 or kept > 0.5:
                missed.append((i, head, round(cov, 2), round(kept, 2)))
    assert total == 18
    assert missed == [], f"heads not blurred (frame, box, coverage, detail kept): {missed}"


def test_blazeface_finds_faces_on_person_crops(frames, people, faces):
    """On whole frames faces are too small; on upper-body crops BlazeFace finds some, and
    each face it finds lies on a labelled head."""
    found = []
    for i, frame in frames.items():
        result = blur_people(frame.copy(), people[i], faces=faces)
        found += [(i, r.box) for r in result.regions if r.kind == "face"]
    assert len(found) >= 3
    for i, (x0, y0, x1, y1) in found:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        assert any(h[0] - 6 <= cx <= h[2] + 6 and h[1] - 6 <= cy <= h[3] + 6
                   for h in HEADS[str(i)]), f"frame {i}: face {(x0, y0, x1, y1)} on no head"
    # and the whole frame at once finds fewer (why crops are needed)
    whole = faces.detect(frames[600])
    assert len(whole) < len([f for f in found if f[0] == 600])


def test_faces_found_are_gone_once_blurred(frames, people, faces):
    """BlazeFace no longer finds, on the blurred frame, a face it found before blurring."""
    def overlaps(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    for i, original in frames.items():
        frame = original.copy()
        first = [r.box for r in blur_people(frame, people[i], faces=faces).regions
                 if r.kind == "face"]
        again = [r.box for r in blur_people(frame.copy(), people[i], faces=faces).regions
                 if r.kind == "face"]
        assert not [b for b in again if any(overlaps(b, f) for f in first)], f"frame {i}"


def test_face_detection_is_fast_enough_per_crop(frames, faces):
    crop = frames[600][140:240, 180:220].copy()
    faces.detect(crop)
    t = time.perf_counter()
    for _ in range(10):
        faces.detect(crop)
    assert (time.perf_counter() - t) / 10 < 0.25  # ~4–30 ms here; generous for a loaded CI


def test_right_of_access_export_blurs_third_parties_only(frames, people, faces):
    frame = frames[300].copy()
    before = frame.copy()
    boxes = people[300]
    subject = 0
    result = blur_third_parties(frame, boxes, subject=[subject], faces=faces)
    assert all(r.person != subject for r in result.regions)
    x0, y0, x1, y1 = (int(round(v)) for v in head_region(boxes[subject]))
    sx0, sy0, sx1, sy1 = (int(v) for v in boxes[subject][:4])
    # the subject's own head is left as it was (no other person's region overlaps it here)
    others = [r.box for r in result.regions]
    inner = (max(sx0, x0) + 2, max(sy0, y0) + 2, min(sx1, x1) - 2, min(sy1, y1) - 2)
    if not any(b[0] < inner[2] and inner[0] < b[2] and b[1] < inner[3] and inner[1] < b[3]
               for b in others):
        assert np.array_equal(frame[inner[1]:inner[3], inner[0]:inner[2]],
                              before[inner[1]:inner[3], inner[0]:inner[2]])
    assert {r.person for r in result.regions if r.kind == "head"} == \
        set(range(len(boxes))) - {subject}


def test_blur_replaces_pixels_and_leaves_the_rest():
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    before = frame.copy()
    blur_region(frame, (10, 10, 40, 50))
    assert _detail(frame[10:50, 10:40]) < 0.2 * _detail(before[10:50, 10:40])
    outside = np.ones((60, 80), bool)
    outside[10:50, 10:40] = False
    assert np.array_equal(frame[outside], before[outside])


def test_head_region_always_blurred_without_face_detector():
    frame = np.random.default_rng(2).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    result = blur_people(frame, [(50, 40, 90, 160, 0.9)])
    assert [r.kind for r in result.regions] == ["head"]
    assert coverage(result, (50, 40, 90, 70)) == 1.0
