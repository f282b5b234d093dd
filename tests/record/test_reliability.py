"""Reliability with real components: a camera that stops and comes back, a frozen camera
(SIGSTOP on its server), the recorder killed with SIGKILL and restarted, orphan ffmpeg."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sentinelle.access.audit import AuditLog
from sentinelle.record.ffmpeg import record_argv
from sentinelle.record.health import camera_health
from sentinelle.record.journal import CameraState, RecorderJournal
from sentinelle.record.logbook import Logbook
from sentinelle.record.mp4 import probe_fragmented_mp4
from sentinelle.record.segments import SegmentIndex, prepare_camera_dir
from sentinelle.record.sources import RecordingSource
from sentinelle.record.supervisor import (
    SYSTEM_RECORDER,
    _alive,
    build_recorder,
    find_orphans,
)
from sentinelle.record.testcam import TestCameraServer, _free_port
from tests.record.conftest import FAST, RunningRecorder, add_cameras, wait_for

SENTINELLE = str(Path(sys.executable).parent / "sentinelle")


def _decodes(path: Path) -> bool:
    res = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null",
                          "-"], capture_output=True, text=True)
    return res.returncode == 0 and not res.stderr.strip()


def test_camera_stops_and_comes_back(clip, rec_db, rec_home, rec_keys):
    port = _free_port("127.0.0.1")
    server = TestCameraServer({"cam0": clip}, port=port).start()
    add_cameras(rec_db, rec_keys, {"CAM": server.urls["cam0"]})
    running = RunningRecorder(build_recorder(rec_db, rec_home / "recordings", keys=rec_keys,
                                             config=FAST))
    running.start()
    rec = running.recorder
    index = SegmentIndex(rec_db, rec_home / "recordings")
    journal = RecorderJournal(rec_db)
    audit = AuditLog(rec_db, rec_keys)
    book = Logbook(rec_db, audit)
    try:
        wait_for(lambda: index.count("CAM") >= 2, timeout=60, what="two segments")
        server.stop()
        stopped_at = datetime.now(UTC)
        wait_for(lambda: rec.state("CAM") != CameraState.recording, timeout=10,
                 what="the camera to be seen lost")
        gap = wait_for(lambda: journal.open_gap_of("CAM"), timeout=10, what="an open gap")
        assert gap.reason == "stream_lost"
        before = index.last("CAM")
        assert abs((gap.start - before.end).total_seconds()) < 0.01
        # Silent longer than offline_after_s (4 s): offline, alert, ticket by the recorder.
        wait_for(lambda: rec.state("CAM") == CameraState.offline, timeout=15,
                 what="the offline alert")
        # The state flips before the ticket is written (same tick): wait for it too.
        ticket = wait_for(lambda: book.open_ticket_for("CAM", opened_by=SYSTEM_RECORDER),
                          timeout=10, what="the recorder's ticket")
        assert "no footage" in ticket.fault
        health = camera_health(rec_db, now=datetime.now(UTC))
        assert health.cameras[0].state == "offline" and health.cameras[0].alert
        assert health.alerts and health.alerts[0].startswith("CAM: silent for")

        server = TestCameraServer({"cam0": clip}, port=port).start()  # the camera is back
        wait_for(lambda: journal.open_gap_of("CAM") is None, timeout=60,
                 what="the gap to close when footage resumes")
        wait_for(lambda: rec.state("CAM") == CameraState.recording, timeout=10,
                 what="recording to resume")
        wait_for(lambda: index.count("CAM") >= len(index.segments("CAM", end=stopped_at)) + 2,
                 timeout=60, what="two segments after the comeback")
    finally:
        running.stop()
        server.stop()
    (closed,) = [g for g in journal.gaps("CAM") if g.reason == "stream_lost"]
    after = [s for s in index.segments("CAM") if s.start >= closed.start]
    assert closed.end == after[0].start  # the gap ends where footage resumes
    assert closed.duration_s(now=datetime.now(UTC)) > 4
    assert all(s.start >= closed.end for s in after)
    # No footage overlaps the gap; nothing lost around it.
    segs = index.segments("CAM")
    for prev, nxt in zip(segs, segs[1:], strict=False):
        assert nxt.start >= prev.end - (prev.end - prev.start) * 0.05
    ticket = book.tickets(camera_id="CAM")[0]
    assert not ticket.is_open and ticket.closed_by == SYSTEM_RECORDER == "system:recorder"
    # The recorder's unattended ticket changes are audited under its own name.
    changes = audit.entries(action="ticket_change", newest_first=False)
    assert [(a.actor, a.role, a.object_id, a.details["change"]) for a in changes] == [
        ("system:recorder", "system", "CAM", "open"), ("system:recorder", "system", "CAM", "close"),
    ]
    assert audit.verify().ok
    assert index.verify().ok


def _recording_one_camera(testcams, rec_db, rec_home, run_recorder):
    """A test camera recorded by a running recorder, two segments indexed already."""
    server = testcams(1)
    running = run_recorder([RecordingSource("CAM", server.urls["cam0"])])
    index = SegmentIndex(rec_db, rec_home / "recordings")
    wait_for(lambda: index.count("CAM") >= 2, timeout=60, what="two segments")
    return server, running, index, RecorderJournal(rec_db)


def test_frozen_camera_is_detected_and_recovered(testcams, rec_db, rec_home, run_recorder):
    server, running, index, journal = _recording_one_camera(testcams, rec_db, rec_home,
                                                            run_recorder)
    rec = running.recorder
    server.freeze()  # SIGSTOP: the connection stays open, nothing more comes
    frozen = time.monotonic()
    try:
        wait_for(lambda: rec.state("CAM") != CameraState.recording, timeout=15,
                 what="the frozen camera to be detected")
        detected_s = time.monotonic() - frozen
        assert detected_s < FAST.rtsp_timeout_s + 5
        gap = wait_for(lambda: journal.open_gap_of("CAM"), timeout=15, what="an open gap")
        time.sleep(2)
        # While frozen, ffmpeg attempts time out and are restarted; none hangs.
        runs = journal.runs("CAM")
        assert runs[0].ended_at is not None
    finally:
        server.thaw()
    wait_for(lambda: journal.open_gap_of("CAM") is None, timeout=40,
             what="recording to resume after the thaw")
    wait_for(lambda: rec.state("CAM") == CameraState.recording, timeout=10,
             what="the recording state")
    n = index.count("CAM")
    wait_for(lambda: index.count("CAM") >= n + 1, timeout=40, what="a new segment")
    running.stop()
    closed = [g for g in journal.gaps("CAM") if g.id == gap.id][0]
    assert closed.end is not None and closed.end > closed.start
    assert index.verify().ok


def test_hung_ffmpeg_is_killed_by_the_watchdog(testcams, rec_db, rec_home, run_recorder):
    """An ffmpeg that stays connected but writes nothing (here stopped by SIGSTOP: its socket
    timeout cannot fire) is seen by its segment no longer growing, killed after
    ``stall_timeout_s`` and restarted; the outage is a gap of reason ``stalled``."""
    server, running, index, journal = _recording_one_camera(testcams, rec_db, rec_home,
                                                            run_recorder)
    rec = running.recorder
    wait_for(lambda: rec.state("CAM") == CameraState.recording, timeout=10, what="recording")
    hung = rec.pids["CAM"]
    os.kill(hung, signal.SIGSTOP)
    stopped = time.monotonic()
    wait_for(lambda: rec.state("CAM") != CameraState.recording, timeout=FAST.fresh_s + 3,
             what="the camera no longer seen recording")
    assert time.monotonic() - stopped >= FAST.fresh_s - 1  # not before its segment went still
    wait_for(lambda: rec.pids.get("CAM") not in (None, hung), timeout=FAST.stall_timeout_s + 10,
             what="a new ffmpeg after the watchdog")
    killed_after = time.monotonic() - stopped
    assert FAST.stall_timeout_s - 1 <= killed_after <= FAST.stall_timeout_s + 8
    assert not _alive(hung)
    gap = wait_for(lambda: next((g for g in journal.gaps("CAM") if g.reason == "stalled"), None),
                   timeout=5, what="a gap of reason stalled")
    n = index.count("CAM")
    wait_for(lambda: index.count("CAM") >= n + 2, timeout=40, what="recording again")
    wait_for(lambda: journal.open_gap_of("CAM") is None, timeout=10, what="the gap closed")
    closed = next(g for g in journal.gaps("CAM") if g.id == gap.id)
    assert closed.end is not None and closed.end > closed.start
    (run,) = [r for r in journal.runs("CAM") if r.end_reason == "stalled"]
    assert run.ended_at is not None
    running.stop()
    assert index.verify().ok


def _newest_unindexed(root: Path, index: SegmentIndex) -> Path | None:
    known = index.indexed_paths()
    files = sorted(root.rglob("*.mp4"), key=lambda p: p.name)
    for p in reversed(files):
        if index.relative(p) not in known:
            return p
    return None


def _has_fragment(path: Path | None) -> bool:
    try:
        return path is not None and probe_fragmented_mp4(path).fragments >= 1
    except Exception:
        return False


def test_recorder_killed_and_restarted_loses_nothing(testcams, rec_db, rec_home, rec_keys):
    server = testcams(1)
    add_cameras(rec_db, rec_keys, {"CAM": server.urls["cam0"]})
    root = rec_home / "recordings"
    env = {**os.environ, "SENTINELLE_HOME": str(rec_home)}
    env.pop("SENTINELLE_DATABASE_URL", None)
    argv = [SENTINELLE, "record", "run", "--segment-time", "3", "--rtsp-timeout", "2",
            "--no-auto-tickets"]
    index = SegmentIndex(rec_db, root)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        wait_for(lambda: index.count("CAM") >= 2, timeout=60, what="two indexed segments")
        # Kill while a segment is being written and holds at least one whole fragment.
        wait_for(lambda: _has_fragment(_newest_unindexed(root, index)), timeout=20,
                 what="a segment in progress")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # ffmpeg died with the recorder (parent-death signal): no orphan.
    wait_for(lambda: find_orphans(root) == [], timeout=5, what="ffmpeg to die with the recorder")
    before = {index.relative(p): p for p in root.rglob("*.mp4")}
    indexed_before = index.indexed_paths()
    (cut_rel,) = sorted(set(before) - indexed_before)[-1:]
    cut_timing = probe_fragmented_mp4(before[cut_rel])
    assert cut_timing.fragments >= 1
    hashes_before = {s.path: s.sha256 for s in index.segments()}

    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        wait_for(lambda: cut_rel in index.indexed_paths(), timeout=60,
                 what="the cut segment to be indexed on restart")
        wait_for(lambda: len(index.indexed_paths() - set(before)) >= 1, timeout=40,
                 what="a new segment after the restart")
        proc.send_signal(signal.SIGTERM)  # graceful stop
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert find_orphans(root) == []
    segs = index.segments("CAM")
    paths = [s.path for s in segs]
    assert len(paths) == len(set(paths))  # nothing indexed twice
    assert set(before) <= set(paths)  # every segment on disk at the kill is indexed
    assert {s.path: s.sha256 for s in segs if s.path in hashes_before} == hashes_before
    cut = next(s for s in segs if s.path == cut_rel)
    assert not cut.complete
    assert cut.duration_s == pytest.approx(cut_timing.duration_s, abs=0.01)
    assert _decodes(root / cut_rel)  # the cut segment plays
    gaps = RecorderJournal(rec_db).gaps("CAM")
    down = [g for g in gaps if g.reason == "recorder_down"]
    assert len(down) == 1 and down[0].start == cut.end and down[0].end is not None
    assert [g.reason for g in gaps if g.end is None] == ["recorder_stopped"]
    assert index.verify().ok
    # Everything on disk is indexed, exactly once.
    assert {index.relative(p) for p in root.rglob("*.mp4")} == set(paths)


def test_orphan_ffmpeg_is_killed_at_start(testcams, rec_db, rec_home, run_recorder):
    server = testcams(1)
    root = rec_home / "recordings"
    folder = prepare_camera_dir(root, "CAM", now=datetime.now(UTC))
    orphan = subprocess.Popen(
        record_argv(server.urls["cam0"], out_dir=folder, segment_list=root / "orphan.csv",
                    segment_time_s=2),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, env={**os.environ, "TZ": "UTC"},
    )
    try:
        wait_for(lambda: orphan.pid in find_orphans(root), timeout=5, what="the orphan")
        running = run_recorder([RecordingSource("CAM", server.urls["cam0"])])
        orphan.wait(timeout=15)  # stopped by the recorder's start (SIGTERM, then SIGKILL)
        index = SegmentIndex(rec_db, root)
        wait_for(lambda: index.count("CAM") >= 2, timeout=60, what="recording by the recorder")
        assert set(find_orphans(root)) == set(running.recorder.pids.values())
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()
