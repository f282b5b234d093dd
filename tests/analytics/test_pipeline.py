"""The real pipeline on vtest.avi (Debian opencv-doc): YOLOX-Nano finds the walkers, masks are
filled before the detector sees a frame, a person inside a mask is not counted, the motion gate
spares the detector on a still scene."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from sentinelle.errors import InputError
from sentinelle.vision.counting import Line
from sentinelle.vision.detections import CLASS_NAMES, Detections
from sentinelle.vision.detector import Detector
from sentinelle.vision.frames import Masker, read_frames
from sentinelle.vision.pipeline import Pipeline, PipelineConfig

T0 = datetime(2026, 1, 1, tzinfo=UTC)
# The walkway of vtest crossed by a vertical line at x = 0.40: a man crosses it at 0.6 s
# walking right and comes back at 7 s.
LINE = Line("milieu", ((0.40, 0.28), (0.40, 0.62)))
# A mask over the whole band around the line.
MASK = [(0.25, 0.0), (0.55, 0.0), (0.55, 1.0), (0.25, 1.0)]


def first_frame(clip, masks=()):
    return next(iter(read_frames(str(clip), "C", masks, fps=5, start=T0)))


def test_frames_come_at_the_asked_rate_scaled_and_stamped(clip12):
    frames = list(read_frames(str(clip12), "C", fps=2, start=T0))
    assert 23 <= len(frames) <= 25
    assert frames[0].image.shape == (312, 416, 3) and frames[0].image.dtype == np.uint8
    assert (frames[1].ts - frames[0].ts).total_seconds() == pytest.approx(0.5, abs=0.01)
    assert "image" not in repr(frames[0]) and str(frames[0].image.shape[0]) in repr(frames[0])


def test_bad_masks_and_sources_are_refused(tmp_path):
    with pytest.raises(InputError, match="outside the normalised image"):
        Masker([[(0, 0), (1.5, 0), (0, 1)]])
    with pytest.raises(InputError, match="at least 3 points"):
        Masker([[(0, 0), (1, 1)]])
    with pytest.raises(InputError, match="cannot open video"):
        next(iter(read_frames(str(tmp_path / "none.mp4"), "C")))


def test_detector_finds_the_walkers_of_vtest(clip12, detector):
    frame = first_frame(clip12)
    d = detector.detect(frame.image, "C", frame.ts)
    people = d.select(d.classes == CLASS_NAMES.index("person"))
    assert len(people) >= 4  # six people walk in the first frame
    assert ((d.boxes >= 0) & (d.boxes <= 1)).all()
    assert (d.boxes[:, 2] > d.boxes[:, 0]).all() and (d.boxes[:, 3] > d.boxes[:, 1]).all()
    assert set(d.class_names) <= set(CLASS_NAMES)
    assert "array" not in repr(d)


def test_masked_pixels_are_filled_before_anyone_sees_the_frame(clip12, detector):
    masked = first_frame(clip12, [MASK])
    h, w = masked.image.shape[:2]
    x0, x1 = int(np.ceil(0.25 * w)), int(0.55 * w)
    assert (masked.image[:, x0:x1] == 0).all()
    assert masked.image[:, x1 + 2:].any()
    # No person is found in the masked band any more; people outside it still are.
    plain = first_frame(clip12)
    before = detector.detect(plain.image, "C", plain.ts)
    after = detector.detect(masked.image, "C", masked.ts)

    def centres_in_band(d: Detections) -> int:
        cx = (d.boxes[:, 0] + d.boxes[:, 2]) / 2
        return int(((cx > 0.26) & (cx < 0.54) & (d.classes == 0)).sum())

    assert centres_in_band(before) >= 1 and centres_in_band(after) == 0
    assert len(after) >= 1


def test_a_person_inside_a_mask_is_not_counted(clip12, detector):
    cfg = PipelineConfig(fps=5, motion_gate=False)
    seen = Pipeline("C", detector, lines=[LINE], config=cfg).run(str(clip12), start=T0)
    crossings = {(c.direction, c.cls): c.count for c in seen}
    assert crossings.get(("a_to_b", "person"), 0) >= 1
    assert crossings.get(("b_to_a", "person"), 0) >= 1
    hidden = Pipeline("C", detector, lines=[LINE], masks=[MASK], config=cfg).run(
        str(clip12), start=T0)
    assert hidden == []


def test_motion_gate_spares_the_detector_on_a_still_scene(tmp_path, detector):
    import subprocess

    still = tmp_path / "still.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "color=c=gray:s=320x240:r=10:d=6", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    str(still)], check=True, timeout=60)
    pipe = Pipeline("C", detector, config=PipelineConfig(fps=5))
    pipe.run(str(still), start=T0)
    assert pipe.stats.frames >= 29
    assert pipe.stats.detected <= 11  # the first frame and the 2 s hangover only


def test_pipeline_refuses_a_frame_of_another_camera(clip12, detector):
    with pytest.raises(ValueError, match="got a frame of"):
        Pipeline("A", detector).process(first_frame(clip12))


def test_missing_model_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.onnx"):
        Detector(tmp_path / "nope.onnx")
