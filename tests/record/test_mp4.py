"""Timing of fragmented MP4 segments, whole and cut, against ffprobe."""

import json
import struct
import subprocess
from pathlib import Path

import pytest

from sentinelle.errors import RecordingError
from sentinelle.record.mp4 import LayoutScan, Mp4Layout, probe_fragmented_mp4


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


def _scan(data: bytes, chunk: int, *, name: str = "segment") -> Mp4Layout:
    scan = LayoutScan()
    for at in range(0, len(data), chunk):
        scan.feed(memoryview(data)[at:at + chunk])
    return scan.layout(name=name)


def test_layout_scan_agrees_with_the_full_probe(clip, tmp_path):
    """The top-level walk used for listed segments, fed the chunks read to hash them, counts
    the same whole fragments and cut as the walk through every fragment, whole, cut and
    header-only, whatever the chunk size (box headers split between chunks)."""
    seg = _fragmented(clip, tmp_path / "whole.mp4", seconds=6)
    data = seg.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    head = tmp_path / "head.mp4"
    head.write_bytes(data[: data.index(b"moof") - 4])
    for path in (seg, cut, head):
        full = probe_fragmented_mp4(path)
        for chunk in (1 << 18, 4096, 7, 1):
            layout = _scan(path.read_bytes(), chunk)
            assert (layout.fragments, layout.complete_bytes, layout.size_bytes,
                    layout.truncated) == (full.fragments, full.complete_bytes, full.size_bytes,
                                          full.truncated), (path.name, chunk)
    assert _scan(data, 1 << 18).fragments >= 5


def _box(kind: bytes, payload: bytes = b"", *, large: bool = False) -> bytes:
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


@pytest.mark.parametrize("chunk", [1, 3, 8, 15, 16, 17, 1000])
def test_layout_scan_reads_every_box_form(chunk):
    """64-bit sizes, a box running to the end of the file (size 0), a header or box cut by
    the end of the file: the same answers wherever the chunks split the headers."""
    moov = _box(b"ftyp", b"isom") + _box(b"moov", b"\0" * 20)
    frag = _box(b"moof", b"\0" * 24) + _box(b"mdat", b"\1" * 40, large=True)
    whole = moov + frag + frag + _box(b"mfra", b"\0" * 8)
    layout = _scan(whole, chunk)
    assert (layout.fragments, layout.complete_bytes, layout.truncated) == (2, len(whole), False)
    to_end = moov + frag + _box(b"moof", b"\0" * 24) + struct.pack(">I4s", 0, b"mdat") + b"x" * 9
    layout = _scan(to_end, chunk)
    assert (layout.fragments, layout.complete_bytes, layout.truncated) == (2, len(to_end), False)
    cut_box = (moov + frag + frag)[:-5]
    layout = _scan(cut_box, chunk)
    assert (layout.fragments, layout.complete_bytes, layout.truncated) == (
        1, len(moov + frag), True)  # a moof counts with its whole mdat only
    cut_large_header = moov + frag + _box(b"mdat", b"\1" * 4, large=True)[:12]
    layout = _scan(cut_large_header, chunk)
    assert (layout.fragments, layout.complete_bytes, layout.truncated) == (
        1, len(moov + frag), True)
    cut_header = moov + frag + _box(b"moof")[:5]
    layout = _scan(cut_header, chunk)
    assert (layout.fragments, layout.complete_bytes, layout.truncated) == (
        1, len(moov + frag), True)
    layout = _scan(moov + _box(b"free", b"\0" * 4), chunk)
    assert (layout.fragments, layout.truncated) == (0, False)


def test_layout_scan_refuses_what_is_not_an_mp4():
    with pytest.raises(RecordingError, match="x.mp4: no moov"):
        _scan(b"\x00\x00\x00\x10junkjunkjunkjunk" * 4, 1 << 18, name="x.mp4")
    with pytest.raises(RecordingError, match="no moov"):  # a fragment before any moov
        _scan(_box(b"moof", b"\0" * 8) + _box(b"moov", b"\0" * 8), 5)
