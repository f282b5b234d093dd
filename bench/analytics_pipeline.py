"""Analytics throughput: raw YOLOX-Nano (onnxruntime alone) against the whole pipeline on the
same frames, and streams per core with the motion gate on a mostly static scene.

    .venv/bin/python bench/analytics_pipeline.py VTEST.AVI [--seconds 30] [--threads 1] [--repeat 3]

1. Raw model: the frames of the first `--seconds` of vtest are decoded, masked and
   letterboxed beforehand; only ``session.run`` is timed, one frame at a time.
2. Whole pipeline on the same frames: decode (PyAV) + masks + motion gate (off: every frame
   analysed) + input blob + detection + decoding + NMS + tracking + counting, from the file.
   1 and 2 alternate in blocks of `--block` frames over the clip, `--repeat` times (medians and
   the spread are printed).
3. Streams per core: a 60 s 1280×720 H.264 clip at 15 fps, a still vtest frame for 50 s then
   10 s of walkers, analysed at 5 fps with the motion gate; process CPU time per second of video
   gives how many such streams one core carries.
Every figure is single-threaded onnxruntime (``--threads``) on the CPU provider.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sentinelle.vision.counting import Line, Zone
from sentinelle.vision.detector import Detector, letterbox
from sentinelle.vision.frames import read_frames
from sentinelle.vision.pipeline import Pipeline, PipelineConfig

T0 = datetime(2026, 1, 1, tzinfo=UTC)
LINES = [Line("ouest", ((0.30, 0.28), (0.30, 0.62))), Line("est", ((0.70, 0.2), (0.70, 0.8)))]
ZONES = [Zone("chemin", ((0.0, 0.3), (1.0, 0.3), (1.0, 0.6), (0.0, 0.6)))]
MASKS = [[(0.0, 0.0), (0.35, 0.0), (0.35, 0.12), (0.0, 0.12)]]  # the building's windows


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("vtest", type=Path)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--providers", default="CPUExecutionProvider")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--block", type=int, default=PipelineConfig().batch,
                    help="frames per block when raw model and pipeline alternate, and the "
                    "pipeline's batch (default: PipelineConfig's, 20)")
    a = ap.parse_args()
    if a.repeat < 1:
        ap.error(f"--repeat must be at least 1, got {a.repeat}")
    if a.block < 1:
        ap.error(f"--block must be at least 1, got {a.block}")
    providers = a.providers.split(",")
    det = Detector(threads=a.threads, providers=providers)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}; providers {det.session.get_providers()}")
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        ffmpeg("-i", str(a.vtest), "-t", str(a.seconds), "-c:v", "libx264", "-preset",
               "ultrafast", "-g", "10", "-pix_fmt", "yuv420p", str(clip))
        # 1. raw model on pre-made blobs
        frames = list(read_frames(str(clip), "B", MASKS, fps=10, start=T0))
        blobs = [letterbox(f.image)[0] for f in frames]
        for b in blobs[:5]:
            det.infer(b)
        # Raw model and whole pipeline alternate in blocks of `--block` frames (a fraction of
        # a second each), `--repeat` times over the clip: this shared VM's speed drifts by
        # ±10 % over seconds, and alternating blocks make every drift hit both sides. The
        # pipeline does what `Pipeline.run` does with batches of `--block` frames (decode +
        # masks in the frame iterator, then `Pipeline.step` on the batch); each side's CPU time
        # is summed over its blocks. Every run is printed, then the medians and the spread.
        runs = []
        for rep in range(a.repeat):
            pipe = Pipeline("B", det, lines=LINES, zones=ZONES, masks=MASKS,
                            config=PipelineConfig(fps=10, motion_gate=False, batch=a.block))
            source = pipe.frames(str(clip), start=T0)
            raw_cpu = raw_wall = cpu = wall = 0.0
            counts, done = [], 0
            while done < len(blobs):
                block = blobs[done:done + a.block]
                det.infer(block[0])  # untimed: the raw model is timed warm, as in a loop alone
                c, t = time.process_time(), time.perf_counter()
                for b in block:
                    det.infer(b)
                raw_cpu += time.process_time() - c
                raw_wall += time.perf_counter() - t
                c, t = time.process_time(), time.perf_counter()
                counts += pipe.step(list(itertools.islice(source, len(block))))
                cpu += time.process_time() - c
                wall += time.perf_counter() - t
                done += len(block)
            source.close()
            counts += pipe.counter.flush()
            if pipe.stats.frames != len(blobs):
                raise SystemExit(f"the pipeline read {pipe.stats.frames} frames, "
                                 f"the raw model ran on {len(blobs)}")
            n = len(blobs)
            raw_cpu, cpu, raw_wall, wall = raw_cpu / n, cpu / n, raw_wall / n, wall / n
            runs.append((raw_cpu, cpu, raw_wall, wall))
            print(f"run {rep + 1}: raw {1000 * raw_cpu:.1f} ms/frame, pipeline {1000 * cpu:.1f} "
                  f"ms/frame (CPU) → {100 * raw_cpu / cpu:.1f} % per core, "
                  f"{100 * raw_wall / wall:.1f} % wall; {sum(c.count for c in counts)} counts")
        print(f"frames: {len(blobs)} (vtest 0–{a.seconds:g} s, 10 fps, 768×576 → 416×312), "
              f"blocks of {a.block}, {sum(c.count for c in counts)} counts")
        raw_cpu, cpu, raw_wall, wall = (statistics.median(r[i] for r in runs) for i in range(4))
        ratios = [100 * r[0] / r[1] for r in runs]
        print(f"raw model:      {1 / raw_cpu:5.1f} fps per core "
              f"(CPU {1000 * raw_cpu:.1f} ms/frame), "
              f"wall {1 / raw_wall:.1f} fps  [medians of {a.repeat} runs]")
        print(f"whole pipeline: {1 / cpu:5.1f} fps per core (CPU {1000 * cpu:.1f} ms/frame), "
              f"wall {1 / wall:.1f} fps")
        print(f"pipeline / raw: {statistics.median(ratios):.1f} % per core (median; runs "
              f"{min(ratios):.1f}–{max(ratios):.1f} %), "
              f"{100 * raw_wall / wall:.1f} % wall")
        # 3. streams per core on a mostly static 720p scene
        still = Path(tmp) / "still.png"
        ffmpeg("-ss", "0", "-i", str(a.vtest), "-frames:v", "1", str(still))
        static = Path(tmp) / "static720.mp4"
        ffmpeg("-loop", "1", "-framerate", "15", "-t", "50", "-i", str(still),
               "-ss", "20", "-t", "10", "-i", str(a.vtest),
               "-filter_complex", "[0:v]scale=1280:720,setsar=1[s];"
               "[1:v]fps=15,scale=1280:720,setsar=1[m];[s][m]concat=n=2:v=1[v]",
               "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "2M",
               "-g", "30", "-bf", "0", "-pix_fmt", "yuv420p", str(static))
        for gate in (True, False):
            pipe = Pipeline("S", det, lines=LINES, zones=ZONES, masks=MASKS,
                            config=PipelineConfig(fps=5, motion_gate=gate))
            c0, w0 = time.process_time(), time.perf_counter()
            pipe.run(str(static), start=T0)
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            state = "on" if gate else "off"
            print(f"720p15, 60 s (50 s still), 5 fps analysed, motion gate {state}: "
                  f"{pipe.stats.detected}/{pipe.stats.frames} frames detected, CPU {cpu:.1f} s "
                  f"(wall {wall:.1f} s) → {60 / cpu:.1f} streams per core")


if __name__ == "__main__":
    main()
