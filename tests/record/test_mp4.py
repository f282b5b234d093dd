"""Timing of fragmented MP4 segments, whole and cut, against ffprobe."""

import json
import subprocess
from pathlib import Path

import pytest

from sentinelle.errors import RecordingError
from sentinelle.record.mp4 import probe_fragmented_mp4, scan_layout


def _fragmented(clip: Path, out: Path, *, seconds: float) -> Path:
    """The clip's first seconds as the recorder writes them: fragmented MP4, 1 s fragments."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(clip), "-t", f"{seconds}",
         "-map", "0:v", "-c", "copy", "-f", "mp4",
         "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
         "-frag_duration", "1000000", str(out)],
        check=True,
    )
    return out


def _ffprobe_duration(path: Path) -> float:
    res = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    )
    return float(json.loads(res.stdout)["format"]["duration"])


def _decodes(path: Path) -> bool:
    res = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"],
                         capture_output=True, text=True)
    return res.returncode == 0


def test_whole_segment_matches_ffprobe(clip, tmp_path):
    seg = _fragmented(clip, tmp_path / "whole.mp4", seconds=6)
    t = probe_fragmented_mp4(seg)
    assert t.fragments >= 5
    assert not t.truncated and t.complete_bytes == t.size_bytes
    assert t.duration_s == pytest.approx(_ffprobe_duration(seg), abs=0.01)
    assert t.duration_s == pytest.approx(6.0, abs=0.1)


def test_cut_segment_counts_whole_fragments_only(clip, tmp_path):
    seg = _fragmented(clip, tmp_path / "whole.mp4", seconds=6)
    whole = probe_fragmented_mp4(seg)
    data = seg.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])  # mid-fragment, as a crash leaves it
    t = probe_fragmented_mp4(cut)
    assert t.truncated
    assert 0 < t.fragments < whole.fragments
    assert 0 < t.duration_s < whole.duration_s
    # What is counted plays: the complete fragments decode without error.
    readable = tmp_path / "readable.mp4"
    readable.write_bytes(data[: t.complete_bytes])
    assert _decodes(readable)
    assert _ffprobe_duration(readable) == pytest.approx(t.duration_s, abs=0.01)


def test_header_only_segment_has_no_fragment(clip, tmp_path):
    seg = _fragmented(clip, tmp_path / "whole.mp4", seconds=2)
    data = seg.read_bytes()
    moof = data.index(b"moof") - 4
    head = tmp_path / "head.mp4"
    head.write_bytes(data[:moof])
    t = probe_fragmented_mp4(head)
    assert t.fragments == 0 and t.duration_s == 0


def test_not_an_mp4_is_an_error(tmp_path):
    bad = tmp_path / "x.mp4"
    bad.write_bytes(b"\x00\x00\x00\x10junkjunkjunkjunk" * 4)
    with pytest.raises(RecordingError, match="no moov"):
        probe_fragmented_mp4(bad)


def test_layout_scan_agrees_with_the_full_probe(clip, tmp_path):
    """The top-level walk used for listed segments counts the same whole fragments and cut
    as the walk through every fragment, whole, cut and header-only."""
    seg = _fragmented(clip, tmp_path / "whole.mp4", seconds=6)
    data = seg.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    head = tmp_path / "head.mp4"
    head.write_bytes(data[: data.index(b"moof") - 4])
    for path in (seg, cut, head):
        full = probe_fragmented_mp4(path)
        with path.open("rb", buffering=0) as f:
            layout = scan_layout(f, path.stat().st_size)
        assert (layout.fragments, layout.complete_bytes, layout.size_bytes, layout.truncated) \
            == (full.fragments, full.complete_bytes, full.size_bytes, full.truncated), path.name
    assert scan_layout(seg.open("rb"), seg.stat().st_size).fragments >= 5


def test_layout_scan_refuses_what_is_not_an_mp4(tmp_path):
    bad = tmp_path / "x.mp4"
    bad.write_bytes(b"\x00\x00\x00\x10junkjunkjunkjunk" * 4)
    with bad.open("rb") as f, pytest.raises(RecordingError, match="x.mp4: no moov"):
        scan_layout(f, bad.stat().st_size, name="x.mp4")
