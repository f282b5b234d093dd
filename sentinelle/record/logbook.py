"""The control room's log (main courante) and maintenance tickets.

Operators record what they observe and do: an incident seen on a camera, a report
(signalement) passed to the police, a maintenance visit. Tickets follow a camera's fault from
opening to closing. Both feed the evaluation of usefulness later (how often a camera served,
how long it was out of order).

`Logbook` is the only code that reads or writes the ``control_log`` and
``maintenance_tickets`` tables. Each write leaves an audit entry in the same transaction
(actions ``log_entry`` and ``ticket_change``; the recorder's own tickets are by
``system:recorder``). The entry's text stays in the log: the audit entry names the entry, its
category and camera, not what it says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from sentinelle.access.audit import Actor, AuditAction, AuditLog
from sentinelle.db.engine import Database
from sentinelle.db.record_tables import LogEntryRow, TicketRow
from sentinelle.errors import InputError, NotFoundError

MAX_TEXT = 4000


class LogCategory(StrEnum):
    """What a log entry is about."""

    incident = "incident"
    signalement = "signalement"
    maintenance = "maintenance"
    other = "other"


def parse_category(value: str) -> LogCategory:
    """The `LogCategory` named `value`; the error lists the valid ones."""
    try:
        return LogCategory(value)
    except ValueError:
        valid = ", ".join(c.value for c in LogCategory)
        msg = f"category `{value}` is not valid, must be one of: {valid}"
        raise InputError(msg) from None


def _iso(t: datetime | None) -> str | None:
    return t.isoformat().replace("+00:00", "Z") if t else None


@dataclass(frozen=True)
class LogEntry:
    """One entry of the control room's log."""

    id: int
    at: datetime
    camera_id: str | None
    category: str
    text: str
    author: str

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = _iso(self.at)
        return d


@dataclass(frozen=True)
class Ticket:
    """A maintenance ticket: a camera's fault, opened and (later) closed."""

    id: int
    camera_id: str
    fault: str
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str | None
    resolution: str | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["opened_at"] = _iso(self.opened_at)
        d["closed_at"] = _iso(self.closed_at)
        d["open"] = self.is_open
        return d


def _entry(row: LogEntryRow) -> LogEntry:
    return LogEntry(row.id, row.at, row.camera_id, row.category, row.text, row.author)


def _ticket(row: TicketRow) -> Ticket:
    return Ticket(row.id, row.camera_id, row.fault, row.opened_at, row.opened_by,
                  row.closed_at, row.closed_by, row.resolution)


def _text(value: str, name: str) -> str:
    value = (value or "").strip()
    if not value:
        msg = f"`{name}` is empty"
        raise InputError(msg)
    if len(value) > MAX_TEXT:
        msg = f"`{name}` is {len(value)} characters long, at most {MAX_TEXT} are kept"
        raise InputError(msg)
    return value


class Logbook:
    """The control room's log and maintenance tickets.

    Parameters
    ----------
    db
        The database.
    audit
        The audit log that records each write.
    known_camera
        A check that a camera id exists (the registry's); entries about unknown cameras are
        refused. None accepts any id.
    """

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        *,
        known_camera: Callable[[str], bool] | None = None,
    ) -> None:
        self.db = db
        self.audit = audit
        self.known_camera = known_camera

    def _camera(self, camera_id: str | None, *, required: bool) -> str | None:
        if camera_id is None or not camera_id.strip():
            if required:
                msg = "`camera` is required"
                raise InputError(msg)
            return None
        camera_id = camera_id.strip()
        if self.known_camera is not None and not self.known_camera(camera_id):
            msg = f"camera `{camera_id}` is not in the registry"
            raise NotFoundError(msg)
        return camera_id

    # --- log -----------------------------------------------------------------------------
    def add(
        self,
        *,
        camera_id: str | None,
        category: str | LogCategory,
        text: str,
        actor: Actor,
        now: datetime,
    ) -> LogEntry:
        """Write an entry in the log.

        Parameters
        ----------
        camera_id
            The camera it is about, or None for the whole room.
        category
            ``incident``, ``signalement``, ``maintenance`` or ``other``.
        text
            What was observed or done.
        actor
            Who writes it (a user, ``cli:root``, ``system:recorder``).
        now
            Time of the entry.
        """
        cat = parse_category(str(category))
        row = LogEntryRow(
            at=now, camera_id=self._camera(camera_id, required=False), category=cat.value,
            text=_text(text, "text"), author=actor.name,
        )
        with self.db.session() as s:
            s.add(row)
            s.flush()
            self.audit.record(
                actor=actor, action=AuditAction.log_entry,
                object_type="camera" if row.camera_id else "control_room",
                object_id=row.camera_id, now=now,
                details={"entry": row.id, "category": row.category}, session=s,
            )
            return _entry(row)

    def entries(
        self,
        *,
        camera_id: str | None = None,
        category: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[LogEntry]:
        """Log entries, newest first."""
        q = select(LogEntryRow).order_by(LogEntryRow.at.desc(), LogEntryRow.id.desc())
        if camera_id:
            q = q.where(LogEntryRow.camera_id == camera_id)
        if category:
            q = q.where(LogEntryRow.category == parse_category(category).value)
        if since is not None:
            q = q.where(LogEntryRow.at >= since)
        if limit:
            q = q.limit(limit)
        with self.db.session() as s:
            return [_entry(r) for r in s.scalars(q)]

    # --- tickets -------------------------------------------------------------------------
    def open_ticket(
        self, *, camera_id: str, fault: str, actor: Actor, now: datetime
    ) -> Ticket:
        """Open a maintenance ticket for a camera's fault."""
        row = TicketRow(
            camera_id=self._camera(camera_id, required=True), fault=_text(fault, "fault"),
            opened_at=now, opened_by=actor.name,
        )
        with self.db.session() as s:
            s.add(row)
            s.flush()
            self.audit.record(
                actor=actor, action=AuditAction.ticket_change, object_type="camera",
                object_id=row.camera_id, now=now,
                details={"ticket": row.id, "change": "open"}, session=s,
            )
            return _ticket(row)

    def close_ticket(
        self, ticket_id: int, *, actor: Actor, now: datetime, resolution: str | None = None
    ) -> Ticket:
        """Close an open ticket.

        Raises
        ------
        NotFoundError
            When no ticket has this id.
        InputError
            When the ticket is closed already.
        """
        with self.db.session() as s:
            row = s.get(TicketRow, ticket_id)
            if row is None:
                msg = f"ticket {ticket_id} does not exist"
                raise NotFoundError(msg)
            if row.closed_at is not None:
                msg = f"ticket {ticket_id} was closed already on {_iso(row.closed_at)}"
                raise InputError(msg)
            row.closed_at = max(now, row.opened_at)
            row.closed_by = actor.name
            row.resolution = resolution.strip() if resolution and resolution.strip() else None
            self.audit.record(
                actor=actor, action=AuditAction.ticket_change, object_type="camera",
                object_id=row.camera_id, now=now,
                details={"ticket": row.id, "change": "close"}, session=s,
            )
            return _ticket(row)

    def ticket(self, ticket_id: int) -> Ticket:
        with self.db.session() as s:
            row = s.get(TicketRow, ticket_id)
            if row is None:
                msg = f"ticket {ticket_id} does not exist"
                raise NotFoundError(msg)
            return _ticket(row)

    def tickets(
        self, *, camera_id: str | None = None, open_only: bool = False
    ) -> list[Ticket]:
        """Tickets, newest first."""
        q = select(TicketRow).order_by(TicketRow.opened_at.desc(), TicketRow.id.desc())
        if camera_id:
            q = q.where(TicketRow.camera_id == camera_id)
        if open_only:
            q = q.where(TicketRow.closed_at.is_(None))
        with self.db.session() as s:
            return [_ticket(r) for r in s.scalars(q)]

    def open_ticket_for(self, camera_id: str, *, opened_by: str) -> Ticket | None:
        """The camera's open ticket opened by `opened_by`, if any."""
        q = select(TicketRow).where(
            TicketRow.camera_id == camera_id, TicketRow.closed_at.is_(None),
            TicketRow.opened_by == opened_by,
        ).order_by(TicketRow.id.desc())
        with self.db.session() as s:
            row = s.scalars(q).first()
            return _ticket(row) if row else None
