"""Retention: which footage to destroy (a pure plan) and a small executor that destroys it.

Rules (CSI L252-5; LEGAL R09, R10, R11):

1. A segment whose end is at least its camera's retention old (``now - end >= days``; days from
   the camera, capped by its authorisation's maximum and by 30 days) is destroyed, unless an
   active legal hold of that camera overlaps it.
2. When the recordings folder is over its quota (``SENTINELLE_RECORDINGS_QUOTA``), unheld
   footage goes, oldest first (across cameras), until the folder fits: first footage older
   than its authorisation's minimum retention, then, only as a last resort, younger footage;
   each camera whose footage goes below its minimum gets an R10 finding and an alert.
3. Held footage is never planned for destruction; if only held footage is left the folder stays
   over quota and an alert says so.

`plan_purge` decides and touches nothing; `execute_purge` checks the holds again, deletes the
files and their index rows, and writes one destruction-register row and one audit entry
(action ``purge``) per camera.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sentinelle.access.audit import Actor, AuditAction, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.compliance.findings import Finding, Severity
from sentinelle.custody.common import aware
from sentinelle.custody.destruction import write_destruction
from sentinelle.custody.holds import Hold, HoldStore
from sentinelle.db.engine import Database
from sentinelle.errors import InputError
from sentinelle.record.segments import Segment, SegmentIndex

MAX_DAYS = 30
"""CSI L252-5: footage is kept one month at most."""

R10_REF = "CSI L252-5 al. 2"
_QUOTA = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_quota(value: str | int | None, name: str = "SENTINELLE_RECORDINGS_QUOTA") -> int | None:
    """Bytes from ``500G``, ``750M``, ``1.5T`` or a plain number (K/M/G/T = 1024-based);
    None when empty."""
    if value is None:
        return None
    if isinstance(value, int):
        number, unit = float(value), ""
    else:
        if not value.strip():
            return None
        m = _QUOTA.match(value)
        if not m:
            msg = (f"{name} `{value}` is not a size: a number of bytes with an optional "
                   "suffix K, M, G or T (e.g. 500G)")
            raise InputError(msg)
        number, unit = float(m.group(1)), m.group(2).upper()
    size = int(number * _UNITS[unit])
    if size <= 0:
        msg = f"{name} `{value}` must be more than 0 bytes"
        raise InputError(msg)
    return size


@dataclass(frozen=True)
class CameraRetention:
    """How long one camera's footage is kept, and the minimum its authorisation sets."""

    days: int
    min_days: int | None = None


@dataclass(frozen=True)
class RetentionPolicy:
    """Every camera's retention, the default for cameras unknown to the registry, the quota."""

    cameras: dict[str, CameraRetention] = field(default_factory=dict)
    default_days: int = MAX_DAYS
    quota_bytes: int | None = None

    def of(self, camera_id: str) -> CameraRetention:
        got = self.cameras.get(camera_id)
        if got is None:
            return CameraRetention(min(self.default_days, MAX_DAYS))
        return CameraRetention(min(max(got.days, 1), MAX_DAYS), got.min_days)


@dataclass(frozen=True)
class Deletion:
    """A segment planned for destruction and why (``retention``, ``quota``,
    ``quota_below_minimum``)."""

    segment: Segment
    reason: str


@dataclass(frozen=True)
class PurgePlan:
    """What a purge would destroy, keep under hold, and report."""

    now: datetime
    deletions: list[Deletion]
    held_past_limit: list[Segment]
    used_bytes: int
    quota_bytes: int | None
    findings: list[Finding]
    alerts: list[str]

    @property
    def freed_bytes(self) -> int:
        return sum(d.segment.size_bytes for d in self.deletions)

    @property
    def used_after(self) -> int:
        return self.used_bytes - self.freed_bytes

    def by_camera(self) -> dict[str, list[Deletion]]:
        out: dict[str, list[Deletion]] = {}
        for d in self.deletions:
            out.setdefault(d.segment.camera_id, []).append(d)
        return out

    def as_dict(self) -> dict[str, Any]:
        cams = []
        for cam, dels in sorted(self.by_camera().items()):
            cams.append({
                "camera_id": cam, "segments": len(dels),
                "bytes": sum(d.segment.size_bytes for d in dels),
                "period_start": min(d.segment.start for d in dels).isoformat(),
                "period_end": max(d.segment.end for d in dels).isoformat(),
                "reasons": sorted({d.reason for d in dels}),
            })
        return {
            "now": self.now.isoformat(), "cameras": cams,
            "segments": len(self.deletions), "freed_bytes": self.freed_bytes,
            "used_bytes": self.used_bytes, "used_after_bytes": self.used_after,
            "quota_bytes": self.quota_bytes,
            "held_past_limit": [{"camera_id": s.camera_id, "path": s.path,
                                 "start": s.start.isoformat(), "end": s.end.isoformat()}
                                for s in self.held_past_limit],
            "findings": [f.as_dict() for f in self.findings],
            "alerts": self.alerts,
        }


def _held(seg: Segment, holds: Sequence[Hold], now: datetime) -> bool:
    return any(h.active_at(now) and h.overlaps(seg.camera_id, seg.start, seg.end)
               for h in holds)


def plan_purge(
    segments: Iterable[Segment],
    policy: RetentionPolicy,
    holds: Iterable[Hold],
    now: datetime,
    *,
    used_bytes: int | None = None,
) -> PurgePlan:
    """Decide which segments to destroy at `now` (pure: reads and writes nothing).

    Parameters
    ----------
    segments
        The indexed segments.
    policy
        Each camera's retention and minimum, and the quota.
    holds
        Legal holds (those not active at `now` are ignored).
    now
        The time the purge judges.
    used_bytes
        Bytes used by the recordings folder (default: the segments' sizes).
    """
    now = aware(now, "now")
    segs = sorted(segments, key=lambda s: (s.start, s.end, s.camera_id, s.path))
    holds = list(holds)
    used = sum(s.size_bytes for s in segs) if used_bytes is None else used_bytes
    deletions: list[Deletion] = []
    held_past: list[Segment] = []
    remaining: list[Segment] = []
    for seg in segs:
        days = policy.of(seg.camera_id).days
        if now - seg.end >= timedelta(days=days):
            if _held(seg, holds, now):
                held_past.append(seg)
            else:
                deletions.append(Deletion(seg, "retention"))
        else:
            remaining.append(seg)
    findings: list[Finding] = []
    alerts: list[str] = []
    quota = policy.quota_bytes
    size = used - sum(d.segment.size_bytes for d in deletions)
    if quota is not None and size > quota:
        free = [s for s in remaining if not _held(s, holds, now)]

        def young(s: Segment) -> bool:
            m = policy.of(s.camera_id).min_days
            return m is not None and now - s.end < timedelta(days=m)

        below: dict[str, list[Segment]] = {}
        for last_resort in (False, True):
            for seg in free:
                if size <= quota:
                    break
                if young(seg) != last_resort:
                    continue
                deletions.append(Deletion(seg, "quota_below_minimum" if last_resort
                                          else "quota"))
                size -= seg.size_bytes
                if last_resort:
                    below.setdefault(seg.camera_id, []).append(seg)
        for cam, lost in sorted(below.items()):
            m = policy.of(cam).min_days
            start, end = min(s.start for s in lost), max(s.end for s in lost)
            msg = (f"Quota d'enregistrement atteint : {len(lost)} segment(s) de moins de {m} "
                   f"jours (minimum fixé par l'autorisation) détruits, du {start.isoformat()} "
                   f"au {end.isoformat()}.")
            findings.append(Finding(
                rule="R10", legal_ref=R10_REF, severity=Severity.violation,
                subject_type="camera", subject_id=cam, message=msg,
                evidence={"minimum_days": m, "segments": len(lost),
                          "period_start": start.isoformat(), "period_end": end.isoformat(),
                          "quota_bytes": quota}))
            alerts.append(f"{cam}: quota reached, footage younger than its {m}-day minimum "
                          f"destroyed ({start.isoformat()} to {end.isoformat()})")
        if size > quota:
            alerts.append(f"recordings still over quota after the purge ({size} bytes for "
                          f"{quota}): what is left is under legal hold or in use")
    return PurgePlan(now=now, deletions=deletions, held_past_limit=held_past,
                     used_bytes=used, quota_bytes=quota, findings=findings, alerts=alerts)


# -- policy from the registry, folder usage -------------------------------------------------


def policy_from_registry(db: Database, keys: Keys, *, quota_bytes: int | None
                         ) -> RetentionPolicy:
    """Each registered camera's retention: its own days (default: its authorisation's
    maximum), capped by that maximum and by 30 days; the minimum from its authorisation."""
    from sentinelle.registry.store import Registry

    registry = Registry(db, keys=keys)
    auths = {a.reference: a for a in registry.authorisations()}
    cams: dict[str, CameraRetention] = {}
    for c in registry.cameras():
        a = auths.get(c.authorisation) if c.authorisation else None
        cap = min(a.max_retention_days, MAX_DAYS) if a else MAX_DAYS
        days = min(c.retention_days or cap, cap)
        cams[c.id] = CameraRetention(days, a.min_retention_days if a else None)
    return RetentionPolicy(cameras=cams, quota_bytes=quota_bytes)


def folder_bytes(root: Path) -> int:
    """Bytes of every file below the recordings folder."""
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += (Path(dirpath) / name).stat().st_size
            except FileNotFoundError:
                continue
    return total


# -- executor -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeReport:
    """What a purge run did (or would do, with ``dry_run``)."""

    run_id: str
    dry_run: bool
    plan: PurgePlan
    deleted: list[Segment]
    skipped_now_held: list[Segment]
    missing_files: list[str]
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = self.plan.as_dict()
        d.update({
            "run_id": self.run_id, "dry_run": self.dry_run,
            "deleted": len(self.deleted),
            "skipped_now_held": [s.path for s in self.skipped_now_held],
            "missing_files": self.missing_files,
            "failed": self.failed,
        })
        return d


def execute_purge(
    db: Database,
    root: Path,
    plan: PurgePlan,
    *,
    actor: Actor,
    keys: Keys,
    dry_run: bool = False,
    alert_log: bool = True,
) -> PurgeReport:
    """Carry out `plan`: for each camera, check the holds again, delete the files and their
    index rows, then write one destruction-register row and one ``purge`` audit entry.

    A segment placed under hold since the plan was made is kept. A file already gone from
    disk still has its index row removed (and is named in the report); one that cannot be
    deleted stays indexed and is named in ``failed``. Only what was destroyed is registered.
    With `dry_run`, nothing is touched. Alerts go to the control room's log (category
    ``other``) when `alert_log`.
    """
    run_id = uuid.uuid4().hex[:16]
    if dry_run:
        return PurgeReport(run_id, True, plan, [], [], [], [])
    now = plan.now
    index = SegmentIndex(db, root)
    audit = AuditLog(db, keys)
    holds = HoldStore(db, keys).active(now)
    deleted: list[Segment] = []
    skipped: list[Segment] = []
    missing: list[str] = []
    failed: list[str] = []
    for cam, dels in sorted(plan.by_camera().items()):
        done: list[Deletion] = []
        for d in dels:
            if _held(d.segment, holds, now):
                skipped.append(d.segment)
                continue
            path = root / d.segment.path
            try:
                path.unlink()
            except FileNotFoundError:
                missing.append(d.segment.path)
            except OSError as exc:  # not deletable: kept, indexed, reported
                failed.append(f"{d.segment.path}: {exc.strerror or exc}")
                continue
            index.remove(d.segment.path)
            done.append(d)
            deleted.append(d.segment)
        if not done:
            continue
        period = (min(d.segment.start for d in done), max(d.segment.end for d in done))
        reasons = {d.reason for d in done}
        size = sum(d.segment.size_bytes for d in done)
        with db.session() as s:
            write_destruction(s, run_id=run_id, camera_id=cam, period=period,
                              segments=len(done), size=size, reasons=reasons,
                              destroyed_at=now, actor=actor.name)
            audit.record(actor=actor, action=AuditAction.purge, object_type="camera",
                         object_id=cam, time_range=period, purpose="durée de conservation",
                         details={"run_id": run_id, "segments": len(done), "bytes": size,
                                  "reasons": sorted(reasons)}, now=now, session=s)
    if alert_log and plan.alerts:
        from sentinelle.record.logbook import Logbook

        book = Logbook(db, audit)
        for f in plan.findings:
            book.add(camera_id=f.subject_id, category="other", text=f"ALERTE purge : {f.message}",
                     actor=actor, now=now)
        if len(plan.alerts) > len(plan.findings):
            book.add(camera_id=None, category="other",
                     text=f"ALERTE purge : {plan.alerts[-1]}", actor=actor, now=now)
    return PurgeReport(run_id, False, plan, deleted, skipped, missing, failed)


def purge(
    db: Database,
    root: Path,
    *,
    keys: Keys,
    now: datetime,
    actor: Actor,
    quota_bytes: int | None,
    dry_run: bool = False,
) -> PurgeReport:
    """Plan from the index, the registry and the holds at `now`, then execute."""
    policy = policy_from_registry(db, keys, quota_bytes=quota_bytes)
    segments = SegmentIndex(db, root).segments()
    holds = HoldStore(db, keys).active(now)
    used = folder_bytes(root) if root.is_dir() else sum(s.size_bytes for s in segments)
    plan = plan_purge(segments, policy, holds, now, used_bytes=used)
    return execute_purge(db, root, plan, actor=actor, keys=keys, dry_run=dry_run)
