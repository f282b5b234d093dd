"""Real recorded footage for the evidence and playback tests: a test clip cut by ffmpeg's
segment muxer into fragmented MP4 segments exactly as the recorder writes them (stream copy,
same fragment options, named by their UTC start), then indexed with their SHA-256."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from sentinelle.db.engine import Database
from sentinelle.record.ffmpeg import FRAGMENT_OPTIONS
from sentinelle.record.mp4 import probe_fragmented_mp4
from sentinelle.record.segments import Segment, SegmentIndex, prepare_camera_dir


def cut_segments(clip: Path, out: Path, *, segment_s: float) -> list[Path]:
    """Cut `clip` into fragmented MP4 segments of about `segment_s` (no re-encoding)."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(clip),
         "-map", "0:v", "-c", "copy", "-f", "segment", "-segment_time", f"{segment_s:g}",
         "-segment_format", "mp4", "-segment_format_options", FRAGMENT_OPTIONS,
         "-reset_timestamps", "1", str(out / "part%03d.mp4")],
        check=True, capture_output=True)
    return sorted(out.glob("part*.mp4"))


def record_runs(db: Database, root: Path, camera_id: str, clip: Path, *, start: datetime,
                runs: int = 1, gap_s: float = 20, segment_s: float = 5) -> list[Segment]:
    """Put `runs` continuous runs of the clip's footage into the recordings folder `root`,
    `gap_s` seconds apart, and index them. Returns the indexed segments in time order."""
    folder = prepare_camera_dir(root, camera_id, now=start)
    index = SegmentIndex(db, root)
    parts = cut_segments(clip, root.parent / "cut" / camera_id, segment_s=segment_s)
    t = start
    out = []
    for _ in range(runs):
        for part in parts:
            name = t.strftime("%Y%m%dT%H%M%SZ") + ".mp4"
            day = folder / t.date().isoformat()
            day.mkdir(exist_ok=True)
            dst = day / name
            dst.write_bytes(part.read_bytes())
            end = t + timedelta(seconds=probe_fragmented_mp4(dst).duration_s)
            seg = index.index_file(dst, camera_id=camera_id, now=end, complete=True,
                                   start=t, end=end)
            assert seg is not None
            out.append(seg)
            t = end
        t += timedelta(seconds=gap_s)
    return out
