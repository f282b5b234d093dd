"""Camera health with a fixed `now`, on SQLite and PostgreSQL: states, availability, gaps."""

from datetime import UTC, datetime, timedelta

import pytest

from sentinelle.record.health import camera_health
from sentinelle.record.journal import (
    CameraState,
    CameraStatusUpdate,
    GapReason,
    RecorderJournal,
)
from sentinelle.record.segments import Segment, SegmentIndex
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry

NOW = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)  # a DST change day in Europe/Paris
H = timedelta(hours=1)


def _footage(index: SegmentIndex, camera_id: str, start: datetime, end: datetime,
             *, seconds: int = 600, kbps: float = 4000) -> None:
    """Contiguous segments of `seconds` from start to end."""
    t = start
    while t < end:
        e = min(t + timedelta(seconds=seconds), end)
        d = (e - t).total_seconds()
        index.add(Segment(camera_id, f"{camera_id}/{t:%Y%m%dT%H%M%SZ}.mp4", t, e,
                          int(kbps * 1000 / 8 * d), "0" * 64), now=NOW)
        t = e


@pytest.fixture
def setup(db, tmp_path):
    Registry(db).save_cameras([
        Camera(id="A", lon=-1.68, lat=48.11, stream_main="rtsp://127.0.0.1:1/a"),
        Camera(id="B", lon=-1.68, lat=48.11, stream_main="rtsp://127.0.0.1:1/b"),
        Camera(id="NEW", lon=-1.68, lat=48.11, stream_main="rtsp://127.0.0.1:1/n"),
        Camera(id="PLAN", lon=-1.68, lat=48.11),  # no stream: not recorded
    ])
    index = SegmentIndex(db, tmp_path)
    journal = RecorderJournal(db)
    # A: recorded for 40 days but for 6 h ending 24 h ago, and silent for the last minute.
    _footage(index, "A", NOW - timedelta(days=40), NOW - 30 * H, seconds=6 * 3600)
    _footage(index, "A", NOW - 24 * H, NOW - timedelta(minutes=1), seconds=3600)
    # B: first recorded 2 hours ago, silent for the last 30 minutes.
    _footage(index, "B", NOW - 2 * H, NOW - H / 2)
    journal.open_gap("A", start=NOW - 30 * H, reason=GapReason.stream_lost)
    journal.close_gap("A", end=NOW - 24 * H)
    journal.open_gap("B", start=NOW - H / 2, reason=GapReason.stream_lost, detail="refused")
    return index, journal


def test_without_recorder_every_camera_is_stopped(db, setup):
    report = camera_health(db, now=NOW)
    assert not report.recorder.running
    by_id = {c.id: c for c in report.cameras}
    assert sorted(by_id) == ["A", "B", "NEW"]
    assert {c.state for c in report.cameras} == {"stopped"}
    a, b, new = by_id["A"], by_id["B"], by_id["NEW"]
    assert a.last_segment == NOW - timedelta(minutes=1)
    assert a.availability_24h == pytest.approx((24 * 60 - 1) / (24 * 60))
    assert a.availability_30d == pytest.approx(1 - (6 * 60 + 1) / (30 * 24 * 60))
    assert a.gaps_24h == 0  # its gap ended 24 h ago exactly: outside the window
    assert a.bitrate_kbps == pytest.approx(4000)
    assert b.availability_24h == pytest.approx(0.75)  # 1.5 h of the 2 h since first footage
    assert b.gaps_24h == 1 and b.gap_s_24h == pytest.approx(1800)
    assert b.silent_s == pytest.approx(1800) and b.alert
    assert new.last_segment is None and new.availability_30d is None
    assert report.alerts[0].startswith("B: silent for 1800 s")
    js = report.as_json()
    cam = next(c for c in js["cameras"] if c["id"] == "A")
    assert cam["last_segment"] == "2026-10-25T11:59:00Z"
    assert set(cam) >= {"id", "state", "last_segment", "bitrate_kbps", "gaps_24h",
                        "availability_30d"}


def test_states_from_a_live_recorder_and_a_stale_one(db, setup):
    journal = setup[1]
    rid = journal.register_recorder(recordings="/r", now=NOW - timedelta(seconds=20),
                                    heartbeat_s=5, offline_after_s=60)
    updates = [
        CameraStatusUpdate("A", CameraState.recording, NOW - H, NOW - H, NOW, 0, None),
        CameraStatusUpdate("B", CameraState.reconnecting, NOW - H / 2, NOW - 2 * H,
                           NOW - H / 2, 3, "rtsp://***@h/b: Connection refused"),
    ]
    journal.heartbeat(rid, now=NOW - timedelta(seconds=2), cameras=updates)
    report = camera_health(db, now=NOW)
    assert report.recorder.running
    by_id = {c.id: c for c in report.cameras}
    assert by_id["A"].state == "recording" and not by_id["A"].alert
    # Reconnecting for longer than the threshold reads as offline.
    assert by_id["B"].state == "offline" and by_id["B"].alert and by_id["B"].restarts == 3
    assert by_id["NEW"].state == "stopped"  # not handled by this recorder
    # A heartbeat older than three periods: the recorder is gone.
    later = camera_health(db, now=NOW + timedelta(seconds=30))
    assert not later.recorder.running
    assert {c.state for c in later.cameras} == {"stopped"}
    journal.stop_recorder(rid, now=NOW)
    assert not camera_health(db, now=NOW).recorder.running
