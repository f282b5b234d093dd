"""Legal holds: footage of a camera in a time window that retention may not purge (LEGAL R11).

A hold has a reason and an end (``until``); it is active from its creation until that end or
until it is released, whichever comes first. A requisition holds each of its windows until it
is closed; a data subject's access request holds its window until it is answered. Every hold
placed or released leaves an audit entry (``hold_change``).

Retention asks `HoldStore.covers` (or reads `HoldStore.active` once per run): a segment that
overlaps an active hold of its camera, even by one instant, is kept whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sentinelle.access.audit import Actor, AuditAction, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.custody.common import aware, keys_or_default, text, window
from sentinelle.db.custody_tables import HoldRow
from sentinelle.db.engine import Database
from sentinelle.errors import InputError, NotFoundError
from sentinelle.serial import iso_dict


class HoldKind(StrEnum):
    """Why a hold exists."""

    requisition = "requisition"
    rights_request = "rights_request"
    manual = "manual"


@dataclass(frozen=True)
class Hold:
    """A legal hold on one camera × time window."""

    id: int
    camera_id: str
    start: datetime
    end: datetime
    reason: str
    kind: str
    requisition_id: int | None
    rights_request_id: int | None
    created_at: datetime
    created_by: str
    until: datetime
    released_at: datetime | None
    released_by: str | None

    def active_at(self, now: datetime) -> bool:
        """Placed, not yet past its end, not released at `now`."""
        if now < self.created_at or now >= self.until:
            return False
        return self.released_at is None or now < self.released_at

    def overlaps(self, camera_id: str, start: datetime, end: datetime) -> bool:
        """Whether footage of `camera_id` over [start, end) touches this hold's window."""
        return camera_id == self.camera_id and start < self.end and end > self.start

    def as_dict(self, *, now: datetime | None = None) -> dict[str, Any]:
        d = iso_dict(self)
        if now is not None:
            d["active"] = self.active_at(now)
        return d


def hold_of(row: HoldRow) -> Hold:
    return Hold(
        id=row.id, camera_id=row.camera_id, start=row.start_at, end=row.end_at,
        reason=row.reason, kind=row.kind, requisition_id=row.requisition_id,
        rights_request_id=row.rights_request_id, created_at=row.created_at,
        created_by=row.created_by, until=row.until, released_at=row.released_at,
        released_by=row.released_by,
    )


def place_hold(
    s: Session,
    audit: AuditLog,
    *,
    camera_id: str,
    start: datetime,
    end: datetime,
    reason: str,
    until: datetime,
    actor: Actor,
    now: datetime,
    kind: HoldKind = HoldKind.manual,
    requisition_id: int | None = None,
    rights_request_id: int | None = None,
    requisition_ref: str | None = None,
) -> HoldRow:
    """Place a hold in the caller's transaction and audit it there (``hold_change``)."""
    cam = text(camera_id, "camera_id", max_len=64, required=True)
    start, end = window(start, end, f"hold on {cam}")
    reason_text = text(reason, "reason", max_len=2000, required=True)
    now, until = aware(now, "now"), aware(until, "until")
    if until <= now:
        msg = f"hold on {cam}: its end {until.isoformat()} is not after now {now.isoformat()}"
        raise InputError(msg)
    row = HoldRow(camera_id=cam, start_at=start, end_at=end, reason=reason_text,
                  kind=HoldKind(kind).value, requisition_id=requisition_id,
                  rights_request_id=rights_request_id, created_at=now,
                  created_by=actor.name, until=until)
    s.add(row)
    s.flush()
    audit.record(actor=actor, action=AuditAction.hold_change, object_type="camera",
                 object_id=cam, time_range=(start, end), purpose=reason_text,
                 requisition_ref=requisition_ref, now=now, session=s,
                 details={"hold": row.id, "change": "placed", "kind": row.kind,
                          "until": until.isoformat()})
    return row


def release_rows(s: Session, audit: AuditLog, rows: list[HoldRow], *, actor: Actor,
                 now: datetime, why: str, requisition_ref: str | None = None) -> None:
    """Release these holds in the caller's transaction, one audit entry each."""
    for row in rows:
        if row.released_at is not None:
            continue
        row.released_at, row.released_by = now, actor.name
        audit.record(actor=actor, action=AuditAction.hold_change, object_type="camera",
                     object_id=row.camera_id, time_range=(row.start_at, row.end_at),
                     purpose=why, requisition_ref=requisition_ref, now=now, session=s,
                     details={"hold": row.id, "change": "released", "kind": row.kind})


class HoldStore:
    """The legal holds of an installation.

    Parameters
    ----------
    db
        The database.
    keys
        The installation's keys, for the audit log's checkpoint (default: read from the
        environment when a change is written).
    """

    def __init__(self, db: Database, keys: Keys | None = None) -> None:
        self.db = db
        self.keys = keys

    def _audit(self, keys: Keys | None) -> AuditLog:
        return AuditLog(self.db, keys_or_default(keys or self.keys))

    # reading

    def active(self, now: datetime) -> list[Hold]:
        """Holds active at `now`, by camera then start."""
        now = aware(now, "now")
        q = (select(HoldRow)
             .where(HoldRow.created_at <= now, HoldRow.until > now,
                    or_(HoldRow.released_at.is_(None), HoldRow.released_at > now))
             .order_by(HoldRow.camera_id, HoldRow.start_at, HoldRow.id))
        with self.db.session() as s:
            return [hold_of(r) for r in s.scalars(q)]

    def covers(self, camera_id: str, start: datetime, end: datetime, now: datetime) -> bool:
        """Whether an active hold at `now` touches footage of `camera_id` over [start, end)
        (any overlap: such footage may not be purged)."""
        start, end = aware(start, "start"), aware(end, "end")
        return any(h.overlaps(camera_id, start, end) for h in self.active(now))

    def list(self, *, camera_id: str | None = None, active_at: datetime | None = None
             ) -> list[Hold]:
        """Every hold (or a camera's), newest first; only those active at `active_at` if given."""
        if active_at is not None:
            holds = self.active(active_at)
            holds = [h for h in holds if camera_id is None or h.camera_id == camera_id]
            return sorted(holds, key=lambda h: h.id, reverse=True)
        q = select(HoldRow).order_by(HoldRow.id.desc())
        if camera_id is not None:
            q = q.where(HoldRow.camera_id == camera_id)
        with self.db.session() as s:
            return [hold_of(r) for r in s.scalars(q)]

    def get(self, hold_id: int) -> Hold:
        with self.db.session() as s:
            row = s.get(HoldRow, hold_id)
            if row is None:
                msg = f"no hold #{hold_id}"
                raise NotFoundError(msg)
            return hold_of(row)

    # writing

    def add(self, camera_id: str, start: datetime, end: datetime, *, reason: str,
            until: datetime, actor: Actor, now: datetime, keys: Keys | None = None) -> Hold:
        """Place a manual hold (audited ``hold_change``)."""
        audit = self._audit(keys)
        with self.db.session() as s:
            row = place_hold(s, audit, camera_id=camera_id, start=start, end=end,
                             reason=reason, until=until, actor=actor, now=now)
            return hold_of(row)

    def release(self, hold_id: int, *, actor: Actor, now: datetime, reason: str,
                keys: Keys | None = None) -> Hold:
        """Release a hold before its end (audited ``hold_change``)."""
        why = text(reason, "reason", max_len=2000, required=True)
        audit = self._audit(keys)
        now = aware(now, "now")
        with self.db.session() as s:
            row = s.get(HoldRow, hold_id)
            if row is None:
                msg = f"no hold #{hold_id}"
                raise NotFoundError(msg)
            if row.released_at is not None:
                msg = f"hold #{hold_id} was released already ({row.released_at.isoformat()})"
                raise InputError(msg)
            release_rows(s, audit, [row], actor=actor, now=now, why=why or "")
            s.flush()
            return hold_of(row)
