"""The ffmpeg command and what the recorder reads back from ffmpeg."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sentinelle.record.ffmpeg import (
    input_start,
    opened_segment,
    record_argv,
    scrub,
    url_secrets,
)
from sentinelle.record.supervisor import RecorderConfig


def test_argv_is_a_list_with_the_verified_options(tmp_path):
    argv = record_argv("rtsp://u:p@127.0.0.1:554/s", out_dir=tmp_path / "CAM",
                       segment_list=tmp_path / "l.csv", segment_time_s=10, rtsp_timeout_s=5,
                       ffmpeg="/usr/bin/ffmpeg")
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
    assert argv[0] == "/usr/bin/ffmpeg"

    def after(flag: str) -> str:
        return argv[argv.index(flag) + 1]

    assert after("-rtsp_transport") == "tcp"
    assert after("-timeout") == "5000000"
    assert after("-use_wallclock_as_timestamps") == "1"
    assert after("-c") == "copy" and after("-map") == "0:v"
    assert after("-f") == "segment" and after("-segment_format") == "mp4"
    assert after("-segment_time") == "10"
    assert "frag_keyframe" in after("-segment_format_options")
    assert "empty_moov" in after("-segment_format_options")
    assert after("-segment_list_type") == "csv"
    assert after("-strftime") == "1" and after("-reset_timestamps") == "1"
    assert "-nostdin" in argv
    assert argv[-1] == str(tmp_path / "CAM" / "%Y-%m-%d" / "%Y%m%dT%H%M%SZ.mp4")


def test_argv_rejects_bad_timings(tmp_path):
    with pytest.raises(ValueError, match="segment_time_s"):
        record_argv("rtsp://h/s", out_dir=tmp_path, segment_list=tmp_path / "l", segment_time_s=0)
    with pytest.raises(ValueError, match="rtsp_timeout_s"):
        record_argv("rtsp://h/s", out_dir=tmp_path, segment_list=tmp_path / "l",
                    rtsp_timeout_s=-1)


def test_argv_asks_for_no_progress_reports(tmp_path):
    """The recorder watches the segment being written grow: ffmpeg prints no statistics or
    progress reports for it to read."""
    argv = record_argv("rtsp://h/s", out_dir=tmp_path, segment_list=tmp_path / "l")
    assert "-progress" not in argv and "-nostats" in argv
    for rtsp_timeout in (1, 2, 5, 60):
        assert RecorderConfig(rtsp_timeout_s=rtsp_timeout).fresh_s >= 3


@pytest.mark.parametrize(
    "line",
    [
        "rtsp://admin:s3cr%40t@10.0.0.1:554/ch1: Connection timed out",
        "[tcp @ 0x55] Connection to tcp://10.0.0.1:554?timeout=5 failed for admin:s3cr%40t",
        "Input #0, rtsp, from 'rtsp://admin:s3cr%40t@10.0.0.1:554/ch1':",
        "password s3cr@t printed decoded",
    ],
)
def test_scrub_removes_credentials(line):
    secrets = url_secrets("rtsp://admin:s3cr%40t@10.0.0.1:554/ch1")
    out = scrub(line, secrets)
    assert "s3cr" not in out
    assert "admin:" not in out


def test_scrub_keeps_urls_without_credentials():
    line = "rtsp://10.0.0.1:554/ch1: Connection refused"
    assert scrub(line, url_secrets("rtsp://10.0.0.1:554/ch1")) == line


def test_input_start_and_opened_segment():
    line = "  Duration: 00:00:10.00, start: 1795649804.618189, bitrate: N/A"
    assert input_start(line) == datetime.fromtimestamp(1795649804.618189, UTC)
    assert input_start("  Duration: 00:01:19.50, start: 0.000000, bitrate: 818 kb/s") is None
    got = opened_segment("[segment @ 0x5] Opening '/r/CAM/2026-11-25/20261125T233645Z.mp4' "
                         "for writing")
    assert Path(got).name == "20261125T233645Z.mp4"
    assert opened_segment("[segment @ 0x5] Opening '/r/.lists/x.csv' for writing") is None
