"""Recording routes: camera health, the control room's log and maintenance tickets.

The health page (``/salle``) and its API (``/api/record/status``) read the database alone, so
they work whether or not a recorder runs. Log entries and tickets written here name their
author (the logged-in user once access control is in place).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from sentinelle.db.engine import Database
from sentinelle.errors import InputError, NotFoundError
from sentinelle.record.health import camera_health
from sentinelle.record.logbook import Logbook, LogCategory
from sentinelle.registry.store import Registry

router = APIRouter(prefix="/api", tags=["recording"])


def _db(request: Request) -> Database:
    return request.app.state.db


def _book(db: Annotated[Database, Depends(_db)]) -> Logbook:
    return Logbook(db, known_camera=lambda cid: cid in {c.id for c in Registry(db).cameras()})


def _author(request: Request) -> str:
    """Who writes: the web app's user (``web`` until access control names one)."""
    user = getattr(request.state, "user", None)
    return getattr(user, "username", None) or "web"


DbDep = Annotated[Database, Depends(_db)]
BookDep = Annotated[Logbook, Depends(_book)]
AuthorDep = Annotated[str, Depends(_author)]


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
    offline_after_s: Annotated[float | None, Query(gt=0, le=86400)] = None,
) -> dict[str, Any]:
    """Each camera's recording state, last segment, bitrate, gaps and availability."""
    return camera_health(db, now=datetime.now(UTC), offline_after_s=offline_after_s).as_json()


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
def add_log_entry(body: LogEntryCreate, book: BookDep, author: AuthorDep) -> dict[str, Any]:
    """Write an entry in the control room's log."""
    try:
        entry = book.add(camera_id=body.camera_id, category=body.category, text=body.text,
                         author=author, now=datetime.now(UTC))
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
def open_ticket(body: TicketCreate, book: BookDep, author: AuthorDep) -> dict[str, Any]:
    """Open a maintenance ticket for a camera."""
    try:
        ticket = book.open_ticket(camera_id=body.camera_id, fault=body.fault, author=author,
                                  now=datetime.now(UTC))
    except (InputError, NotFoundError) as exc:
        raise _domain_error(exc) from exc
    return ticket.as_json()


@router.post("/tickets/{ticket_id}/close")
def close_ticket(
    ticket_id: int, body: TicketClose, book: BookDep, author: AuthorDep
) -> dict[str, Any]:
    """Close a maintenance ticket."""
    try:
        ticket = book.close_ticket(ticket_id, author=author, now=datetime.now(UTC),
                                   resolution=body.resolution)
    except (InputError, NotFoundError) as exc:
        raise _domain_error(exc) from exc
    return ticket.as_json()
