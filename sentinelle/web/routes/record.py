"""Recording routes: camera health, the control room's log and maintenance tickets.

The health page (``/salle``) and its API (``/api/record/status``) read the database alone, so
they work whether or not a recorder runs. Who may read and write is in ``access.policy``
(``control_room:read`` / ``control_room:write``); each log entry and ticket change names the
logged-in user and leaves an audit entry (``log_entry``, ``ticket_change``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from sentinelle.errors import InputError, NotFoundError
from sentinelle.record.health import camera_health
from sentinelle.record.logbook import Logbook, LogCategory
from sentinelle.registry.store import Registry
from sentinelle.web.deps import AuditDep, CurrentActor, DbDep, KeysDep

router = APIRouter(prefix="/api", tags=["recording"])


def _book(db: DbDep, keys: KeysDep, audit: AuditDep) -> Logbook:
    def known(camera_id: str) -> bool:
        return camera_id in {c.id for c in Registry(db, keys=keys).cameras()}

    return Logbook(db, audit, known_camera=known)


BookDep = Annotated[Logbook, Depends(_book)]


class LogEntryCreate(BaseModel):
    """A new entry of the control room's log."""

    camera_id: str | None = Field(None, max_length=64, description="Camera concerned, if any")
    category: LogCategory = Field(description="incident, signalement, maintenance or other")
    text: str = Field(min_length=1, max_length=4000, description="What was observed or done")


class TicketCreate(BaseModel):
    """A new maintenance ticket."""

    camera_id: str = Field(min_length=1, max_length=64)
    fault: str = Field(min_length=1, max_length=4000, description="What is wrong")


class TicketClose(BaseModel):
    resolution: str | None = Field(None, max_length=4000, description="What was done")


def _domain_error(exc: Exception) -> HTTPException:
    status = 404 if isinstance(exc, NotFoundError) else 422
    return HTTPException(status_code=status, detail=str(exc))


@router.get("/record/status")
def record_status(
    db: DbDep,
    keys: KeysDep,
    offline_after_s: Annotated[float | None, Query(gt=0, le=86400)] = None,
) -> dict[str, Any]:
    """Each camera's recording state, last segment, bitrate, gaps and availability."""
    report = camera_health(db, now=datetime.now(UTC), keys=keys,
                           offline_after_s=offline_after_s)
    return report.as_json()


@router.get("/log")
def log_entries(
    book: BookDep,
    camera_id: Annotated[str | None, Query(max_length=64)] = None,
    category: Annotated[LogCategory | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """The control room's log, newest first."""
    entries = book.entries(camera_id=camera_id, category=category.value if category else None,
                           limit=limit)
    return {"entries": [e.as_json() for e in entries], "count": len(entries)}


@router.post("/log", status_code=201)
def add_log_entry(body: LogEntryCreate, book: BookDep, actor: CurrentActor) -> dict[str, Any]:
    """Write an entry in the control room's log (audited: ``log_entry``)."""
    try:
        entry = book.add(camera_id=body.camera_id, category=body.category, text=body.text,
                         actor=actor, now=datetime.now(UTC))
    except (InputError, NotFoundError) as exc:
        raise _domain_error(exc) from exc
    return entry.as_json()


@router.get("/tickets")
def tickets(
    book: BookDep,
    camera_id: Annotated[str | None, Query(max_length=64)] = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
) -> dict[str, Any]:
    """Maintenance tickets, newest first."""
    found = book.tickets(camera_id=camera_id, open_only=open_only)
    return {"tickets": [t.as_json() for t in found], "count": len(found)}


@router.post("/tickets", status_code=201)
def open_ticket(body: TicketCreate, book: BookDep, actor: CurrentActor) -> dict[str, Any]:
    """Open a maintenance ticket for a camera (audited: ``ticket_change``)."""
    try:
        ticket = book.open_ticket(camera_id=body.camera_id, fault=body.fault, actor=actor,
                                  now=datetime.now(UTC))
    except (InputError, NotFoundError) as exc:
        raise _domain_error(exc) from exc
    return ticket.as_json()


@router.post("/tickets/{ticket_id}/close")
def close_ticket(
    ticket_id: int, body: TicketClose, book: BookDep, actor: CurrentActor
) -> dict[str, Any]:
    """Close a maintenance ticket (audited: ``ticket_change``)."""
    try:
        ticket = book.close_ticket(ticket_id, actor=actor, now=datetime.now(UTC),
                                   resolution=body.resolution)
    except (InputError, NotFoundError) as exc:
        raise _domain_error(exc) from exc
    return ticket.as_json()
