"""The segment index on SQLite and PostgreSQL: indexing once, rebuilding from disk, verifying."""

import hashlib
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sentinelle.record.mp4 import probe_fragmented_mp4
from sentinelle.record.segments import (
    SegmentIndex,
    camera_folder,
    prepare_camera_dir,
    read_camera_id,
    read_segment_list,
    segment_name_time,
)

T0 = datetime(2026, 3, 29, 0, 59, 50, tzinfo=UTC)  # across the spring DST change in Paris
NOW = T0 + timedelta(hours=1)


@pytest.fixture(scope="module")
def pieces(clip, tmp_path_factory) -> list[Path]:
    """Three different 2 s fragmented MP4 pieces of the clip."""
    folder = tmp_path_factory.mktemp("pieces")
    out = []
    for i in range(3):
        p = folder / f"p{i}.mp4"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", str(2 * i), "-i", str(clip),
             "-t", "2", "-map", "0:v", "-c", "copy", "-f", "mp4",
             "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
             "-frag_duration", "1000000", str(p)],
            check=True,
        )
        out.append(p)
    return out


def _place(root: Path, camera_id: str, piece: Path, at: datetime) -> Path:
    folder = prepare_camera_dir(root, camera_id, now=at)
    path = folder / at.date().isoformat() / at.strftime("%Y%m%dT%H%M%SZ.mp4")
    path.write_bytes(piece.read_bytes())
    return path


def test_names_and_folders():
    assert segment_name_time("20260329T015950Z.mp4") == datetime(2026, 3, 29, 1, 59, 50,
                                                                 tzinfo=UTC)
    assert segment_name_time("list.csv") is None
    assert camera_folder("REN-001") == "REN-001"
    odd = camera_folder("Place de la Mairie / n°2")
    assert "/" not in odd and " " not in odd and odd != camera_folder("Place de la Mairie n°2")
    assert camera_folder("..") != ".."


def test_segment_list_reads_complete_lines_only(tmp_path):
    f = tmp_path / "l.csv"
    f.write_text("20260329T005950Z.mp4,0.000000,2.0\n20260329T005952Z.mp4,2.0,4.0\n2026")
    lines, offset = read_segment_list(f)
    assert [x.name for x in lines] == ["20260329T005950Z.mp4", "20260329T005952Z.mp4"]
    assert lines[1].start_s == 2.0 and lines[1].end_s == 4.0
    with f.open("a") as out:
        out.write("0329T005954Z.mp4,4.0,6.0\n")
    more, _ = read_segment_list(f, offset=offset)
    assert [x.name for x in more] == ["20260329T005954Z.mp4"]


def test_index_once_and_chain(db, tmp_path, pieces):
    root = tmp_path / "recordings"
    index = SegmentIndex(db, root)
    first = _place(root, "CAM-1", pieces[0], T0)
    seg = index.index_file(first, camera_id="CAM-1", now=NOW, complete=True)
    assert seg is not None and seg.path == "CAM-1/2026-03-29/20260329T005950Z.mp4"
    assert seg.start == T0 and seg.duration_s == pytest.approx(2.0, abs=0.1)
    assert len(seg.sha256) == 64 and seg.size_bytes == first.stat().st_size
    # Indexing the same file again writes nothing.
    assert index.index_file(first, camera_id="CAM-1", now=NOW, complete=True) is None
    assert index.count() == 1
    # The next file, named in the second its predecessor ends in, follows it exactly.
    second = _place(root, "CAM-1", pieces[1], T0 + timedelta(seconds=2))
    seg2 = index.index_file(second, camera_id="CAM-1", now=NOW, complete=True)
    assert seg2.start == seg.end
    # Exact times given by ffmpeg's list win.
    third = _place(root, "CAM-1", pieces[2], T0 + timedelta(seconds=10))
    start = T0 + timedelta(seconds=10.25)
    seg3 = index.index_file(third, camera_id="CAM-1", now=NOW, complete=True, start=start,
                            end=start + timedelta(seconds=2))
    assert seg3.start == start
    assert [s.path for s in index.segments("CAM-1")] == [seg.path, seg2.path, seg3.path]
    assert [s.path for s in index.segments("CAM-1", start=seg2.end)] == [seg3.path]
    assert index.last("CAM-1") == seg3


def test_rebuild_from_disk_finds_everything_once(db, tmp_path, pieces):
    root = tmp_path / "recordings"
    index = SegmentIndex(db, root)
    a = _place(root, "CAM-1", pieces[0], T0)
    index.index_file(a, camera_id="CAM-1", now=NOW, complete=True)
    b = _place(root, "CAM-1", pieces[1], T0 + timedelta(seconds=2))
    cut = _place(root, "CAM-1", pieces[2], T0 + timedelta(seconds=4))
    data = cut.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.7)])  # cut mid-fragment by a crash
    other = _place(root, "CAM/2", pieces[0], T0)
    empty = _place(root, "CAM/2", pieces[0], T0 + timedelta(seconds=2))
    empty.write_bytes(pieces[0].read_bytes()[:600])  # header only: nothing to play
    (root / "stray").mkdir()

    report = index.rebuild_from_disk(now=NOW)
    assert sorted(s.path for s in report.added) == sorted(
        index.relative(p) for p in (b, cut, other)
    )
    assert report.already == 1
    assert report.unplayable == [index.relative(empty)]
    assert report.unknown_folders == ["stray"]
    assert read_camera_id(other.parent.parent) == "CAM/2"
    cut_seg = next(s for s in report.added if s.path == index.relative(cut))
    assert not cut_seg.complete
    assert cut_seg.duration_s == pytest.approx(probe_fragmented_mp4(cut).duration_s)
    assert cut_seg.duration_s < 2.0
    # A second rebuild adds nothing.
    again = index.rebuild_from_disk(now=NOW)
    assert again.added == [] and again.already == 4
    assert index.count() == 4
    assert set(index.camera_ids()) == {"CAM-1", "CAM/2"}


def test_verify_names_changed_and_missing(db, tmp_path, pieces):
    root = tmp_path / "recordings"
    index = SegmentIndex(db, root)
    paths = [_place(root, "CAM-1", p, T0 + timedelta(seconds=2 * i))
             for i, p in enumerate(pieces)]
    index.rebuild_from_disk(now=NOW)
    assert index.verify().ok and index.verify().checked == 3
    data = bytearray(paths[1].read_bytes())
    data[-10] ^= 0xFF  # one byte changed inside the video
    paths[1].write_bytes(bytes(data))
    paths[2].unlink()
    report = index.verify()
    assert not report.ok and report.checked == 3
    assert [s.path for s in report.changed] == [index.relative(paths[1])]
    assert [s.path for s in report.missing] == [index.relative(paths[2])]
    assert index.verify(since=T0 + timedelta(hours=2)).checked == 0


def test_listed_segment_is_hashed_whole_and_checked(db, tmp_path, pieces):
    """A segment ffmpeg listed, with its times, is read once: its SHA-256 covers every byte,
    and a file that ends inside a fragment is still not taken for complete."""
    root = tmp_path / "recordings"
    index = SegmentIndex(db, root)
    whole = _place(root, "CAM-1", pieces[0], T0)
    start = T0 + timedelta(seconds=0.2)
    seg = index.read_segment(whole, camera_id="CAM-1", complete=True, start=start,
                             end=start + timedelta(seconds=2))
    assert seg.sha256 == hashlib.sha256(whole.read_bytes()).hexdigest()
    assert seg.size_bytes == whole.stat().st_size and seg.complete
    assert index.count() == 0  # read, not indexed
    cut = _place(root, "CAM-1", pieces[1], T0 + timedelta(seconds=2))
    cut.write_bytes(pieces[1].read_bytes()[: int(pieces[1].stat().st_size * 0.7)])
    seg_cut = index.read_segment(cut, camera_id="CAM-1", complete=True, start=start,
                                 end=start + timedelta(seconds=2))
    assert not seg_cut.complete
    assert seg_cut.sha256 == hashlib.sha256(cut.read_bytes()).hexdigest()
    head = _place(root, "CAM-1", pieces[2], T0 + timedelta(seconds=4))
    head.write_bytes(pieces[2].read_bytes()[:600])  # header only: nothing to play
    assert index.read_segment(head, camera_id="CAM-1", complete=True, start=start,
                              end=start + timedelta(seconds=2)) is None
    junk = _place(root, "CAM-1", pieces[2], T0 + timedelta(seconds=6))
    junk.write_bytes(b"\x00\x00\x00\x10junkjunkjunkjunk" * 4)
    assert index.read_segment(junk, camera_id="CAM-1", complete=True, start=start,
                              end=start + timedelta(seconds=2)) is None


def test_add_many_in_one_go_and_never_twice(db, tmp_path, pieces):
    root = tmp_path / "recordings"
    index = SegmentIndex(db, root)
    segs = []
    for i, piece in enumerate(pieces):
        path = _place(root, f"CAM-{i}", piece, T0)
        start = T0 + timedelta(seconds=0.1 * i)
        segs.append(index.read_segment(path, camera_id=f"CAM-{i}", complete=True,
                                       start=start, end=start + timedelta(seconds=2)))
    assert index.add_many([], now=NOW) == []
    assert index.add_many(segs[:2], now=NOW) == [True, True]
    # One of them indexed already: the others are still indexed, none twice.
    assert index.add_many([segs[1], segs[2]], now=NOW) == [False, True]
    assert index.count() == 3
    assert [index.last(f"CAM-{i}") for i in range(3)] == segs
