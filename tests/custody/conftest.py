"""Custody fixtures: the recording fixtures (ffmpeg, a test clip) and real segment files."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sentinelle.record.segments import Segment, SegmentIndex, prepare_camera_dir
from tests.record.conftest import clip, video_tools  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def piece(video_tools, tmp_path_factory) -> Path:  # noqa: F811
    """A real 2 s fragmented MP4 segment (320×180 H.264, from the recording tests' clip)."""
    from sentinelle.record.testcam import SMALL, prepare_clip

    folder = tmp_path_factory.mktemp("piece")
    src = prepare_clip(folder, spec=SMALL)
    out = folder / "piece.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(src), "-t", "2", "-map", "0:v",
         "-c", "copy", "-f", "mp4", "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
         "-frag_duration", "1000000", str(out)],
        check=True,
    )
    return out


@pytest.fixture
def place(piece) -> Callable[..., Segment]:
    """``place(index, camera_id, start)``: write a real segment file named by `start` in the
    camera's dated folder and index it through the SegmentIndex."""

    def _place(index: SegmentIndex, camera_id: str, start: datetime) -> Segment:
        folder = prepare_camera_dir(index.root, camera_id, now=start)
        path = folder / start.date().isoformat() / start.strftime("%Y%m%dT%H%M%SZ.mp4")
        path.write_bytes(piece.read_bytes())
        seg = index.index_file(path, camera_id=camera_id, now=start, complete=True,
                               start=start, end=start + timedelta(seconds=2))
        assert seg is not None
        return seg

    return _place
