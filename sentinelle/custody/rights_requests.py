"""Data-subject access requests (RGPD art. 15, CSI L253-5): footage of the requester.

Recording a request puts its camera × window under a legal hold at once, so that retention
cannot destroy the footage while the request is answered. The answer is due within one month of
receipt (RGPD art. 12.3); the hold lasts until the request is closed, and at most one month
after the deadline. Every change is audited (``rights_request_change``, and ``hold_change`` for
the hold).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from sentinelle.access.audit import Actor, AuditAction, AuditLog, LegalBasis
from sentinelle.access.keys import Keys
from sentinelle.custody.common import aware, keys_or_default, text, window
from sentinelle.custody.holds import HoldKind, place_hold, release_rows
from sentinelle.db.custody_tables import HoldRow, RightsRequestRow
from sentinelle.db.engine import Database
from sentinelle.errors import InputError, NotFoundError
from sentinelle.serial import iso_dict

HOLD_MARGIN = timedelta(days=30)
"""How long past the answer's deadline an unanswered request still holds its footage."""


class Answer(StrEnum):
    """How a request was closed."""

    communicated = "communicated"  # footage shown or sent (third parties protected)
    no_footage = "no_footage"  # nothing recorded of the requester (or destroyed already)
    refused = "refused"  # refused (e.g. identity not established, manifestly unfounded)
    withdrawn = "withdrawn"


def one_month_after(t: datetime) -> datetime:
    """The same time one calendar month later (day clipped to the month's length)."""
    y, m = (t.year + 1, 1) if t.month == 12 else (t.year, t.month + 1)
    for day in (t.day, 30, 29, 28):
        try:
            return t.replace(year=y, month=m, day=min(t.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class RightsRequest:
    id: int
    requester: str
    camera_id: str
    start: datetime
    end: datetime
    received_at: datetime
    deadline_at: datetime
    recorded_by: str
    closed_at: datetime | None
    closed_by: str | None
    answer: str | None
    notes: str | None

    def overdue(self, now: datetime) -> bool:
        """Still open past its one-month deadline."""
        return self.closed_at is None and now >= self.deadline_at

    def as_dict(self, *, now: datetime | None = None) -> dict[str, Any]:
        d = iso_dict(self)
        if now is not None:
            d["overdue"] = self.overdue(now)
        return d


def _request(row: RightsRequestRow) -> RightsRequest:
    return RightsRequest(
        id=row.id, requester=row.requester, camera_id=row.camera_id, start=row.start_at,
        end=row.end_at, received_at=row.received_at, deadline_at=row.deadline_at,
        recorded_by=row.recorded_by, closed_at=row.closed_at, closed_by=row.closed_by,
        answer=row.answer, notes=row.notes,
    )


class RightsRequestStore:
    """The data subjects' access requests of an installation."""

    def __init__(self, db: Database, keys: Keys | None = None) -> None:
        self.db = db
        self.keys = keys

    def _audit(self, keys: Keys | None) -> AuditLog:
        return AuditLog(self.db, keys_or_default(keys or self.keys))

    def list(self, *, open_only: bool = False) -> list[RightsRequest]:
        q = select(RightsRequestRow).order_by(RightsRequestRow.received_at.desc(),
                                              RightsRequestRow.id.desc())
        if open_only:
            q = q.where(RightsRequestRow.closed_at.is_(None))
        with self.db.session() as s:
            return [_request(r) for r in s.scalars(q)]

    def get(self, request_id: int) -> RightsRequest:
        with self.db.session() as s:
            row = s.get(RightsRequestRow, request_id)
            if row is None:
                msg = f"no rights request #{request_id}"
                raise NotFoundError(msg)
            return _request(row)

    def add(self, *, requester: str, camera_id: str, start: datetime, end: datetime,
            actor: Actor, now: datetime, received_at: datetime | None = None,
            notes: str | None = None, keys: Keys | None = None) -> RightsRequest:
        """Record a request and hold its window at once (both audited)."""
        who = text(requester, "requester", max_len=200, required=True)
        cam = text(camera_id, "camera_id", max_len=64, required=True)
        assert who is not None and cam is not None
        start, end = window(start, end, "requested window")
        now = aware(now, "now")
        received = aware(received_at, "received_at") if received_at else now
        if received > now:
            msg = f"`received_at` {received.isoformat()} is in the future"
            raise InputError(msg)
        deadline = one_month_after(received)
        note = text(notes, "notes", max_len=4000)
        audit = self._audit(keys)
        with self.db.session() as s:
            row = RightsRequestRow(requester=who, camera_id=cam, start_at=start, end_at=end,
                                   received_at=received, deadline_at=deadline,
                                   recorded_by=actor.name, notes=note)
            s.add(row)
            s.flush()
            place_hold(s, audit, camera_id=cam, start=start, end=end,
                       reason=f"Demande d'accès RGPD n° {row.id}",
                       until=max(deadline + HOLD_MARGIN, now + timedelta(days=1)),
                       actor=actor, now=now, kind=HoldKind.rights_request,
                       rights_request_id=row.id)
            audit.record(actor=actor, action=AuditAction.rights_request_change,
                         object_type="rights_request", object_id=str(row.id),
                         time_range=(start, end), legal_basis=LegalBasis.droit_acces_rgpd,
                         details={"change": "created", "camera_id": cam,
                                  "deadline": deadline.isoformat()}, now=now, session=s)
            return _request(row)

    def close(self, request_id: int, *, answer: str, actor: Actor, now: datetime,
              notes: str | None = None, keys: Keys | None = None) -> RightsRequest:
        """Close a request with its answer and release its hold (audited)."""
        try:
            ans = Answer(answer).value
        except ValueError:
            options = ", ".join(a.value for a in Answer)
            msg = f"`answer` '{answer}' is not one of: {options}"
            raise InputError(msg) from None
        now = aware(now, "now")
        note = text(notes, "notes", max_len=4000)
        audit = self._audit(keys)
        with self.db.session() as s:
            row = s.get(RightsRequestRow, request_id)
            if row is None:
                msg = f"no rights request #{request_id}"
                raise NotFoundError(msg)
            if row.closed_at is not None:
                msg = f"rights request #{request_id} was closed already"
                raise InputError(msg)
            row.closed_at, row.closed_by, row.answer = now, actor.name, ans
            if note:
                row.notes = note
            holds = list(s.scalars(select(HoldRow).where(
                HoldRow.rights_request_id == row.id, HoldRow.released_at.is_(None))))
            release_rows(s, audit, holds, actor=actor, now=now,
                         why=f"Demande d'accès n° {row.id} close ({ans})")
            audit.record(actor=actor, action=AuditAction.rights_request_change,
                         object_type="rights_request", object_id=str(row.id),
                         time_range=(row.start_at, row.end_at),
                         legal_basis=LegalBasis.droit_acces_rgpd,
                         details={"change": "closed", "answer": ans,
                                  "late": now > row.deadline_at}, now=now, session=s)
            s.flush()
            return _request(row)
