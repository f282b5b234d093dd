"""Legal bases of event detection (loi 2023-380 art. 10, décret 2023-828) and the kill switch.

A basis records the text (law and decree), the prefectoral decision, the place (the cameras it
names), the period ``[start, end)`` and the event types the decision allows. The event
pipeline of a camera runs only while a basis naming that camera is in force, and only the
types it allows (R31); `in_force` is the kill switch every pipeline asks, with the `now` it is
given. Every change is audited as ``analytics_basis_change``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from sentinelle.access.audit import Actor, AuditAction, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.db.engine import Database
from sentinelle.db.events_tables import EventBasisRow
from sentinelle.errors import InputError, NotFoundError
from sentinelle.events.types import UNAVAILABLE, parse_events

#: End of the experiment set by loi 2023-380 art. 10; an extension to 31 Dec 2027 was pending
#: in 2026 (LEGAL.md §3.3). R31 warns about a basis that runs past it.
EXPERIMENT_END = datetime(2025, 4, 1, tzinfo=UTC)  # 31 March 2025 included


@dataclass(frozen=True)
class EventBasis:
    """A recorded legal basis of event detection."""

    id: int
    text_ref: str
    decision_ref: str
    camera_ids: tuple[str, ...]
    start: datetime
    end: datetime
    events: tuple[str, ...]
    created_at: datetime
    created_by: str

    def in_force(self, now: datetime) -> bool:
        return self.start <= now < self.end

    def covers(self, camera_id: str, now: datetime, event: str | None = None) -> bool:
        """In force at `now` for `camera_id` (and `event`, when given)?"""
        return (self.in_force(now) and camera_id in self.camera_ids
                and (event is None or event in self.events))

    def as_dict(self, now: datetime | None = None) -> dict[str, Any]:
        d = {"id": self.id, "text": self.text_ref, "decision": self.decision_ref,
             "cameras": list(self.camera_ids), "start": _iso(self.start),
             "end": _iso(self.end), "events": list(self.events),
             "unavailable": [e for e in self.events if e in UNAVAILABLE],
             "created_at": _iso(self.created_at), "created_by": self.created_by}
        if now is not None:
            d["in_force"] = self.in_force(now)
        return d


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _row(r: EventBasisRow) -> EventBasis:
    return EventBasis(id=r.id, text_ref=r.text_ref, decision_ref=r.decision_ref,
                      camera_ids=tuple(r.camera_ids), start=r.start_at, end=r.end_at,
                      events=tuple(r.events), created_at=r.created_at,
                      created_by=r.created_by)


def parse_cameras(value: str | Sequence[str], *, where: str = "--cameras") -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    ids = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
    if not ids:
        raise InputError(f"{where}: give at least one camera id (comma-separated)")
    return ids


class NoBasisInForce(InputError):
    """The event pipeline was asked to run where or when no basis allows it."""


class EventBases:
    """The event-detection legal bases of one database."""

    def __init__(self, db: Database, keys: Keys) -> None:
        self.db = db
        self.keys = keys

    def all(self) -> list[EventBasis]:
        with self.db.session() as s:
            rows = s.scalars(select(EventBasisRow).order_by(EventBasisRow.id)).all()
            return [_row(r) for r in rows]

    def get(self, basis_id: int) -> EventBasis:
        with self.db.session() as s:
            r = s.get(EventBasisRow, basis_id)
            if r is None:
                raise NotFoundError(f"no legal basis #{basis_id}")
            return _row(r)

    def in_force(self, camera_id: str, now: datetime) -> EventBasis | None:
        """The basis in force for `camera_id` at `now` (the one ending last), or None: the
        kill switch."""
        found = [b for b in self.all() if b.covers(camera_id, now)]
        return max(found, key=lambda b: (b.end, b.id)) if found else None

    def require(self, camera_id: str, now: datetime) -> EventBasis:
        b = self.in_force(camera_id, now)
        if b is None:
            raise NoBasisInForce(
                f"camera `{camera_id}`: no event-detection legal basis in force at "
                f"{_iso(now)} (see `sentinelle analytics basis list`); the event pipeline "
                "does not start (R31)")
        return b

    def add(self, *, text: str, decision: str, cameras: str | Sequence[str],
            start: datetime, end: datetime, events: str | Sequence[str], actor: Actor,
            now: datetime | None = None) -> EventBasis:
        """Record a basis (audited ``analytics_basis_change``).

        Raises
        ------
        InputError
            An empty text or decision reference, no camera, a naive or reversed period, an
            event type outside the décret's list.
        NotFoundError
            A camera missing from the registry (nothing is written).
        """
        from sentinelle.registry.store import Registry

        now = now or datetime.now(UTC)
        if not text.strip():
            raise InputError("--text must give the law and decree (e.g. « loi 2023-380 art. 10 ;"
                             " décret 2023-828 »)")
        if not decision.strip():
            raise InputError("--decision must give the reference of the prefectoral decision")
        if len(text) > 300 or len(decision) > 300:
            raise InputError("--text and --decision are references: 300 characters at most")
        cams = parse_cameras(cameras)
        evs = parse_events(events if isinstance(events, str) else list(events))
        for name, t in (("--start", start), ("--end", end)):
            if t.tzinfo is None:
                raise InputError(f"{name} must carry a time zone (e.g. 2026-06-21T18:00:00+02:00)")
        if end <= start:
            raise InputError(f"--end {_iso(end)} must be after --start {_iso(start)}")
        reg = Registry(self.db, keys=self.keys)
        for c in cams:
            reg.camera(c)  # NotFoundError names the camera
        with self.db.session() as s:
            row = EventBasisRow(text_ref=text.strip(), decision_ref=decision.strip(),
                                camera_ids=list(cams), start_at=start.astimezone(UTC),
                                end_at=end.astimezone(UTC), events=list(evs), created_at=now,
                                created_by=actor.name)
            s.add(row)
            s.flush()
            AuditLog(self.db, self.keys).record(
                actor=actor, action=AuditAction.analytics_basis_change,
                object_type="event_basis", object_id=str(row.id), purpose=text.strip(),
                time_range=(row.start_at, row.end_at),
                details={"change": "add", "decision": row.decision_ref, "cameras": list(cams),
                         "events": list(evs)}, now=now, session=s)
            return _row(row)

    def end(self, basis_id: int, *, reason: str, actor: Actor, at: datetime | None = None,
            now: datetime | None = None) -> EventBasis:
        """End a basis early (a decision withdrawn or suspended): its end becomes `at` (default
        now), never later than it was; every pipeline under it stops at its next frame.
        Audited ``analytics_basis_change``."""
        now = now or datetime.now(UTC)
        at = at or now
        if at.tzinfo is None:
            raise InputError("--at must carry a time zone")
        if not reason.strip():
            raise InputError("--reason must say why the basis ends early")
        with self.db.session() as s:
            row = s.get(EventBasisRow, basis_id)
            if row is None:
                raise NotFoundError(f"no legal basis #{basis_id}")
            old = row.end_at
            row.end_at = max(min(old, at.astimezone(UTC)), row.start_at)
            s.flush()
            AuditLog(self.db, self.keys).record(
                actor=actor, action=AuditAction.analytics_basis_change,
                object_type="event_basis", object_id=str(basis_id), purpose=reason.strip(),
                details={"change": "end", "end_was": _iso(old), "end": _iso(row.end_at)},
                now=now, session=s)
            return _row(row)
