"""Tracker and counter on hand-built detections: ids within one camera, crossings with their
direction, the dead band around a line, zone entries, buckets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from sentinelle.vision.counting import Counter, Line, Zone, bucket_start
from sentinelle.vision.detections import Detections
from sentinelle.vision.tracker import Tracker

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def dets(cam: str, t: float, boxes: list[tuple[float, float, float, float]],
         cls: int = 0, score: float = 0.9) -> Detections:
    n = len(boxes)
    return Detections(camera_id=cam, ts=T0 + timedelta(seconds=t),
                      boxes=np.asarray(boxes, np.float32).reshape(n, 4),
                      scores=np.full(n, score, np.float32), classes=np.full(n, cls, np.int8))


def walker(x: float, y: float = 0.5) -> tuple[float, float, float, float]:
    """A person box whose feet are at (x, y)."""
    return (x - 0.02, y - 0.12, x + 0.02, y)


def test_tracker_keeps_ids_along_a_walk_and_never_across_cameras():
    tr = Tracker("A")
    ids = []
    for i in range(10):
        out = tr.update(dets("A", i * 0.2, [walker(0.2 + 0.01 * i), walker(0.8 - 0.01 * i)]))
        ids.append(tuple(out.track_ids))
    assert len(set(ids)) == 1 and ids[0][0] != ids[0][1]
    with pytest.raises(ValueError, match="never cross cameras"):
        tr.update(dets("B", 2.0, [walker(0.3)]))
    other = Tracker("B").update(dets("B", 0, [walker(0.3)]))
    assert other.track_ids[0] == 1  # ids are local to each camera's tracker


def test_tracker_low_scores_continue_tracks_but_never_open_one():
    tr = Tracker("A")
    first = tr.update(dets("A", 0, [walker(0.5)]))
    weak = tr.update(dets("A", 0.2, [walker(0.505)], score=0.35))
    assert weak.track_ids[0] == first.track_ids[0]
    stray = tr.update(dets("A", 0.4, [walker(0.1)], score=0.35))
    assert stray.track_ids[0] == -1


def test_tracker_drops_lost_tracks():
    tr = Tracker("A", max_lost_s=1.0)
    a = tr.update(dets("A", 0, [walker(0.5)])).track_ids[0]
    b = tr.update(dets("A", 5, [walker(0.5)])).track_ids[0]
    assert a != b


def count(walks: list[list[float]], line: Line, **kw) -> dict:
    tr, c = Tracker("A"), Counter(lines=[line], **kw)
    steps = max(len(w) for w in walks)
    for i in range(steps):
        boxes = [walker(w[i]) for w in walks if i < len(w)]
        c.update(tr.update(dets("A", i * 0.2, boxes)))
    out: dict = {}
    for k in c.flush():
        out[(k.line, k.direction)] = out.get((k.line, k.direction), 0) + k.count
    return out


VERTICAL = Line("v", ((0.5, 0.2), (0.5, 0.8)))  # from top to bottom: side a is x < 0.5


def test_line_crossings_are_counted_with_their_direction():
    east = [0.30 + 0.02 * i for i in range(20)]
    west = [0.72 - 0.02 * i for i in range(20)]
    got = count([east, west, [0.1 + 0.001 * i for i in range(20)]], VERTICAL)
    assert got == {("v", "a_to_b"): 1, ("v", "b_to_a"): 1}
    flipped = Line("v", ((0.5, 0.8), (0.5, 0.2)))
    assert count([east], flipped) == {("v", "b_to_a"): 1}


def test_jitter_on_the_line_counts_nothing_and_a_crossing_beyond_its_end_neither():
    jitter = [0.495, 0.505] * 10
    assert count([jitter], VERTICAL) == {}
    short = Line("s", ((0.5, 0.0), (0.5, 0.3)))  # feet walk at y = 0.5, below its end
    assert count([[0.3 + 0.02 * i for i in range(20)]], short) == {}


def test_zone_entries_and_buckets():
    zone = Zone("z", ((0.4, 0.3), (0.6, 0.3), (0.6, 0.7), (0.4, 0.7)))
    tr, c = Tracker("A"), Counter(zones=[zone], bucket_s=10)
    for i in range(40):  # 8 s: one walker goes in and out, then another appears inside at t = 9 s
        boxes = [walker(0.3 + 0.01 * i)]
        if i >= 30:
            boxes.append(walker(0.5 + 0.001 * i, y=0.55))
        c.update(tr.update(dets("A", 3 + i * 0.2, boxes)))
    early = c.flush(before=T0 + timedelta(seconds=10))
    assert [(k.zone, k.cls, k.count, k.start) for k in early] == [
        ("z", "person", 2, T0)]
    assert c.flush() == []
    assert bucket_start(T0 + timedelta(seconds=17), 10) == T0 + timedelta(seconds=10)


def test_counting_needs_tracks():
    with pytest.raises(ValueError, match="tracker"):
        Counter().update(dets("A", 0, [walker(0.5)]))
