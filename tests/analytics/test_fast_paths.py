"""The pipeline's fast paths give the same answers as the plain ones they replace."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from sentinelle.errors import InputError
from sentinelle.vision.detector import nms
from sentinelle.vision.frames import analysis_size, read_frames

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_one_scaler_per_stream_gives_the_pixels_of_a_fresh_scaler_per_frame(clip12):
    """The reused scalers, the planar conversion and the planes' BGR view give the pixels of
    fresh scalers converting to packed BGR (and the view indexes as a BGR image)."""
    import av

    reference = []
    with av.open(str(clip12)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % 2:  # clip12 is 10 fps, read at 5 fps below
                continue
            w, h = analysis_size(frame.width, frame.height, 416)
            # What `read_frames` does in two passes (scaled in YUV 4:2:0, then converted),
            # here with fresh scalers and the packed BGR conversion.
            small = frame.reformat(width=w, height=h, format="yuv420p", interpolation="BILINEAR")
            reference.append(small.to_ndarray(format="bgr24"))
            if len(reference) == 8:
                break
    for threads in (1, 0):
        frames = list(read_frames(str(clip12), "C", fps=5, start=T0, decode_threads=threads))
        assert len(frames) >= len(reference)
        for got, want in zip(frames, reference, strict=False):
            assert np.array_equal(got.image, want), f"decode_threads={threads} at {got.ts}"


def test_the_detector_reads_the_planes_of_a_frame_as_it_reads_a_packed_image(clip12, detector):
    frames = list(read_frames(str(clip12), "C", [[(0, 0), (0.3, 0), (0.3, 0.2)]], fps=5,
                              start=T0))
    assert frames and all(len(f.planes) == 3 and f.planes[0].shape == f.shape for f in frames)
    # Each frame's planes are its own (the scaler does not reuse a buffer under them).
    assert not any(np.shares_memory(a.planes[0], b.planes[0])
                   for a, b in zip(frames, frames[1:], strict=False))
    assert not np.array_equal(frames[0].planes[1], frames[-1].planes[1])
    found = 0
    for f in frames[:6]:
        assert f.image.shape == (*f.shape, 3)
        assert all(np.array_equal(f.image[:, :, c], f.planes[c]) for c in range(3))
        planar = detector.decode_image(detector.run_planes(f.planes), "C", f.ts)
        packed = detector.detect(np.ascontiguousarray(f.image), "C", f.ts)
        assert np.array_equal(planar.boxes, packed.boxes)
        assert np.array_equal(planar.scores, packed.scores)
        assert np.array_equal(planar.classes, packed.classes)
        found += len(planar)
    assert found > 0  # vtest has people in every frame


def test_negative_decoder_threads_are_refused(clip12):
    with pytest.raises(InputError, match="decode_threads must be 0 .* got -1"):
        next(iter(read_frames(str(clip12), "C", decode_threads=-1)))


def _random_boxes(rng, n, classes=4, crowd=False):
    """`n` random boxes (x1 y1 x2 y2 within 0–1), scores and classes; with `crowd`, the second
    half of them heaped on the first box."""
    xy = rng.random((n, 2), dtype=np.float32) * 0.8
    wh = rng.random((n, 2), dtype=np.float32) * 0.2 + 0.01
    b = np.concatenate([xy, xy + wh], axis=1).astype(np.float32)
    if crowd:
        shift = rng.random((n - n // 2, 2), dtype=np.float32) * 0.02
        b[n // 2:, :2] = b[0, :2] + shift
        b[n // 2:, 2:] = b[0, 2:] + shift + rng.random((n - n // 2, 2), dtype=np.float32) * 0.01
    return b, rng.random(n, dtype=np.float32), rng.integers(0, classes, n).astype(np.int8)


def _nms_per_class(boxes, scores, classes, iou):
    kept = [np.flatnonzero(classes == c)[nms(boxes[classes == c], scores[classes == c], iou)]
            for c in np.unique(classes)]
    sel = np.concatenate(kept)
    return sel[np.argsort(-scores[sel])]


def test_one_pass_class_aware_nms_equals_one_nms_per_class():
    boxes = np.array([[0.10, 0.10, 0.30, 0.50],   # person
                      [0.11, 0.10, 0.31, 0.50],   # same person, lower score: dropped
                      [0.10, 0.11, 0.30, 0.51],   # a bag at the same place: kept
                      [0.60, 0.60, 0.70, 0.90]],  # another person: kept
                     dtype=np.float32)
    scores = np.array([0.9, 0.8, 0.7, 0.6], dtype=np.float32)
    classes = np.array([0, 0, 3, 0], dtype=np.int8)
    assert nms(boxes, scores, 0.45, classes).tolist() == [0, 2, 3]
    assert nms(boxes, scores, 0.45).tolist() == [0, 3]  # class-blind: the bag goes too
    rng = np.random.default_rng(13)
    for _ in range(50):
        b, s, c = _random_boxes(rng, int(rng.integers(1, 40)))
        assert nms(b, s, 0.45, c).tolist() == _nms_per_class(b, s, c, 0.45).tolist()


def test_the_masker_fills_exactly_the_pixels_of_apply_masks():
    from sentinelle.vision.frames import Masker
    from sentinelle.vision.geometry import apply_masks

    rng = np.random.default_rng(7)
    polys = [[(0.0, 0.0), (0.35, 0.0), (0.35, 0.12), (0.0, 0.12)],
             [(0.5, 0.5), (0.9, 0.6), (0.7, 0.95)],
             [(0.999, 0.999), (1.0, 0.999), (1.0, 1.0)]]  # a corner pixel only
    for masks in ([polys[0]], polys[1:], polys, [[(0.2, 0.2), (0.2, 0.2), (0.2, 0.2)]]):
        for shape in ((312, 416, 3), (576, 768, 3), (100, 60)):
            image = rng.integers(1, 256, shape, dtype=np.uint8)
            want = apply_masks(image.copy(), masks)
            if len(shape) == 3:  # three planes, as `read_frames` fills them
                planes = [image[:, :, c].copy() for c in range(3)]
                Masker(masks).apply_planes(planes)
                got = np.stack(planes, axis=2)
            else:  # one grey plane
                (got,) = Masker(masks).apply_planes([image.copy()])
            assert np.array_equal(got, want), (masks, shape)
    assert (Masker(polys).apply_planes([np.full((50, 50), 9, np.uint8)])[0] == 0).any()


def test_batches_analyse_exactly_as_frame_by_frame(clip12, detector):
    from sentinelle.vision.counting import Line, Zone
    from sentinelle.vision.pipeline import Pipeline, PipelineConfig

    lines = [Line("ouest", ((0.30, 0.28), (0.30, 0.62))), Line("est", ((0.70, 0.2), (0.70, 0.8)))]
    zones = [Zone("chemin", ((0.0, 0.3), (1.0, 0.3), (1.0, 0.6), (0.0, 0.6)))]
    results = {}
    for batch in (1, 4, 10):
        pipe = Pipeline("C", detector, lines=lines, zones=zones,
                        config=PipelineConfig(fps=10, motion_gate=True, batch=batch))
        frames = list(pipe.frames(str(clip12), start=T0))
        tracked = []
        for i in range(0, len(frames), batch):
            for d in pipe.process_batch(frames[i:i + batch]):
                tracked.append(None if d is None else
                               (d.boxes.tobytes(), d.track_ids.tolist(), d.classes.tolist()))
        counts = [(c.start, c.zone, c.line, c.direction, c.cls, c.count)
                  for c in pipe.counter.flush()]
        run = Pipeline("C", detector, lines=lines, zones=zones,
                       config=PipelineConfig(fps=10, motion_gate=True, batch=batch))
        ran = [(c.start, c.zone, c.line, c.direction, c.cls, c.count)
               for c in run.run(str(clip12), start=T0)]
        assert ran == counts  # `run` batches the same way
        results[batch] = (tracked, counts, pipe.stats.frames, pipe.stats.detected)
    assert results[1][0] and any(t is not None and t[1] for t in results[1][0])
    assert results[4] == results[1] and results[10] == results[1]


def test_a_batch_must_hold_a_frame():
    from sentinelle.vision.pipeline import PipelineConfig

    with pytest.raises(ValueError, match="batch must be at least 1 frame, got 0"):
        PipelineConfig(batch=0)


def _greedy_nms(boxes, scores, classes, iou):
    """Textbook greedy NMS, one box at a time, with the IoU written out."""
    order = sorted(range(len(boxes)), key=lambda i: -float(scores[i]))
    keep: list[int] = []
    for i in order:
        x1, y1, x2, y2 = (float(v) for v in boxes[i])
        ok = True
        for k in keep:
            if classes[k] != classes[i]:
                continue
            a1, b1, a2, b2 = (float(v) for v in boxes[k])
            inter = max(0.0, min(x2, a2) - max(x1, a1)) * max(0.0, min(y2, b2) - max(y1, b1))
            union = (x2 - x1) * (y2 - y1) + (a2 - a1) * (b2 - b1) - inter
            if union > 0 and inter / union > iou:
                ok = False
                break
        if ok:
            keep.append(i)
    return keep


def test_nms_keeps_what_textbook_greedy_nms_keeps_and_survives_empty_boxes():
    rng = np.random.default_rng(5)
    for _ in range(100):
        b, s, c = _random_boxes(rng, int(rng.integers(1, 60)), classes=2, crowd=True)
        assert nms(b, s, 0.45, c).tolist() == _greedy_nms(b, s, c, 0.45)
    # A box clipped to nothing at the image's edge (zero area) is kept, once; it suppresses
    # nothing and nothing suppresses it.
    flat = np.array([[1.0, 0.2, 1.0, 0.4], [0.1, 0.1, 0.3, 0.3], [0.1, 0.1, 0.3, 0.31]],
                    np.float32)
    assert nms(flat, np.array([0.9, 0.8, 0.7], np.float32), 0.45).tolist() == [0, 1]


def test_decoding_a_batch_gives_the_detections_of_each_frame_alone(clip12, detector):
    frames = list(read_frames(str(clip12), "C", fps=5, start=T0))[:12]
    rans = [detector.run_planes(f.planes) for f in frames]
    # A frame with no candidate in the middle of the batch, and one of another size.
    rans[3] = rans[3]._replace(cells=rans[3].cells[:0], rows=rans[3].rows[:0])
    rans[5] = rans[5]._replace(width=rans[5].width // 2, scale=0.5)
    batch = detector.decode_batch(rans, "C", [f.ts for f in frames])
    assert len(batch) == len(frames) and len(batch[3]) == 0
    for ran, f, got in zip(rans, frames, batch, strict=True):
        alone = detector.decode_image(ran, "C", f.ts)
        assert got.ts == f.ts and got.camera_id == "C"
        assert np.array_equal(got.boxes, alone.boxes)
        assert np.array_equal(got.scores, alone.scores)
        assert np.array_equal(got.classes, alone.classes)
    assert sum(len(d) for d in batch) > 20
    assert detector.decode_batch([], "C", []) == []
    with pytest.raises(ValueError, match="2 model runs but 1 times"):
        detector.decode_batch(rans[:2], "C", [T0])


def test_counting_a_batch_equals_counting_frame_by_frame():
    from datetime import timedelta

    from sentinelle.vision.counting import Counter, Line, Zone
    from sentinelle.vision.detections import Detections

    rng = np.random.default_rng(3)
    zones = [Zone("place", ((0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8))),
             Zone("coin", ((0.0, 0.0), (0.3, 0.0), (0.0, 0.3)))]
    lines = [Line("rue", ((0.5, 0.0), (0.5, 0.5), (0.9, 0.9))),  # a polyline
             Line("quai", ((0.1, 0.6), (0.9, 0.6)))]
    frames = []
    pos = rng.random((12, 2))
    for k in range(120):
        pos = np.clip(pos + rng.normal(0, 0.03, pos.shape), 0.02, 0.98)
        if k % 15 == 0:
            pos[:3] = 0.5 + rng.normal(0, 0.004, (3, 2))  # lingering on the lines
        shown = rng.random(12) > 0.2
        ids = np.where(rng.random(12) > 0.1, np.arange(1, 13), -1)[shown]
        p = pos[shown]
        boxes = np.stack([p[:, 0] - 0.02, p[:, 1] - 0.1, p[:, 0] + 0.02, p[:, 1]], 1)
        frames.append(Detections(
            camera_id="C", ts=T0 + timedelta(seconds=k * 0.7), boxes=boxes.astype(np.float32),
            scores=np.full(len(p), 0.9, np.float32),
            classes=rng.integers(0, 2, len(p)).astype(np.int8), track_ids=ids))
    one = Counter(zones, lines, forget_s=2.0)
    for d in frames:
        one.update(d)
    many = Counter(zones, lines, forget_s=2.0)
    for i in range(0, len(frames), 7):
        many.update_batch(frames[i:i + 7])
    want = one.flush()
    assert sum(c.count for c in want if c.line) > 10 and sum(c.count for c in want if c.zone)
    assert many.flush() == want


def test_nms_of_many_frames_at_once_equals_nms_frame_by_frame():
    rng = np.random.default_rng(11)
    sizes = [0, 5, 60, 1, 0, 600, 30, 2, 90, 0]  # one crowded frame is suppressed alone
    boxes, scores, classes, frames, want = [], [], [], [], []
    start = 0
    for f, n in enumerate(sizes):
        b, s, c = _random_boxes(rng, n, classes=3)
        want += (nms(b, s, 0.45, c) + start).tolist()
        boxes.append(b)
        scores.append(s)
        classes.append(c)
        frames.append(np.full(n, f))
        start += n
    got = nms(np.concatenate(boxes), np.concatenate(scores), 0.45, np.concatenate(classes),
              np.concatenate(frames))
    assert got.tolist() == want and len(want) > 100
