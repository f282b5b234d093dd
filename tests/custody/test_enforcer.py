"""Retention enforced while recording: the enforcer's runs, its resilience, and
`sentinelle record run --purge-every` destroying old footage while it records."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.custody.destruction import DestructionRegister
from sentinelle.custody.enforcer import RetentionEnforcer
from sentinelle.custody.holds import HoldStore
from sentinelle.record.segments import SegmentIndex
from tests.record.conftest import (  # noqa: F401  (fixtures)
    add_cameras,
    rec_db,
    rec_home,
    rec_keys,
    testcams,
    wait_for,
)

SENTINELLE = str(Path(sys.executable).parent / "sentinelle")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KEYS = Keys(b"e" * 32, origin="test")


def _footage(db, tmp_path, place):
    index = SegmentIndex(db, tmp_path / "recordings")
    segs = {name: place(index, "CAM-A", NOW - timedelta(days=days))
            for name, days in (("d40", 40), ("d35", 35), ("d31", 31), ("d2", 2))}
    HoldStore(db, KEYS).add("CAM-A", segs["d35"].start, segs["d35"].end, reason="PV-7",
                            until=NOW + timedelta(days=10), actor=Actor.cli(),
                            now=NOW - timedelta(days=35))
    return index, segs


def test_the_enforcer_purges_at_start_and_again_each_period(db, tmp_path, place):
    index, segs = _footage(db, tmp_path, place)
    reports, ran_twice = [], threading.Event()

    def seen(report):
        reports.append(report)
        if len(reports) >= 2:
            ran_twice.set()

    stop = threading.Event()
    enforcer = RetentionEnforcer(db, index.root, keys=KEYS, quota_bytes=None, every_s=0.2,
                                 clock=lambda: NOW, on_report=seen)
    thread = enforcer.start(stop)
    assert ran_twice.wait(30), "the enforcer did not run twice"
    stop.set()
    thread.join(10)
    assert not thread.is_alive()
    # The first run destroyed what is past 30 days and not held; the second found nothing.
    assert {s.path for s in reports[0].deleted} == {segs["d40"].path, segs["d31"].path}
    assert reports[1].deleted == []
    left = {s.path for s in index.segments()}
    assert left == {segs["d35"].path, segs["d2"].path}
    assert not (index.root / segs["d40"].path).exists()
    assert (index.root / segs["d35"].path).exists()  # under a legal hold
    rows = DestructionRegister(db).rows()
    assert [(r.camera_id, r.segments, r.actor) for r in rows] == [("CAM-A", 2, "system:purge")]
    entries = AuditLog(db, KEYS).entries(action="purge")
    assert [e.actor for e in entries] == ["system:purge"]
    assert AuditLog(db, KEYS).verify().ok


def test_a_failing_run_is_logged_and_the_next_one_still_happens(db, tmp_path, place, caplog):
    index, segs = _footage(db, tmp_path, place)
    calls = []

    def clock():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("clock unavailable")
        return NOW

    done = threading.Event()
    stop = threading.Event()
    enforcer = RetentionEnforcer(db, index.root, keys=KEYS, quota_bytes=None, every_s=0.1,
                                 clock=clock, on_report=lambda r: done.set())
    thread = enforcer.start(stop)
    assert done.wait(30)
    stop.set()
    thread.join(10)
    assert enforcer.errors == 1 and enforcer.runs >= 1
    assert "retention purge failed" in caplog.text
    assert segs["d40"].path not in {s.path for s in index.segments()}


def test_the_enforcer_drops_alert_thumbnails_past_the_video_retention(db, tmp_path):
    """A thumbnail is an image of the footage: the unattended purge drops it when the footage
    would be destroyed, keeps the alert's metadata six months, then drops that too."""
    import numpy as np

    from sentinelle.events.alerts import Alerts
    from sentinelle.events.basis import EventBases
    from sentinelle.events.detectors import EventHit
    from sentinelle.registry.camera import Camera
    from sentinelle.registry.store import Registry

    Registry(db, keys=KEYS).save_cameras([Camera(id="CAM-E", lon=-1.68, lat=48.11,
                                                 retention_days=15)])
    seen = NOW - timedelta(days=20)
    basis = EventBases(db, KEYS).add(
        text="loi 2023-380 art. 10 ; décret 2023-828", decision="AP-9", cameras="CAM-E",
        start=seen - timedelta(hours=1), end=seen + timedelta(hours=4),
        events="zone_interdite", actor=Actor.cli(), now=seen - timedelta(days=1))
    frame = np.random.default_rng(2).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    alerts = Alerts(db, KEYS)
    old, recent = (alerts.raise_(EventHit("zone_interdite", "CAM-E", t, (1,),
                                          ((0.4, 0.3, 0.5, 0.7),), "zone_interdite:quai"),
                                 basis_id=basis.id, frame=frame, now=t)
                   for t in (seen, NOW - timedelta(days=2)))
    clock = [NOW]
    enforcer = RetentionEnforcer(db, tmp_path / "recordings", keys=KEYS, quota_bytes=None,
                                 every_s=60, clock=lambda: clock[0])
    assert enforcer.run_once() is not None
    assert alerts.thumbnail(old.id) is None and alerts.get(old.id).type == "zone_interdite"
    assert alerts.thumbnail(recent.id)[:2] == b"\xff\xd8"
    assert enforcer.alerts_purged == {"thumbnails": 1, "alerts": 0}
    clock[0] = NOW + timedelta(days=200)  # past six months: the alert itself goes
    enforcer.run_once()
    assert [a.id for a in alerts.list()] == []
    assert enforcer.alerts_purged == {"thumbnails": 2, "alerts": 2} and enforcer.errors == 0


def test_a_period_must_be_positive(db, tmp_path):
    with pytest.raises(ValueError, match="purge period must be positive"):
        RetentionEnforcer(db, tmp_path, keys=KEYS, quota_bytes=None, every_s=0)


def test_record_run_destroys_old_footage_while_it_records(testcams, rec_db, rec_home,  # noqa: F811
                                                         rec_keys, place):  # noqa: F811
    server = testcams(1)
    add_cameras(rec_db, rec_keys, {"CAM": server.urls["cam0"]})
    index = SegmentIndex(rec_db, rec_home / "recordings")
    old = place(index, "CAM", datetime.now(UTC) - timedelta(days=40))
    env = {**os.environ, "SENTINELLE_HOME": str(rec_home)}
    env.pop("SENTINELLE_DATABASE_URL", None)
    argv = [SENTINELLE, "record", "run", "--segment-time", "3", "--rtsp-timeout", "2",
            "--no-auto-tickets", "--purge-every", "0.01"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        wait_for(lambda: old.path not in index.indexed_paths(), timeout=60,
                 what="the 40-day-old segment to be purged")
        wait_for(lambda: index.count("CAM") >= 2, timeout=60,
                 what="new segments recorded meanwhile")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "retention enforced every 0.01 min" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not (index.root / old.path).exists()
    assert index.verify().ok  # every segment left (the new ones) is on disk, unchanged
    assert [r.actor for r in DestructionRegister(rec_db).rows()] == ["system:purge"]
    assert [e.actor for e in AuditLog(rec_db, rec_keys).entries(action="purge")] == [
        "system:purge"]
