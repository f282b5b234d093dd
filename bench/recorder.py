"""The recorder against plain ffmpeg segment recording, on simulated 4 Mb/s cameras.

Run from the repository root (needs ffmpeg and GStreamer's RTSP server, see scripts/setup)::

    .venv/bin/python bench/recorder.py [--cameras 4,8,16] [--duration 120] [--segment-time 10]

For each number of cameras N, GStreamer serves N RTSP test cameras on 127.0.0.1 (a 720p15
H.264 clip at about 4 Mb/s, pre-encoded, served without re-encoding, looped), and two
recorders record all of them at the same time, for the same duration:

* **Sentinelle**: ``sentinelle record run`` (one supervised ffmpeg per stream, fragmented MP4,
  segment list, liveness from the segment being written, indexing with SHA-256 in SQLite);
* **plain ffmpeg** (the anchor, what Frigate runs): one
  ``ffmpeg -rtsp_transport tcp -use_wallclock_as_timestamps 1 -i URL -c copy -f segment
  -segment_time 10 -segment_format mp4 -reset_timestamps 1 -strftime 1`` per stream.

After a warm-up of one segment, CPU time (user + system, from /proc) of each side's processes
is measured over the rest of the run, and their resident memory sampled every 2 s. Footage is
then checked: *lost* is time missing between consecutive segments (more than 0.5 s), *short*
are segments under 80 % of the segment time other than each stream's first and last.
Results are printed as a table and written as JSON (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sentinelle.access.keys import load_keys
from sentinelle.db.engine import open_database
from sentinelle.record.segments import SegmentIndex, segment_name_time, sha256_file
from sentinelle.record.supervisor import recordings_root
from sentinelle.record.testcam import ClipSpec, TestCameraServer, prepare_clip
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
CLIP = ClipSpec(width=1280, height=720, fps=15, bitrate_kbps=4000, duration_s=20)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def plain_argv(url: str, out: Path, segment_time: float = 10) -> list[str]:
    """The anchor: plain ffmpeg segment recording of `url` into `out` (what Frigate runs)."""
    return ["ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp",
            "-use_wallclock_as_timestamps", "1", "-i", url, "-map", "0:v", "-c", "copy",
            "-f", "segment", "-segment_time", f"{segment_time:g}", "-segment_format", "mp4",
            "-reset_timestamps", "1", "-strftime", "1", str(out / "%Y%m%dT%H%M%SZ.mp4")]


def rss_mb(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 1e6
    except OSError:
        return 0.0


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


@dataclass
class Side:
    """One recorder's measurements."""

    name: str
    pids: list[int] = field(default_factory=list)
    cpu_start: dict[int, float] = field(default_factory=dict)
    cpu_s: float = 0.0
    rss_samples: list[float] = field(default_factory=list)
    segments: int = 0
    footage_s: float = 0.0
    lost_s: float = 0.0
    lost_segments: int = 0
    short_segments: int = 0
    restarts: int = 0
    supervisor_cpu_s: float | None = None  # the Python process alone (Sentinelle's side)
    supervisor_rss: list[float] = field(default_factory=list)

    def summary(self, n: int, window_s: float) -> dict:
        rss = sorted(self.rss_samples)
        sup = sorted(self.supervisor_rss)
        extra = {}
        if self.supervisor_cpu_s is not None:
            extra = {
                "supervisor_cpu_pct_core": 100 * self.supervisor_cpu_s / window_s,
                "ffmpeg_cpu_pct_core_per_stream":
                    100 * (self.cpu_s - self.supervisor_cpu_s) / window_s / n,
                "supervisor_rss_mb": sup[len(sup) // 2] if sup else None,
                "ffmpeg_rss_mb_per_stream":
                    ((rss[len(rss) // 2] - sup[len(sup) // 2]) / n) if rss and sup else None,
            }
        return {
            "cpu_pct_core_per_stream": 100 * self.cpu_s / window_s / n,
            "cpu_pct_core_total": 100 * self.cpu_s / window_s,
            "rss_mb_per_stream": (rss[len(rss) // 2] / n) if rss else None,
            "rss_mb_total_max": rss[-1] if rss else None,
            "segments": self.segments,
            "footage_s": round(self.footage_s, 1),
            "lost_s": round(self.lost_s, 2),
            "lost_segments": self.lost_segments,
            "short_segments": self.short_segments,
            "restarts": self.restarts,
            **extra,
        }


def check_footage(runs: list[list[tuple[float, float]]], segment_time: float, side: Side,
                  *, tolerance_s: float) -> None:
    """Count lost time (holes longer than `tolerance_s` between consecutive segments) and
    short segments in each stream's (start, end) list."""
    for segs in runs:
        segs.sort()
        side.segments += len(segs)
        for i, (start, end) in enumerate(segs):
            side.footage_s += end - start
            if 0 < i < len(segs) - 1 and end - start < 0.8 * segment_time:
                side.short_segments += 1
            if i:
                hole = start - segs[i - 1][1]
                if hole > tolerance_s:
                    side.lost_s += hole
                    side.lost_segments += round(hole / segment_time) or 1


def ffprobe_duration(path: Path) -> float:
    res = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                          "csv=p=0", str(path)], capture_output=True, text=True)
    try:
        return float(res.stdout.strip())
    except ValueError:
        return 0.0


def run_once(n: int, *, duration: float, segment_time: float, clip: Path, work: Path) -> dict:
    home = work / f"home-{n}"
    plain_dir = work / f"plain-{n}"
    plain_dir.mkdir(parents=True)
    settings = Settings(home=home, database_url=None)
    settings.ensure_home()
    db = open_database(settings.url)
    server = TestCameraServer({f"cam{i}": clip for i in range(n)}).start()
    Registry(db, keys=load_keys(settings)).save_cameras(
        Camera(id=f"B{i:02d}", lon=-1.68, lat=48.11, stream_main=url)
        for i, url in enumerate(server.urls.values())
    )
    env = {**os.environ, "SENTINELLE_HOME": str(home)}
    env.pop("SENTINELLE_DATABASE_URL", None)
    ours = Side("sentinelle")
    plain = Side("plain ffmpeg")
    procs: list[subprocess.Popen] = []
    try:
        rec = subprocess.Popen(
            [sys.executable, "-m", "sentinelle.cli.main", "record", "run", "--segment-time",
             f"{segment_time:g}", "--no-auto-tickets"],
            env=env, stdout=subprocess.DEVNULL, stderr=(work / f"recorder-{n}.log").open("wb"),
        )
        procs.append(rec)
        for i, url in enumerate(server.urls.values()):
            out = plain_dir / f"cam{i}"
            out.mkdir()
            procs.append(subprocess.Popen(
                plain_argv(url, out, segment_time),
                env={**os.environ, "TZ": "UTC"}, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))
        plain.pids = [p.pid for p in procs[1:]]
        # Warm-up: every stream connected and one segment long.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(children(rec.pid)) < n:
            time.sleep(0.5)
        time.sleep(segment_time + 2)
        if rec.poll() is not None or len(children(rec.pid)) < n:
            log = (work / f"recorder-{n}.log").read_text(errors="replace")[-2000:]
            msg = f"the recorder is not recording {n} streams: {log}"
            raise RuntimeError(msg)
        ours.pids = [rec.pid, *children(rec.pid)]
        restarts_before = set(ours.pids)
        for side in (ours, plain):
            side.cpu_start = {p: cpu_s(p) for p in side.pids}
        t0 = time.monotonic()
        while time.monotonic() - t0 < duration:
            time.sleep(2)
            for side in (ours, plain):
                side.rss_samples.append(sum(rss_mb(p) for p in side.pids))
            ours.supervisor_rss.append(rss_mb(rec.pid))
        window = time.monotonic() - t0
        for side in (ours, plain):
            side.cpu_s = sum(cpu_s(p) - side.cpu_start[p] for p in side.pids)
        ours.supervisor_cpu_s = cpu_s(rec.pid) - ours.cpu_start[rec.pid]
        ours.restarts = len(set(children(rec.pid)) - restarts_before)
        # Stop both gracefully: each closes its last segment.
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        server.stop()
    index = SegmentIndex(db, recordings_root(home))
    check_footage(
        [[(s.start.timestamp(), s.end.timestamp()) for s in index.segments(f"B{i:02d}")]
         for i in range(n)],
        segment_time, ours, tolerance_s=0.5,
    )
    plain_runs = []
    for i in range(n):
        segs = []
        for f in sorted((plain_dir / f"cam{i}").glob("*.mp4")):
            start = segment_name_time(f)
            if start is not None:
                d = ffprobe_duration(f)
                segs.append((start.timestamp(), start.timestamp() + d))
        plain_runs.append(segs)
    # Plain ffmpeg's segments are only known by their names, to the second: a hole shorter
    # than that second cannot be told from rounding.
    check_footage(plain_runs, segment_time, plain, tolerance_s=1.0)
    db.dispose()
    # The integrity floor: SHA-256 of every byte Sentinelle recorded, as the recorder reads it
    # (from the page cache, where it still is), per second of footage.
    files = sorted(recordings_root(home).rglob("*.mp4"))
    t_hash = time.process_time()
    for f in files:
        sha256_file(f)
    hash_cpu_s = time.process_time() - t_hash
    disk = sum(p.stat().st_size for p in work.rglob("*.mp4"))
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(plain_dir, ignore_errors=True)
    return {
        "cameras": n,
        "window_s": round(window, 1),
        "duration_s": duration,
        "bytes_written": disk,
        "sentinelle": {**ours.summary(n, window),
                       "sha256_cpu_pct_core_per_stream": 100 * hash_cpu_s / ours.footage_s},
        "plain_ffmpeg": plain.summary(n, window),
    }


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cameras", default="4,8,16", help="numbers of cameras, comma-separated")
    ap.add_argument("--duration", type=float, default=120, help="measured seconds per run")
    ap.add_argument("--segment-time", type=float, default=10)
    ap.add_argument("--repeat", type=int, default=1, help="run the list of sizes this often")
    ap.add_argument("--out", type=Path, default=Path("bench/out/recorder.json"))
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sentinelle-bench-rec-"))
    results = []
    try:
        clip = prepare_clip(work / "clips", spec=CLIP)
        kbps = clip.stat().st_size * 8 / CLIP.duration_s / 1000
        print(f"clip: 720p15 H.264, {kbps:.0f} kb/s; machine: {os.cpu_count()} cores, "
              f"load {loadavg()}", flush=True)
        sizes = [int(x) for x in args.cameras.split(",")] * max(1, args.repeat)
        for n in sizes:
            print(f"-- {n} cameras, {args.duration:.0f} s …", flush=True)
            load_before = loadavg()
            r = run_once(n, duration=args.duration, segment_time=args.segment_time, clip=clip,
                         work=work)
            r["load_before"] = load_before
            r["load_after"] = loadavg()
            s, p = r["sentinelle"], r["plain_ffmpeg"]
            r["cpu_ratio"] = round(s["cpu_pct_core_per_stream"] / p["cpu_pct_core_per_stream"], 3)
            # The recording path alone: the same, less the SHA-256 floor measured in this run.
            r["cpu_ratio_without_sha256"] = round(
                (s["cpu_pct_core_per_stream"] - s["sha256_cpu_pct_core_per_stream"])
                / p["cpu_pct_core_per_stream"], 3)
            # The floor the issue's own requirements set, with no supervision at all: the
            # recorder's ffmpeg command (fragmented MP4, segment list) plus the SHA-256 of every
            # byte, both measured in this run.
            r["cpu_ratio_floor"] = round(
                (s["ffmpeg_cpu_pct_core_per_stream"] + s["sha256_cpu_pct_core_per_stream"])
                / p["cpu_pct_core_per_stream"], 3)
            results.append(r)
            print(f"   CPU % of a core per stream: sentinelle "
                  f"{s['cpu_pct_core_per_stream']:.2f} (total {s['cpu_pct_core_total']:.1f}) | "
                  f"plain {p['cpu_pct_core_per_stream']:.2f} "
                  f"(total {p['cpu_pct_core_total']:.1f}) | ratio {r['cpu_ratio']:.2f} "
                  f"(without the SHA-256 of every byte {r['cpu_ratio_without_sha256']:.2f})",
                  flush=True)
            print(f"   of which Sentinelle's supervisor (Python) "
                  f"{s['supervisor_cpu_pct_core']:.2f} % of a core in all, its ffmpeg "
                  f"{s['ffmpeg_cpu_pct_core_per_stream']:.2f} per stream (ratio of the ffmpegs "
                  f"alone {s['ffmpeg_cpu_pct_core_per_stream'] / p['cpu_pct_core_per_stream']:.3f})"
                  f"; SHA-256 of every byte {s['sha256_cpu_pct_core_per_stream']:.3f} per stream "
                  f"({s['sha256_cpu_pct_core_per_stream'] / p['cpu_pct_core_per_stream']:.3f} of "
                  "plain ffmpeg's CPU); floor with no supervision (its ffmpegs + SHA-256) "
                  f"{r['cpu_ratio_floor']:.3f}", flush=True)
            print(f"   RSS MB per stream: sentinelle {s['rss_mb_per_stream']:.1f} (supervisor "
                  f"{s['supervisor_rss_mb']:.0f} MB in all, ffmpeg "
                  f"{s['ffmpeg_rss_mb_per_stream']:.1f} per stream) | plain "
                  f"{p['rss_mb_per_stream']:.1f}", flush=True)
            print(f"   segments {s['segments']} vs {p['segments']}; lost s {s['lost_s']} vs "
                  f"{p['lost_s']}; short {s['short_segments']} vs {p['short_segments']}; "
                  f"restarts {s['restarts']}; load {load_before} before, {r['load_after']} after",
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.repeat > 1:
        for n in dict.fromkeys(sizes):
            ratios = sorted(r["cpu_ratio"] for r in results if r["cameras"] == n)
            print(f"{n} cameras: ratios {', '.join(f'{x:.3f}' for x in ratios)}; median "
                  f"{statistics.median(ratios):.3f}")
        ratios = sorted(r["cpu_ratio"] for r in results)
        print(f"all: median ratio {statistics.median(ratios):.3f} over {len(ratios)} runs, "
              f"{sum(x <= 1.10 for x in ratios)} at or under 1.10; without the SHA-256 of "
              f"every byte {statistics.median(r['cpu_ratio_without_sha256'] for r in results):.3f}"
              f"; floor {statistics.median(r['cpu_ratio_floor'] for r in results):.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cores, {platform.platform()}",
        "python": platform.python_version(),
        "ffmpeg": subprocess.run(["ffmpeg", "-version"], capture_output=True,
                                 text=True).stdout.split("\n")[0],
        "clip_kbps": round(kbps),
        "segment_time_s": args.segment_time,
    }
    args.out.write_text(json.dumps({"meta": meta, "runs": results}, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
