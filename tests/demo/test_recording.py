"""Recording in the demo: test cameras attached to demo cameras, recorded in background."""

import os
from datetime import UTC, datetime

from sentinelle.access.audit import AuditLog
from sentinelle.access.keys import Keys, load_keys
from sentinelle.db.engine import open_database
from sentinelle.demo.recording import attach_streams, demo_recording
from sentinelle.record.segments import SegmentIndex
from sentinelle.record.supervisor import find_orphans, recordings_root
from sentinelle.registry.camera import Camera, CameraStatus
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings
from tests.record.conftest import require_video_tools, wait_for


def _registry(db, keys):
    Registry(db, keys=keys).save_cameras([
        Camera(id="R01-1", lon=-1.68, lat=48.11),
        Camera(id="R01-2", lon=-1.68, lat=48.11),
        Camera(id="R00-0", lon=-1.68, lat=48.11, status=CameraStatus.planned),
    ])


def test_attach_streams_is_idempotent(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 's.db'}")
    keys = Keys(b"k" * 32, origin="tests")
    _registry(db, keys)
    registry = Registry(db, keys=keys)
    urls = {"cam0": "rtsp://127.0.0.1:8554/cam0", "cam1": "rtsp://127.0.0.1:8554/cam1"}
    assert attach_streams(db, keys, urls) == {"R01-1": "cam0", "R01-2": "cam1"}
    assert registry.camera("R01-1").stream_main == urls["cam0"]  # planned R00-0 skipped
    versions = len(registry.camera_history("R01-1"))
    assert attach_streams(db, keys, urls) == {"R01-1": "cam0", "R01-2": "cam1"}
    assert len(registry.camera_history("R01-1")) == versions  # nothing rewritten
    assert registry.count_cameras() == 3
    (change,) = AuditLog(db, keys).entries(action="config_change")
    assert change.actor.startswith("cli:") and change.details["cameras"] == ["R01-1", "R01-2"]
    db.dispose()


def test_demo_records_in_background_and_stops_with_it(tmp_path, monkeypatch):
    require_video_tools()
    home = tmp_path / "home"
    monkeypatch.delenv("SENTINELLE_DATABASE_URL", raising=False)
    settings = Settings(home=home, database_url=None)
    settings.ensure_home()
    db = open_database(settings.url)
    _registry(db, load_keys(settings))
    index = SegmentIndex(db, recordings_root(home))
    messages = []
    with demo_recording(settings, db, echo=messages.append) as rec:
        assert rec is not None, messages
        chosen = list(rec.cameras)
        assert chosen[0] == "R01-1"
        wait_for(lambda: index.count("R01-1") >= 1, timeout=90,
                 what="the demo camera's first segment")
        assert rec.recorder.poll() is None
    assert rec.recorder.returncode == 0  # stopped gracefully
    assert rec.server.proc is None
    assert find_orphans(recordings_root(home)) == []
    assert "Recording demo: R01-1 ← rtsp://127.0.0.1:" in messages[-1]
    first = index.segments("R01-1")[0]
    assert first.end <= datetime.now(UTC)
    versions = len(Registry(db).camera_history("R01-1"))
    # A second run reuses the same cameras and streams: nothing duplicated.
    with demo_recording(settings, db, echo=messages.append) as again:
        assert list(again.cameras) == chosen
        again.recorder.terminate()
        again.recorder.wait(timeout=60)
    if again.server.port == rec.server.port:
        assert len(Registry(db).camera_history("R01-1")) == versions
    assert Registry(db).count_cameras() == 3
    assert os.path.exists(home / "recorder.log")
    db.dispose()
