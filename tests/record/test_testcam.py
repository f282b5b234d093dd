"""RTSP test cameras: the clips, the GStreamer server, looping, credentials, the CLI."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sentinelle.record.testcam import ClipSpec, prepare_clip


def _probe(path: Path) -> dict:
    res = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
         "stream=codec_name,width,height,has_b_frames:format=duration,bit_rate", "-of", "json",
         str(path)], check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def _keyframe_times(path: Path) -> list[float]:
    res = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v", "-skip_frame", "nokey",
         "-show_entries", "frame=pts_time", "-of", "csv=p=0", str(path)],
        check=True, capture_output=True, text=True)
    return [float(x.strip(",")) for x in res.stdout.split() if x.strip(",")]


def _read(url: str, seconds: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-timeout", "5000000",
         "-i", url, "-t", f"{seconds}", "-c", "copy", "-f", "null", "-"],
        capture_output=True, text=True, timeout=60)


def test_synthetic_clip_is_h264_with_a_keyframe_each_second(clip, tmp_path):
    info = _probe(clip)
    (stream,) = info["streams"]
    assert stream["codec_name"] == "h264" and (stream["width"], stream["height"]) == (320, 180)
    assert stream["has_b_frames"] == 0
    assert float(info["format"]["duration"]) == pytest.approx(10, abs=0.1)
    assert _keyframe_times(clip)[:4] == pytest.approx([0, 1, 2, 3], abs=0.01)
    # Made once: the second call returns the cached file untouched.
    spec = ClipSpec(width=160, height=90, fps=10, bitrate_kbps=100, duration_s=2)
    first = prepare_clip(tmp_path, spec=spec)
    mtime = first.stat().st_mtime_ns
    assert prepare_clip(tmp_path, spec=spec) == first and first.stat().st_mtime_ns == mtime


def test_a_source_file_is_encoded_once_to_h264(video_tools, tmp_path):
    src = tmp_path / "walk.avi"  # MPEG-4 part 2 in AVI, like vtest.avi
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=size=192x144:rate=10", "-t", "3", "-c:v", "mpeg4", str(src)],
                   check=True)
    out = prepare_clip(tmp_path / "cache", source=src, source_bitrate_kbps=300)
    (stream,) = _probe(out)["streams"]
    assert stream["codec_name"] == "h264" and (stream["width"], stream["height"]) == (192, 144)
    assert out.name.startswith("walk-")


def test_clip_spec_is_checked():
    with pytest.raises(ValueError, match="even"):
        ClipSpec(width=321, height=180)
    with pytest.raises(ValueError, match="bitrate_kbps"):
        ClipSpec(bitrate_kbps=0)


def test_streams_loop_past_the_end_of_the_clip(testcams, tmp_path):
    server = testcams(1)
    out = tmp_path / "loop.mp4"
    subprocess.run(  # as the recorder reads: wall-clock timestamps
        ["ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-timeout", "5000000",
         "-use_wallclock_as_timestamps", "1", "-i", server.urls["cam0"], "-t", "12", "-c",
         "copy", str(out)], check=True, capture_output=True, timeout=60)
    res = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-show_entries",
                          "stream=nb_read_packets", "-of", "csv=p=0", str(out)],
                         check=True, capture_output=True, text=True)
    assert int(res.stdout.strip().strip(",")) >= 11 * 15  # the clip lasts 10 s at 15 fps


def test_clients_coming_and_going_never_stall_the_server(testcams):
    """Regression: with flushing seeks and one server thread, rounds of clients leaving while
    others read deadlocked the server's medias ("Invalid data found when processing input")."""
    server = testcams(8)
    for round_ in range(5):
        procs = [subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-timeout",
             "5000000", "-i", url, "-t", str(1 + i % 3), "-c", "copy", "-f", "null",
             "-"], stderr=subprocess.PIPE, text=True)
            for i, url in enumerate(server.urls.values())]
        errors = [p.communicate(timeout=60)[1].strip() for p in procs]
        assert all(p.returncode == 0 for p in procs) and not any(errors), (round_, errors)


def test_credentials_are_required_when_set(testcams):
    server = testcams(1, auth=("viewer", "s3cret-pass"))
    assert _read(server.urls["cam0"], 1).returncode == 0
    wrong = server.urls["cam0"].replace("s3cret-pass", "nope")
    res = _read(wrong, 1)
    assert res.returncode != 0 and "401" in res.stderr
    res = _read(re.sub(r"//[^@]+@", "//", server.urls["cam0"]), 1)
    assert res.returncode != 0


def test_a_frozen_server_can_still_be_stopped(testcams):
    server = testcams(1)
    server.freeze()
    server.stop(timeout_s=5)
    assert server.proc is None


def test_cli_testcam_serve(video_tools, tmp_path):
    env = {**os.environ, "SENTINELLE_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "sentinelle"), "testcam", "serve", "--count", "2",
         "--port", "0", "--width", "320", "--height", "180", "--bitrate-kbps", "300"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        urls = []
        deadline = time.monotonic() + 90
        while len(urls) < 2 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            m = re.match(r"cam\d: (rtsp://127\.0\.0\.1:\d+/cam\d)", line.strip())
            if m:
                urls.append(m.group(1))
        assert len(urls) == 2, proc.stderr.read() if proc.poll() is not None else urls
        assert _read(urls[1], 1).returncode == 0
        assert list((tmp_path / "home" / "testcam").glob("testsrc2-*.mp4"))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    assert _read(urls[0], 1).returncode != 0  # the server went with the command
