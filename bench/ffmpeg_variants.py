"""Sentinelle's ffmpeg recording command vs plain ffmpeg, side by side, without the supervisor.

Usage: ``python bench/ffmpeg_variants.py CAMERAS SECONDS VARIANT[,VARIANT…]`` with variants
``plain``/``plain2`` (plain ffmpeg segment recording, what Frigate runs; the first variant
listed is the anchor), ``ours``/``ours2`` (`sentinelle.record.ffmpeg.record_argv`, the
recorder's command), ``ours_noflush`` (without ``flush_packets=1``) and ``ours_nofrag``
(without the fragmented-MP4 options). GStreamer serves CAMERAS RTSP test cameras (720p15
H.264 at ~4 Mb/s); every variant records every camera at the same time; the script prints each
variant's CPU in % of a core per stream over SECONDS (after 15 s of warm-up) and its ratio to
the anchor. Listing a variant twice under two names (``plain,plain2``) measures the noise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from recorder import CLIP, cpu_s, plain_argv  # bench/recorder.py, beside this script

from sentinelle.record.ffmpeg import FRAGMENT_OPTIONS, record_argv
from sentinelle.record.testcam import TestCameraServer, prepare_clip

VARIANTS = ("plain", "plain2", "ours", "ours2", "ours_noflush", "ours_nofrag")


def argv(variant: str, url: str, out: Path) -> list[str]:
    out.mkdir(parents=True)
    (out / time.strftime("%Y-%m-%d", time.gmtime())).mkdir()
    if variant.startswith("plain"):
        return plain_argv(url, out)
    a = record_argv(url, out_dir=out, segment_list=out / "list.csv")
    i = a.index("-segment_format_options")
    if variant == "ours_noflush":
        a[i + 1] = FRAGMENT_OPTIONS.replace(":flush_packets=1", "")
    elif variant == "ours_nofrag":
        del a[i:i + 2]
    return a


def main() -> None:
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    n, seconds = int(sys.argv[1]), float(sys.argv[2])
    variants = sys.argv[3].split(",")
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variant(s) {unknown}: choose among {', '.join(VARIANTS)}")
    work = Path(tempfile.mkdtemp(prefix="sentinelle-bench-ffmpeg-"))
    server = TestCameraServer({f"cam{i}": prepare_clip(work / "clips", spec=CLIP)
                               for i in range(n)}).start()
    procs: dict[str, list[subprocess.Popen]] = {v: [] for v in variants}
    try:
        for i, url in enumerate(server.urls.values()):
            for v in variants:
                procs[v].append(subprocess.Popen(
                    argv(v, url, work / v / f"cam{i}"), env={**os.environ, "TZ": "UTC"},
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL))
        time.sleep(15)
        start = {v: [cpu_s(p.pid) for p in ps] for v, ps in procs.items()}
        t0 = time.monotonic()
        time.sleep(seconds)
        window = time.monotonic() - t0
        used = {v: sum(cpu_s(p.pid) for p in ps) - sum(start[v]) for v, ps in procs.items()}
    finally:
        for ps in procs.values():
            for p in ps:
                p.terminate()
        for ps in procs.values():
            for p in ps:
                p.wait()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    pct = {v: 100 * used[v] / window / n for v in variants}
    anchor = pct[variants[0]]
    print(" | ".join(f"{v} {x:.3f} % ({x / anchor:.3f})" for v, x in pct.items()))


if __name__ == "__main__":
    main()
