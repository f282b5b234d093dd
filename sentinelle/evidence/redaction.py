"""Redaction of a right-of-access export (RGPD art. 15): the subject's footage, third parties
blurred, the original segments left out.

The operator *designates* the data subject — nothing here recognises anyone: ``--subject
T@X,Y`` names a time and a point in normalised image coordinates (0–1); the person box that
contains that point at the frame nearest ``T`` is the subject, and so is every box of the same
track (`sentinelle.vision.tracker`, ids local to this camera and this export, before and after
``T``). Without a designation every person is blurred.

Each continuous run of segments is processed in two passes, frames never written anywhere but
the output:

1. decode every frame (PyAV), fill the privacy masks of the camera head
   (`GeometryStore` / `apply_masks`), detect people with YOLOX-Nano on every frame and track
   them — only boxes and track ids are kept in memory;
2. decode again, fill the masks, blur the head region of every person box that is not the
   subject's, plus the faces BlazeFace finds in them (`blur.blur_third_parties`), and encode
   the frames to one H.264 MP4 with ffmpeg (``libx264``, ``yuv420p``, ``+faststart``).
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sentinelle.errors import InputError, RecordingError
from sentinelle.record.ffmpeg import find_ffmpeg
from sentinelle.vision.blur import (
    FACE_MARGIN,
    FACE_SEARCH_FRACTION,
    HEAD_FRACTION,
    HEAD_MARGIN,
    blur_third_parties,
)
from sentinelle.vision.detections import CLASS_NAMES

PERSON = CLASS_NAMES.index("person")
#: A designation time may fall this far outside the footage and still pick its nearest frame.
SUBJECT_SLACK = timedelta(seconds=1)
DETECTOR_MODEL = "yolox_nano"
FACE_MODEL = "blazeface_full_range"
CRF = 20

#: Progress callback: frames done, frames expected (an estimate until the end).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SubjectPoint:
    """An operator's designation of the data subject: a time and a point (0–1) in the image."""

    t: datetime
    x: float
    y: float
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"t": self.t.astimezone(UTC).isoformat(), "x": self.x, "y": self.y}


def parse_subject(text: str, *, option: str = "--subject") -> SubjectPoint:
    """``T@X,Y`` (ISO 8601 time, UTC when no offset; X and Y within 0–1) → `SubjectPoint`.

    Raises
    ------
    InputError
        Naming the option, the value and what is wrong with it.
    """
    raw = (text or "").strip()
    if "@" not in raw:
        msg = (f"{option} `{text}`: expected TIME@X,Y (e.g. 2026-11-25T10:00:03Z@0.42,0.61, "
               "X and Y in normalised image coordinates 0–1)")
        raise InputError(msg)
    when, _, point = raw.rpartition("@")
    try:
        t = datetime.fromisoformat(when.strip().replace("Z", "+00:00"))
    except ValueError:
        msg = f"{option} `{text}`: `{when}` is not an ISO 8601 time"
        raise InputError(msg) from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    parts = point.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        msg = f"{option} `{text}`: `{point}` is not a point X,Y"
        raise InputError(msg) from None
    if not (0 <= x <= 1 and 0 <= y <= 1) or math.isnan(x) or math.isnan(y):
        msg = (f"{option} `{text}`: point ({x}, {y}) outside the image (normalised "
               "coordinates must be within 0–1)")
        raise InputError(msg)
    return SubjectPoint(t.astimezone(UTC), x, y, raw)


@dataclass(frozen=True)
class SourcePart:
    """One original segment of a run: its file and the time of its first frame."""

    path: Path
    start: datetime


@dataclass
class _FrameBoxes:
    ts: datetime
    boxes: NDArray[np.float32]  # (N, 4) normalised person boxes
    tracks: NDArray[np.int64]  # (N,) track ids (-1: untracked)


@dataclass
class RunPlan:
    """Pass 1 of one run: person boxes and tracks per frame (in memory only)."""

    parts: tuple[SourcePart, ...]
    frames: list[_FrameBoxes] = field(default_factory=list)
    width: int = 0
    height: int = 0
    rate: Fraction = Fraction(25)
    subject_tracks: set[int] = field(default_factory=set)
    subject_boxes: set[tuple[int, int]] = field(default_factory=set)  # (frame, box) untracked


@dataclass
class RedactionStats:
    """What the redaction of an export did (the manifest's ``redaction`` counts)."""

    frames_processed: int = 0
    person_boxes: int = 0
    person_boxes_blurred: int = 0
    subject_boxes_kept: int = 0
    third_party_tracks: set[int] = field(default_factory=set)
    untracked_boxes_blurred: int = 0
    head_regions_blurred: int = 0
    faces_blurred: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "frames_processed": self.frames_processed,
            "person_boxes": self.person_boxes,
            "person_boxes_blurred": self.person_boxes_blurred,
            "subject_boxes_kept": self.subject_boxes_kept,
            # distinct third-party tracks (a person the tracker loses and finds again counts
            # twice); boxes too uncertain to start a track are counted apart, all blurred
            "persons_blurred": len(self.third_party_tracks),
            "untracked_boxes_blurred": self.untracked_boxes_blurred,
            "head_regions_blurred": self.head_regions_blurred,
            "faces_blurred": self.faces_blurred,
        }


def frame_rate(stream, default: int = 25) -> Fraction:  # noqa: ANN001 - av.VideoStream
    """A video stream's frame rate as its container states it (`default` when it does not)."""
    return Fraction(stream.average_rate or stream.guessed_rate or default)


def _frames(parts: Sequence[SourcePart], masks: Sequence[Sequence[tuple[float, float]]]):
    """(time, BGR full-resolution frame with masks filled, rate, width, height) of every frame
    of the parts, in order."""
    import av

    from sentinelle.vision.geometry import apply_masks

    for part in parts:
        try:
            container = av.open(str(part.path))
        except (av.error.FFmpegError, OSError) as exc:
            msg = f"cannot decode segment {part.path.name}: {exc}"
            raise RecordingError(msg) from None
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            rate = frame_rate(stream)
            first: float | None = None
            for frame in container.decode(stream):
                t = frame.time if frame.time is not None else 0.0
                if first is None:
                    first = t
                image = frame.to_ndarray(format="bgr24")
                if not image.flags.writeable:
                    image = np.array(image, copy=True)
                apply_masks(image, masks)
                yield (part.start + timedelta(seconds=t - first), image, rate,
                       frame.width, frame.height)
        except av.error.FFmpegError as exc:
            msg = f"cannot decode segment {part.path.name}: {exc}"
            raise RecordingError(msg) from None
        finally:
            container.close()


class Redactor:
    """Detects, tracks and blurs the people of one camera's export.

    Parameters
    ----------
    camera_id
        The camera (the tracker refuses any other).
    masks
        The head's privacy masks (normalised polygons), filled on every frame first.
    detector, faces
        A `sentinelle.vision.detector.Detector` and a `blur.FaceDetector`; default: the
        installed YOLOX-Nano and BlazeFace full-range.
    """

    def __init__(self, camera_id: str, masks: Sequence[Sequence[tuple[float, float]]] = (), *,
                 detector: Any = None, faces: Any = None, ffmpeg: str = "ffmpeg") -> None:
        from sentinelle.vision.blur import FaceDetector
        from sentinelle.vision.detector import Detector
        from sentinelle.vision.tracker import Tracker

        self.camera_id = camera_id
        self.masks = [list(m) for m in masks]
        self.detector = detector or Detector()
        self.faces = faces or FaceDetector(FACE_MODEL)
        self.tracker = Tracker(camera_id)  # one tracker per export: ids local to it
        self.ffmpeg = find_ffmpeg(ffmpeg)
        self.stats = RedactionStats()

    # -- pass 1 ---------------------------------------------------------------------------
    def plan(self, parts: Sequence[SourcePart], *, progress: Progress | None = None,
             done: int = 0, total: int = 0) -> RunPlan:
        """Detect and track the people of every frame of a run."""
        plan = RunPlan(tuple(parts))
        for ts, image, rate, w, h in _frames(parts, self.masks):
            plan.rate, plan.width, plan.height = rate, w, h
            dets = self.detector.detect(image, self.camera_id, ts)
            people = self.tracker.update(dets.select(dets.classes == PERSON))
            plan.frames.append(_FrameBoxes(ts, people.boxes.copy(),
                                           np.asarray(people.track_ids, np.int64).copy()))
            done += 1
            if progress:
                progress(done, max(total, done))
        return plan

    # -- designation ------------------------------------------------------------------------
    @staticmethod
    def designate(plans: Sequence[RunPlan], subjects: Sequence[SubjectPoint]) -> None:
        """Mark the subject's track in the plans, for each designation.

        Raises
        ------
        InputError
            A designation whose time is outside the footage, or whose point is in no person box
            at the nearest frame (the message gives the frame's time and the boxes found).
        """
        frames = [(p, i, f) for p in plans for i, f in enumerate(p.frames)]
        for s in subjects:
            if not frames:
                break
            plan, i, f = min(frames, key=lambda x: abs((x[2].ts - s.t).total_seconds()))
            if abs(f.ts - s.t) > SUBJECT_SLACK:
                msg = (f"--subject {s.text or s.as_dict()}: no frame near {s.t.isoformat()} "
                       f"(the nearest is at {f.ts.isoformat()})")
                raise InputError(msg)
            b = f.boxes
            inside = np.flatnonzero((b[:, 0] <= s.x) & (s.x <= b[:, 2]) & (b[:, 1] <= s.y)
                                    & (s.y <= b[:, 3])) if len(b) else np.zeros(0, np.intp)
            if len(inside) == 0:
                found = "; ".join(f"({x0:.2f},{y0:.2f})-({x1:.2f},{y1:.2f})"
                                  for x0, y0, x1, y1 in b.tolist()) or "none"
                msg = (f"--subject {s.text or s.as_dict()}: no person box contains point "
                       f"({s.x}, {s.y}) at the frame of {f.ts.isoformat()} (person boxes, "
                       f"x0,y0-x1,y1: {found})")
                raise InputError(msg)
            # Several boxes contain the point: the one whose centre is nearest to it.
            cx, cy = (b[inside, 0] + b[inside, 2]) / 2, (b[inside, 1] + b[inside, 3]) / 2
            k = int(inside[np.argmin((cx - s.x) ** 2 + (cy - s.y) ** 2)])
            track = int(f.tracks[k])
            if track >= 0:
                for p in plans:  # one tracker per export: a track may cross a short gap
                    p.subject_tracks.add(track)
            else:
                plan.subject_boxes.add((i, k))

    # -- pass 2 ---------------------------------------------------------------------------
    def render(self, plan: RunPlan, out: Path, *, progress: Progress | None = None,
               done: int = 0, total: int = 0) -> int:
        """Blur the third parties of a planned run and encode it to `out` (H.264 MP4).
        Returns the frames written."""
        if not plan.frames:
            msg = f"no frame could be decoded for {out.name}"
            raise RecordingError(msg)
        w, h = plan.width, plan.height
        argv = [self.ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
                "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{w}x{h}",
                "-framerate", str(plan.rate), "-i", "-", "-an",
                "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264",
                "-preset", "veryfast", "-crf", str(CRF),
                "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", str(out)]
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        written = 0
        scale = np.array([w, h, w, h], np.float32)
        try:
            assert proc.stdin is not None
            for i, (_, image, _, _, _) in enumerate(_frames(plan.parts, self.masks)):
                if i >= len(plan.frames):
                    break
                fb = plan.frames[i]
                boxes = fb.boxes * scale
                keep = [k for k, t in enumerate(fb.tracks.tolist())
                        if t in plan.subject_tracks or (i, k) in plan.subject_boxes]
                result = blur_third_parties(image, boxes.tolist(), subject=keep,
                                            faces=self.faces)
                st = self.stats
                st.frames_processed += 1
                st.person_boxes += len(boxes)
                st.subject_boxes_kept += len(keep)
                st.person_boxes_blurred += len(boxes) - len(keep)
                for k, t in enumerate(fb.tracks.tolist()):
                    if k in keep:
                        continue
                    if t >= 0:
                        st.third_party_tracks.add(t)
                    else:
                        st.untracked_boxes_blurred += 1
                st.head_regions_blurred += sum(1 for r in result.regions if r.kind == "head")
                st.faces_blurred += result.faces_found
                proc.stdin.write(np.ascontiguousarray(result.frame).tobytes())
                written += 1
                if progress:
                    progress(done + written, max(total, done + written))
            proc.stdin.close()
            err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
            rc = proc.wait(timeout=600)
        except BrokenPipeError:
            err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
            rc = proc.wait(timeout=60)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if rc != 0 or not out.is_file():
            tail = "\n".join(err.strip().splitlines()[-5:])
            msg = f"ffmpeg could not encode {out.name}: {tail}"
            raise RecordingError(msg)
        return written

    def describe(self, subjects: Sequence[SubjectPoint]) -> dict[str, Any]:
        """The manifest's ``redaction`` block (without the per-run counts)."""
        return {
            "method": "third parties blurred; original segments not included",
            "detector": {"model": DETECTOR_MODEL, "classes": ["person"], "every_frame": True,
                         "score_threshold": getattr(self.detector, "score_threshold", None),
                         "tracker": "IoU/ByteTrack, ids local to this camera and export"},
            "face_detector": {"model": FACE_MODEL, "search": f"upper {FACE_SEARCH_FRACTION:g} "
                              "of each third party's box", "margin": FACE_MARGIN},
            "blurred": (f"head region of every non-subject person box (top {HEAD_FRACTION:g} "
                        f"of the box, widened by {HEAD_MARGIN:g}) and every face BlazeFace "
                        "finds in it; mosaic then box blur, pixels replaced"),
            "privacy_masks": len(self.masks),
            "subject_designation": {
                "mode": "designated by the operator" if subjects else
                "none: every person blurred",
                "points": [s.as_dict() for s in subjects],
            },
            "encoding": {"codec": "h264", "encoder": "libx264", "crf": CRF,
                         "pix_fmt": "yuv420p"},
            **self.stats.as_dict(),
        }
