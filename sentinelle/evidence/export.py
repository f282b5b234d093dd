"""Evidence export: a camera's footage over a time window, for a lawful recipient.

`export_footage` refuses an export without a lawful basis (LEGAL.md R22): the basis must be
``requisition_judiciaire`` (with a requisition reference), ``destinataire_L252-3`` or
``droit_acces_rgpd``. An accepted judicial or L252-3 export writes, into a new folder:

- ``segments/DAY/NAME.mp4``: the original segments overlapping the window, byte for byte (their
  SHA-256 is checked against the recording index before and after the copy);
- ``runs/run-NN_START_END.mp4``: one playable MP4 per continuous run, joined with ffmpeg's
  concat demuxer without re-encoding (``-c copy``); a gap always starts a new file (R20);
- ``manifest.json``: hashes of every file, legal basis, requisition, recipient, who and when,
  the matching audit entries, and an Ed25519 signature (`sentinelle.evidence.manifest`).

A ``droit_acces_rgpd`` export (the data subject's right of access) holds no original segment
(they show third parties): each continuous run is decoded, its people detected and tracked, every
third party's head and face blurred and the run re-encoded to H.264
(`sentinelle.evidence.redaction`); the manifest lists the source segments' SHA-256 (chain of
custody) and a ``redaction`` block (models, what is blurred, the subject's designation, counts).

The ``export`` audit entry and the row of the register of transmissions (R13) are written in one
transaction with the folder's final rename: a failure leaves neither a folder nor a record.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sentinelle import __version__
from sentinelle.access.audit import Actor, AuditAction, AuditEntry, AuditLog, LegalBasis
from sentinelle.access.keys import Keys
from sentinelle.db.engine import Database
from sentinelle.errors import InputError, NotFoundError, RecordingError, StorageError
from sentinelle.evidence import signing
from sentinelle.evidence.manifest import FORMAT, RUNS_DIR, SEGMENTS_DIR, write_manifest
from sentinelle.evidence.redaction import Progress, SourcePart, SubjectPoint
from sentinelle.evidence.transmissions import TransmissionRegister
from sentinelle.record.ffmpeg import find_ffmpeg
from sentinelle.record.segments import CHAIN_TOLERANCE_S, Segment, SegmentIndex, sha256_file

EXPORT_BASES = (LegalBasis.requisition_judiciaire, LegalBasis.destinataire_L252_3,
                LegalBasis.droit_acces_rgpd)
RECIPIENT_COPY_MONTHS = 1  # R12: a designated recipient keeps images one month at most
MAX_WINDOW = timedelta(days=31)
VIEW_ACTIONS = (AuditAction.replay, AuditAction.live_view, AuditAction.export)

#: Resolves a requisition reference to what the manifest says of it (see `export_footage`).
RequisitionResolver = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class ExportRequest:
    """What to export, on which basis, for whom, where."""

    camera_id: str
    start: datetime
    end: datetime
    legal_basis: str
    out: Path
    requisition: str | None = None
    recipient: str | None = None
    subjects: tuple[SubjectPoint, ...] = ()
    rights_request: int | None = None


@dataclass(frozen=True)
class Run:
    """A continuous run of segments, joined into one MP4."""

    path: str
    start: datetime
    end: datetime
    segments: tuple[Segment, ...]


@dataclass
class ExportResult:
    """What an accepted export wrote."""

    out: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    runs: list[Run] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    transmission_id: int = 0
    audit_seq: int = 0


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat()


def _stamp(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def add_months(t: datetime, months: int) -> datetime:
    """`t` plus whole calendar months, the day clipped to the month's length."""
    m = t.month - 1 + months
    y, m = t.year + m // 12, m % 12 + 1
    for day in (t.day, 30, 29, 28):
        try:
            return t.replace(year=y, month=m, day=min(t.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check_request(req: ExportRequest) -> ExportRequest:
    """The request with its text fields trimmed, or an `InputError` naming the field at fault.

    Refused: a basis outside the three lawful ones, a judicial requisition without its
    reference, a subject designation or a rights request on another basis than
    ``droit_acces_rgpd``, a window that is empty, reversed, naive or longer than 31 days, an
    output folder that exists and is not empty.
    """
    basis = (req.legal_basis or "").strip()
    allowed = ", ".join(b.value for b in EXPORT_BASES)
    if not basis:
        msg = f"--legal-basis is required: an export needs a lawful basis ({allowed})"
        raise InputError(msg)
    if basis not in {b.value for b in EXPORT_BASES}:
        msg = f"--legal-basis `{basis}` is not a lawful basis for an export: use one of {allowed}"
        raise InputError(msg)
    if basis != LegalBasis.droit_acces_rgpd:
        if req.subjects:
            msg = (f"--subject: only for --legal-basis droit_acces_rgpd (a {basis} export is "
                   "lossless: nobody is blurred, no subject is designated)")
            raise InputError(msg)
        if req.rights_request is not None:
            msg = f"--rights-request: only for --legal-basis droit_acces_rgpd, not {basis}"
            raise InputError(msg)
    requisition = (req.requisition or "").strip() or None
    if basis == LegalBasis.requisition_judiciaire and requisition is None:
        msg = ("--requisition is required when --legal-basis is requisition_judiciaire "
               "(the requisition's reference number)")
        raise InputError(msg)
    recipient = (req.recipient or "").strip() or None
    if basis == LegalBasis.destinataire_L252_3 and recipient is None:
        msg = ("--recipient is required when --legal-basis is destinataire_L252-3 "
               "(the designated recipient's service or name)")
        raise InputError(msg)
    for name, t in (("--from", req.start), ("--to", req.end)):
        if t.tzinfo is None:
            msg = f"{name} {t.isoformat()}: a timezone-aware time is needed"
            raise InputError(msg)
        try:
            year = t.astimezone(UTC).year
        except OverflowError:
            year = 0
        if not 1970 <= year <= 9000:
            msg = f"{name} {t.isoformat()}: a time between 1970 and 9000 is needed"
            raise InputError(msg)
    if req.end <= req.start:
        msg = f"--to {_iso(req.end)} must be after --from {_iso(req.start)}"
        raise InputError(msg)
    if req.end - req.start > MAX_WINDOW:
        msg = f"--from/--to: a window of at most {MAX_WINDOW.days} days per export"
        raise InputError(msg)
    camera = req.camera_id.strip()
    if not camera:
        msg = "--camera is required"
        raise InputError(msg)
    out = Path(req.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        msg = f"--out {out}: exists and is not an empty folder"
        raise InputError(msg)
    return ExportRequest(camera, req.start.astimezone(UTC), req.end.astimezone(UTC), basis, out,
                         requisition, recipient, tuple(req.subjects), req.rights_request)


def continuous_runs(segments: Sequence[Segment], *,
                    tolerance_s: float = CHAIN_TOLERANCE_S) -> list[list[Segment]]:
    """Split segments (by start) into runs: a new run wherever the next segment does not start
    within `tolerance_s` of the previous one's end."""
    runs: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: s.start):
        if runs and abs((seg.start - runs[-1][-1].end).total_seconds()) <= tolerance_s:
            runs[-1].append(seg)
        else:
            runs.append([seg])
    return runs


def join_without_reencoding(parts: Sequence[Path], out: Path, *, ffmpeg: str = "ffmpeg") -> None:
    """Join MP4 files into `out` with ffmpeg's concat demuxer, streams copied (``-c copy``).

    Raises
    ------
    RecordingError
        When ffmpeg fails (the message ends with its last lines).
    """
    exe = find_ffmpeg(ffmpeg)
    listing = out.with_suffix(".txt")
    lines = []
    for p in parts:
        quoted = str(p.resolve()).replace("'", "'\\''")
        lines.append(f"file '{quoted}'\n")
    listing.write_text("".join(lines), encoding="utf-8")
    argv = [exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "concat", "-safe", "0",
            "-i", str(listing), "-map", "0", "-c", "copy", "-movflags", "+faststart", str(out)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    finally:
        listing.unlink(missing_ok=True)
    if proc.returncode != 0 or not out.is_file():
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        msg = f"ffmpeg could not join {len(parts)} segment(s) into {out.name}: {tail}"
        raise RecordingError(msg)


def _overlaps(text: str | None, start: datetime, end: datetime) -> bool:
    if not text or "/" not in text:
        return False
    a, b = text.split("/", 1)
    try:
        t0, t1 = datetime.fromisoformat(a), datetime.fromisoformat(b)
    except ValueError:
        return False
    return t0 < end and t1 >= start


def matching_audit_entries(audit: AuditLog, camera_id: str, start: datetime, end: datetime
                           ) -> list[AuditEntry]:
    """Audit entries about this camera's footage in the window: views, replays, exports."""
    out = []
    for action in VIEW_ACTIONS:
        for e in audit.entries(limit=None, action=action.value, object_type="camera",
                               object_id=camera_id, newest_first=False):
            if _overlaps(e.time_range, start, end):
                out.append(e)
    return sorted(out, key=lambda e: e.seq)


def _file_entry(root: Path, path: Path) -> dict[str, Any]:
    return {"path": path.relative_to(root).as_posix(), "sha256": sha256_file(path),
            "size_bytes": path.stat().st_size}


def _unresolved(reference: str) -> dict[str, Any]:
    return {"reference": reference}


def describe_requisition(requisition: Any) -> dict[str, Any]:
    """A requisition record (``custody.requisitions.Requisition``) as JSON-able data."""
    if hasattr(requisition, "as_dict"):
        return requisition.as_dict()
    from dataclasses import asdict, is_dataclass
    from datetime import date
    from enum import Enum

    def plain(v: Any) -> Any:
        if isinstance(v, datetime | date):
            return v.isoformat()
        if isinstance(v, Enum):
            return v.value
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list | tuple | set):
            return [plain(x) for x in v]
        return v

    if is_dataclass(requisition) and not isinstance(requisition, type):
        return plain(asdict(requisition))
    return {"reference": str(requisition)}


def _rights_request(db: Database, req: ExportRequest) -> dict[str, Any]:
    """The rights request an RGPD export answers, checked against the camera."""
    from sentinelle.custody.rights_requests import RightsRequestStore

    try:
        rr = RightsRequestStore(db).get(int(req.rights_request or 0))
    except NotFoundError:
        msg = f"--rights-request {req.rights_request}: no such rights request"
        raise InputError(msg) from None
    if rr.camera_id != req.camera_id:
        msg = (f"--rights-request {rr.id}: the request is about camera {rr.camera_id}, not "
               f"{req.camera_id}")
        raise InputError(msg)
    return rr.as_dict()


def _frame_rate(path: Path, default: int = 25) -> float:
    """The frame rate of a video file's first stream (`default` when it cannot be read)."""
    import av

    from sentinelle.evidence.redaction import frame_rate

    try:
        with av.open(str(path)) as container:
            return float(frame_rate(container.streams.video[0], default))
    except (av.error.FFmpegError, IndexError, OSError):
        return default


def _redact_runs(
    tmp: Path, req: ExportRequest, segments: Sequence[Segment], recordings: Path,
    db: Database, *, ffmpeg: str, progress: Progress | None,
) -> tuple[list[dict[str, Any]], list[Run], list[dict[str, Any]], dict[str, Any]]:
    """Right-of-access export: one blurred, re-encoded MP4 per continuous run, no original
    segment. Returns the source segments' entries, the runs, their entries and the manifest's
    ``redaction`` block."""
    from sentinelle.evidence.redaction import Redactor
    from sentinelle.vision.geometry import GeometryStore

    geometry = GeometryStore(db).get(req.camera_id, 0)
    redactor = Redactor(req.camera_id, geometry.masks if geometry else (), ffmpeg=ffmpeg)
    groups = continuous_runs(segments)
    # Frames expected, both passes: an estimate from the first segment's frame rate until the
    # first run tells the frames it holds.
    seconds = sum((s.end - s.start).total_seconds() for s in segments)
    total = max(1, int(2 * seconds * _frame_rate(recordings / segments[0].path)))
    done = 0
    plans = []
    for group in groups:
        parts = [SourcePart(recordings / s.path, s.start) for s in group]
        plan = redactor.plan(parts, progress=progress, done=done, total=total)
        done += len(plan.frames)
        if plan.frames and len(plans) == 0:
            total = max(done, int(2 * seconds * float(plan.rate)))
        plans.append(plan)
    redactor.designate(plans, req.subjects)
    (tmp / RUNS_DIR).mkdir()
    runs: list[Run] = []
    run_entries = []
    seg_entries = []
    for n, (group, plan) in enumerate(zip(groups, plans, strict=True), start=1):
        start, end = group[0].start, group[-1].end
        name = f"run-{n:02d}_{_stamp(start)}_{_stamp(end)}_redacted.mp4"
        frames = redactor.render(plan, tmp / RUNS_DIR / name, progress=progress, done=done,
                                 total=total)
        done += frames
        run = Run(f"{RUNS_DIR}/{name}", start, end, tuple(group))
        runs.append(run)
        run_entries.append({**_file_entry(tmp, tmp / run.path), "start": _iso(start),
                            "end": _iso(end), "frames": frames, "reencoded": True,
                            "source_segments": [s.path for s in group]})
        for s in group:
            seg_entries.append({"original_path": s.path, "start": _iso(s.start),
                                "end": _iso(s.end), "index_sha256": s.sha256,
                                "size_bytes": s.size_bytes, "complete": s.complete,
                                "included": False})
    for s in segments:  # the footage redacted is the footage the index vouches for
        if sha256_file(recordings / s.path) != s.sha256:
            msg = f"segment {s.path} changed while it was redacted: export refused"
            raise StorageError(msg)
    if progress:
        progress(done, done)
    return seg_entries, runs, run_entries, redactor.describe(req.subjects)


def export_footage(
    db: Database,
    keys: Keys,
    recordings: Path,
    request: ExportRequest,
    *,
    actor: Actor,
    now: datetime | None = None,
    resolve_requisition: RequisitionResolver | None = None,
    ffmpeg: str = "ffmpeg",
    progress: Progress | None = None,
) -> ExportResult:
    """Export a camera's footage over a window into a new folder (see the module's text).

    Parameters
    ----------
    db, keys
        The database and the installation's keys (audit log, signing key).
    recordings
        The recordings folder (``SENTINELLE_HOME/recordings``).
    request
        What to export; checked by `check_request`.
    actor
        Who exports (``Actor.cli()`` for the CLI, the logged-in user on the web).
    now
        Time of the export.
    resolve_requisition
        Turns the requisition reference into the manifest's ``requisition`` block (e.g. the
        custody store, which records an unknown reference as incomplete); None keeps the
        reference alone.
    ffmpeg
        The program that joins runs (and encodes the redacted ones).
    progress
        Called with (frames done, frames expected) while a ``droit_acces_rgpd`` export is
        redacted (two passes over every frame).

    Raises
    ------
    InputError
        A request refused (the message names the option and the reason).
    NotFoundError
        No footage of the camera in the window.
    StorageError
        An original segment is missing or its bytes differ from the index: nothing is exported.
    RecordingError
        ffmpeg missing or failing.
    """
    req = check_request(request)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    find_ffmpeg(ffmpeg)
    index = SegmentIndex(db, recordings)
    segments = index.segments(req.camera_id, start=req.start, end=req.end)
    if not segments:
        msg = (f"no footage of camera {req.camera_id} between {_iso(req.start)} and "
               f"{_iso(req.end)}")
        raise NotFoundError(msg)
    for seg in segments:
        src = recordings / seg.path
        if not src.is_file():
            msg = f"segment {seg.path} of camera {req.camera_id} is missing: export refused"
            raise StorageError(msg)
        if sha256_file(src) != seg.sha256:
            msg = (f"segment {seg.path}: its bytes differ from the SHA-256 in the recording "
                   "index (altered footage): export refused")
            raise StorageError(msg)

    redacting = req.legal_basis == LegalBasis.droit_acces_rgpd
    rights_request = None
    if req.rights_request is not None:
        rights_request = _rights_request(db, req)
    requisition = None
    if req.requisition:
        requisition = (resolve_requisition or _unresolved)(req.requisition)
    audit = AuditLog(db, keys)
    earlier = matching_audit_entries(audit, req.camera_id, req.start, req.end)

    out = req.out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    moved = False
    try:
        if redacting:
            seg_entries, runs, run_entries, redaction = _redact_runs(
                tmp, req, segments, recordings, db, ffmpeg=ffmpeg, progress=progress)
        else:
            seg_entries = []
            copied: dict[str, Path] = {}
            for seg in segments:
                src = recordings / seg.path
                day = seg.start.astimezone(UTC).date().isoformat()
                dst = tmp / SEGMENTS_DIR / day / src.name
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
                digest = sha256_file(dst)
                if digest != seg.sha256:
                    msg = f"segment {seg.path} changed while it was copied: export refused"
                    raise StorageError(msg)
                copied[seg.path] = dst
                seg_entries.append({
                    "path": dst.relative_to(tmp).as_posix(), "original_path": seg.path,
                    "start": _iso(seg.start), "end": _iso(seg.end), "sha256": digest,
                    "index_sha256": seg.sha256, "size_bytes": seg.size_bytes,
                    "complete": seg.complete,
                })
            runs: list[Run] = []
            (tmp / RUNS_DIR).mkdir()
            for n, group in enumerate(continuous_runs(segments), start=1):
                start, end = group[0].start, group[-1].end
                name = f"run-{n:02d}_{_stamp(start)}_{_stamp(end)}.mp4"
                join_without_reencoding([copied[s.path] for s in group], tmp / RUNS_DIR / name,
                                        ffmpeg=ffmpeg)
                runs.append(Run(f"{RUNS_DIR}/{name}", start, end, tuple(group)))
            run_entries = []
            for r in runs:
                entry = _file_entry(tmp, tmp / r.path)
                run_entries.append({**entry, "start": _iso(r.start), "end": _iso(r.end),
                                    "segments": [
                                        f"{SEGMENTS_DIR}/{s.start.astimezone(UTC).date()}/"
                                        f"{Path(s.path).name}" for s in r.segments]})
        gaps = []
        edges = [(req.start, req.start)] + [(r.start, r.end) for r in runs] + \
            [(req.end, req.end)]
        for (_, prev_end), (nxt_start, _) in zip(edges, edges[1:], strict=False):
            if nxt_start > prev_end:
                gaps.append({"from": _iso(max(prev_end, req.start)),
                             "to": _iso(min(nxt_start, req.end))})
        gaps = [g for g in gaps if g["from"] < g["to"]]
        files = sorted((_file_entry(tmp, p) for p in tmp.rglob("*") if p.is_file()),
                       key=lambda f: f["path"])
        total = sum(f["size_bytes"] for f in files)
        delete_by = (add_months(now, RECIPIENT_COPY_MONTHS)
                     if req.legal_basis == LegalBasis.destinataire_L252_3 else None)

        with db.session() as s:
            entry = audit.record(
                actor=actor, action=AuditAction.export, object_type="camera",
                object_id=req.camera_id, time_range=(req.start, req.end),
                legal_basis=req.legal_basis, requisition_ref=req.requisition,
                recipient=req.recipient, purpose="evidence export",
                details={"out": str(out), "files": len(files), "size_bytes": total,
                         "runs": len(runs), "segments": len(segments), "reencoded": redacting,
                         **({"rights_request": req.rights_request,
                             "subjects_designated": len(req.subjects),
                             "persons_blurred": redaction["persons_blurred"]}
                            if redacting else {})},
                now=now, session=s,
            )
            body = {
                "format": FORMAT,
                "generator": f"sentinelle {__version__}",
                "camera_id": req.camera_id,
                "requested": {"from": _iso(req.start), "to": _iso(req.end)},
                "covered": {"from": _iso(segments[0].start), "to": _iso(segments[-1].end)},
                "legal_basis": req.legal_basis,
                "requisition": requisition,
                "recipient": req.recipient,
                "exported_by": {"name": actor.name, "role": actor.role},
                "exported_at": _iso(now),
                "recipient_copy_delete_by": _iso(delete_by) if delete_by else None,
                "reencoded": redacting,
                "segments": [] if redacting else seg_entries,
                "runs": run_entries,
                "gaps": gaps,
                "files": files,
                "audit_entries": [e.as_dict() for e in [*earlier, entry]],
            }
            if redacting:
                body["source_segments"] = seg_entries
                body["redaction"] = redaction
                body["rights_request"] = rights_request
            manifest = {**body, "signature": signing.sign(body, keys)}
            manifest_sha = write_manifest(tmp, manifest)
            tid = TransmissionRegister(db).add(
                s, transmitted_at=now, camera_id=req.camera_id, start=req.start, end=req.end,
                legal_basis=req.legal_basis, requisition_ref=req.requisition,
                recipient=req.recipient, exported_by=actor.name, out_dir=str(out),
                manifest_sha256=manifest_sha, files=len(files) + 1,
                size_bytes=total + (tmp / "manifest.json").stat().st_size,
                delete_by=delete_by, audit_seq=entry.seq, reencoded=redacting,
            )
            if out.exists():
                out.rmdir()  # empty (checked above)
            tmp.rename(out)
            moved = True
    except BaseException:
        shutil.rmtree(out if moved else tmp, ignore_errors=True)
        raise
    return ExportResult(out=out, manifest=manifest, manifest_sha256=manifest_sha, runs=runs,
                        segments=segments, transmission_id=tid, audit_seq=entry.seq)
