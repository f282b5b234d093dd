"""End to end: RTSP test cameras → the recorder → indexed segments that verify → status."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.errors import RecorderBusy
from sentinelle.record.health import camera_health
from sentinelle.record.journal import RecorderJournal
from sentinelle.record.segments import SegmentIndex
from sentinelle.record.sources import RecordingSource, recording_sources
from sentinelle.record.supervisor import Recorder, build_recorder
from sentinelle.registry.camera import Camera, CameraStatus
from tests.record.conftest import FAST, RunningRecorder, add_cameras, wait_for

runner = CliRunner()


def test_sources_one_per_distinct_stream():
    cams = [
        Camera(id="A", lon=0, lat=0, stream_main="rtsp://u:p@h/1"),
        Camera(id="B", lon=0, lat=0, stream_main="rtsp://u:p@h/1"),  # same stream as A
        Camera(id="C", lon=0, lat=0),  # no stream
        Camera(id="D", lon=0, lat=0, stream_main="rtsp://h/4", status=CameraStatus.planned),
        Camera(id="E", lon=0, lat=0, stream_main="rtsp://h/5"),
    ]
    got = recording_sources(cams)
    assert [s.camera_id for s in got] == ["A", "E"]
    assert "p@" not in repr(got[0]) and got[0].safe_url == "rtsp://***@h/1"
    assert [s.camera_id for s in recording_sources(cams, only=["E"])] == ["E"]


def test_end_to_end_record_index_verify_status(testcams, rec_db, rec_home, rec_keys,
                                               monkeypatch):
    server = testcams(2)
    add_cameras(rec_db, rec_keys, {"REN-A": server.urls["cam0"], "REN-B": server.urls["cam1"]})
    recorder = build_recorder(rec_db, rec_home / "recordings", keys=rec_keys, config=FAST)
    assert [s.camera_id for s in recorder.sources] == ["REN-A", "REN-B"]
    running = RunningRecorder(recorder).start()
    index = SegmentIndex(rec_db, rec_home / "recordings")
    try:
        wait_for(lambda: all(index.count(c) >= 3 for c in ("REN-A", "REN-B")), timeout=40,
                 what="three segments per camera")
        report = camera_health(rec_db, now=datetime.now(UTC))
        states = {c.id: c.state for c in report.cameras}
        assert states == {"REN-A": "recording", "REN-B": "recording"}
        # The CLI reads the same status while the recorder runs.
        monkeypatch.setenv("SENTINELLE_HOME", str(rec_home))
        monkeypatch.delenv("SENTINELLE_DATABASE_URL", raising=False)
        res = runner.invoke(app, ["record", "status", "--json"])
        assert res.exit_code == 0, res.output
        status = json.loads(res.stdout)
        assert {c["id"]: c["state"] for c in status["cameras"]} == states
        cam = status["cameras"][0]
        assert set(cam) >= {"id", "state", "last_segment", "bitrate_kbps", "gaps_24h",
                            "availability_30d"}
        assert cam["last_segment"].endswith("Z")
        assert datetime.fromisoformat(cam["last_segment"].replace("Z", "+00:00")).tzinfo
        assert 200 < cam["bitrate_kbps"] < 500  # the clip is 300 kb/s
        assert 0 < cam["availability_30d"] <= 1
        with pytest.raises(RecorderBusy, match="another recorder"):
            Recorder(rec_db, rec_home / "recordings", []).start()
    finally:
        running.stop()
    segs = index.segments("REN-A")
    assert len(segs) >= 3
    for prev, nxt in zip(segs, segs[1:], strict=False):
        # One run: each segment starts where the previous one ends.
        assert abs((nxt.start - prev.end).total_seconds()) < 0.2
    full = [s for s in segs[:-1]]
    # 2 s segments on 1 s GOPs. The muxer cuts at the first keyframe past each 2 s boundary:
    # under load a late keyframe makes one segment 3 s and the next 1 s, never more or less.
    inner = [s.duration_s for s in full[1:]]
    assert all(0.8 <= d <= 3.5 for d in inner), inner
    assert 1.5 <= sum(inner) / len(inner) <= 2.5, inner
    assert all(s.complete for s in segs)
    assert all(s.start.tzinfo is not None for s in segs)
    # Every file on disk is indexed, every indexed file hashes as indexed.
    on_disk = {index.relative(p) for p in (rec_home / "recordings").rglob("*.mp4")}
    assert on_disk == {s.path for s in index.segments()}
    assert index.verify().ok
    res = runner.invoke(app, ["record", "verify"])
    assert res.exit_code == 0 and "0 changed, 0 missing" in res.stdout
    after = camera_health(rec_db, now=datetime.now(UTC))
    assert {c.state for c in after.cameras} == {"stopped"}
    assert not after.recorder.running


def test_verify_names_a_segment_altered_on_disk(testcams, rec_db, rec_home, run_recorder,
                                                monkeypatch):
    server = testcams(1)
    running = run_recorder([RecordingSource("CAM", server.urls["cam0"])])
    index = SegmentIndex(rec_db, rec_home / "recordings")
    wait_for(lambda: index.count("CAM") >= 2, timeout=60, what="two segments")
    running.stop()
    victim = index.segments("CAM")[0]
    path = rec_home / "recordings" / victim.path
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    monkeypatch.setenv("SENTINELLE_HOME", str(rec_home))
    monkeypatch.delenv("SENTINELLE_DATABASE_URL", raising=False)
    res = runner.invoke(app, ["record", "verify"])
    assert res.exit_code == 1
    assert f"changed: {victim.path}" in res.output
    res = runner.invoke(app, ["record", "verify", "--json"])
    assert json.loads(res.stdout)["changed"] == [victim.path]


def test_credentials_never_reach_logs_or_database(testcams, rec_db, rec_home, run_recorder,
                                                  caplog):
    server = testcams(1, auth=("opérateur", "Tr3s-s3cret"))
    good = server.urls["cam0"].replace("opérateur", "op%C3%A9rateur")
    bad = good.replace("Tr3s-s3cret", "wr0ng-pa55")
    caplog.set_level(logging.DEBUG, logger="sentinelle")
    running = run_recorder([RecordingSource("GOOD", good), RecordingSource("BAD", bad)])
    index = SegmentIndex(rec_db, rec_home / "recordings")
    journal = RecorderJournal(rec_db)
    wait_for(lambda: index.count("GOOD") >= 1, timeout=60, what="a segment with credentials")
    wait_for(lambda: any(r.camera_id == "BAD" and r.ended_at for r in journal.runs()),
             timeout=60, what="the wrong password to be refused")
    running.stop()
    text = caplog.text
    assert "401" in text or "Unauthorized" in text  # ffmpeg's refusal did reach the log
    rows = [str(vars(r)) for r in journal.camera_rows()] + [str(g) for g in journal.gaps()]
    for secret in ("Tr3s-s3cret", "wr0ng-pa55", "op%C3%A9rateur", "opérateur"):
        assert secret not in text
        assert all(secret not in r for r in rows)
    assert index.count("BAD") == 0
    assert timedelta(0) <= datetime.now(UTC) - index.last("GOOD").end < timedelta(minutes=2)
