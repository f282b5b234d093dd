"""Event detection supervised by `analytics run`: it runs on the cameras a basis in force covers,
only while it covers them, restarts after its source ends, and stops when the basis ends."""

from __future__ import annotations

import time
from datetime import timedelta

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.events.basis import EventBases
from sentinelle.events.runner import sessions
from sentinelle.events.supervisor import EventSupervisor
from sentinelle.vision.detector import Detector
from tests.analytics.conftest import clip12, cut, vtest, yolox  # noqa: F401  (fixtures)
from tests.events.conftest import END, START


class Clock:
    def __init__(self, t):
        self.t = t

    def __call__(self):
        return self.t


def _wait(cond, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_events_run_where_and_while_a_basis_covers_the_camera(db, keys, cameras, basis,
                                                             clip12, yolox):  # noqa: F811
    clock = Clock(START - timedelta(minutes=5))
    sup = EventSupervisor(db, keys, source_for=lambda cid: str(clip12),
                          detector_factory=lambda: Detector(yolox),
                          masks_for=lambda c, h: [], fps=2, backoff_s=0.0, backoff_max_s=0.0,
                          realtime=False, now=clock)
    try:
        sup.tick()  # before the period: nothing runs
        assert sup.workers == {} and sessions(db) == []
        clock.t = START + timedelta(minutes=1)
        sup.tick()
        assert set(sup.workers) == {"SYN-1"}  # SYN-2 is not in the basis
        assert sup.wait_idle(120)  # the clip ends; the pipeline with it
        (first,) = sessions(db)
        assert (first["camera"], first["basis"]) == ("SYN-1", basis.id)
        assert first["stop_reason"] == "end_of_source"
        sup.tick()  # reaps the ended pipeline; the camera is still covered: it starts again
        sup.tick()
        assert "SYN-1" in sup.workers
        # The basis is ended early (decision withdrawn): the pipeline stops, none restarts.
        EventBases(db, keys).end(basis.id, reason="arrêté abrogé", actor=Actor.cli(),
                                 at=clock.t + timedelta(seconds=1), now=clock.t)
        clock.t += timedelta(seconds=2)
        sup.tick()
        _wait(lambda: not sup.workers or all(w.done for w in sup.workers.values()))
        sup.tick()
        assert sup.workers == {}
        clock.t = END - timedelta(minutes=1)
        sup.tick()
        assert sup.workers == {}
    finally:
        sup.shutdown()
    runs = sessions(db)
    assert len(runs) == 2 and all(r["stopped_at"] for r in runs)
    starts = [e for e in AuditLog(db, keys).entries(action="analytics_basis_change")
              if e.details.get("change") == "events_start"]
    assert [(e.actor, e.object_id) for e in starts] == [("system:analytics", "SYN-1")] * 2


def test_a_covered_camera_without_a_stream_is_skipped(db, keys, cameras, basis,
                                                    yolox):  # noqa: F811
    sup = EventSupervisor(db, keys, source_for=lambda cid: None,
                          detector_factory=lambda: Detector(yolox), masks_for=lambda c, h: [],
                          now=Clock(START + timedelta(minutes=1)))
    sup.tick()
    assert sup.workers == {} and sessions(db) == []
