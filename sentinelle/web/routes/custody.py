"""Custody routes: judicial requisitions, legal holds, data subjects' access requests.

The page ``/garde`` shows the three; its script reads and writes through the JSON routes
below. Who may do what is in ``access.policy`` (``holds:read``, ``requisitions:read`` /
``requisitions:write``, ``rights_requests:read`` / ``rights_requests:write``). Every change
names the logged-in user and is audited (``requisition_change``, ``hold_change``,
``rights_request_change``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from sentinelle.custody.holds import HoldStore
from sentinelle.custody.requisitions import RequisitionStore
from sentinelle.custody.rights_requests import RightsRequestStore
from sentinelle.errors import InputError, NotFoundError
from sentinelle.web.deps import CurrentActor, CurrentSession, DbDep, KeysDep

router = APIRouter(tags=["custody"])


class WindowIn(BaseModel):
    camera_id: str = Field(min_length=1, max_length=64)
    start: datetime
    end: datetime


class RequisitionCreate(BaseModel):
    """A judicial requisition (or the completion of one recorded incomplete)."""

    reference: str = Field(min_length=1, max_length=100)
    authority: str = Field(min_length=1, max_length=200)
    officer: str = Field(min_length=1, max_length=200)
    document: str | None = Field(None, max_length=500)
    procedure: str | None = Field(None, description="flagrance, preliminaire, "
                                  "information_judiciaire")
    category: str | None = Field(None, max_length=200)
    windows: list[WindowIn] = Field(default_factory=list, max_length=200)
    hold_days: int = Field(365, ge=1, le=3650)


class RequisitionClose(BaseModel):
    footage_found: bool
    useful: bool
    case_solved: bool
    notes: str | None = Field(None, max_length=4000)


class RightsRequestCreate(BaseModel):
    requester: str = Field(min_length=1, max_length=200)
    camera_id: str = Field(min_length=1, max_length=64)
    start: datetime
    end: datetime
    received_at: datetime | None = None
    notes: str | None = Field(None, max_length=4000)


class RightsRequestClose(BaseModel):
    answer: str = Field(description="communicated, no_footage, refused or withdrawn")
    notes: str | None = Field(None, max_length=4000)


def _utc(t: datetime) -> datetime:
    """`t` in UTC (UTC when it has no offset); refused (422) when out of range."""
    try:
        return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    except OverflowError:
        raise HTTPException(status_code=422, detail=f"time {t.isoformat()} is out of range"
                            ) from None


def _error(exc: Exception) -> HTTPException:
    return HTTPException(status_code=404 if isinstance(exc, NotFoundError) else 422,
                         detail=str(exc))


@router.get("/garde", include_in_schema=False)
def custody_page(session: CurrentSession) -> HTMLResponse:
    from sentinelle.web.app import WEB

    html = (WEB / "templates" / "custody.html").read_text(encoding="utf-8")
    meta = f'<meta name="csrf-token" content="{escape(session.csrf_token)}">\n</head>'
    return HTMLResponse(html.replace("</head>", meta, 1),
                        headers={"Cache-Control": "no-store"})


@router.get("/api/holds")
def holds(
    db: DbDep,
    camera_id: Annotated[str | None, Query(max_length=64)] = None,
    all_: Annotated[bool, Query(alias="all")] = False,
) -> dict[str, Any]:
    """Legal holds, active ones only unless ``all``."""
    now = datetime.now(UTC)
    found = HoldStore(db).list(camera_id=camera_id, active_at=None if all_ else now)
    return {"holds": [h.as_dict(now=now) for h in found], "count": len(found)}


@router.get("/api/requisitions")
def requisitions(
    db: DbDep, open_only: Annotated[bool, Query(alias="open")] = False,
) -> dict[str, Any]:
    """Judicial requisitions, newest first."""
    found = RequisitionStore(db).list(open_only=open_only)
    return {"requisitions": [r.as_dict() for r in found], "count": len(found)}


@router.post("/api/requisitions", status_code=201)
def add_requisition(body: RequisitionCreate, db: DbDep, keys: KeysDep, actor: CurrentActor
                    ) -> dict[str, Any]:
    """Record a requisition and hold its windows (audited)."""
    try:
        r = RequisitionStore(db, keys).add(
            body.reference, authority=body.authority, officer=body.officer,
            document=body.document, procedure=body.procedure, category=body.category,
            windows=[(w.camera_id, _utc(w.start), _utc(w.end)) for w in body.windows],
            actor=actor, now=datetime.now(UTC), hold_days=body.hold_days)
    except (InputError, NotFoundError) as exc:
        raise _error(exc) from exc
    return r.as_dict()


@router.post("/api/requisitions/{requisition_id}/close")
def close_requisition(requisition_id: int, body: RequisitionClose, db: DbDep, keys: KeysDep,
                      actor: CurrentActor) -> dict[str, Any]:
    """Record a requisition's outcome, close it, release its holds (audited)."""
    store = RequisitionStore(db, keys)
    try:
        found = store.by_id(requisition_id)
        r = store.close(found.reference, footage_found=body.footage_found, useful=body.useful,
                        case_solved=body.case_solved, notes=body.notes, actor=actor,
                        now=datetime.now(UTC))
    except (InputError, NotFoundError) as exc:
        raise _error(exc) from exc
    return r.as_dict()


@router.get("/api/rights-requests")
def rights_requests(
    db: DbDep, open_only: Annotated[bool, Query(alias="open")] = False,
) -> dict[str, Any]:
    """Data subjects' access requests, newest first, with whether each is overdue."""
    now = datetime.now(UTC)
    found = RightsRequestStore(db).list(open_only=open_only)
    return {"requests": [r.as_dict(now=now) for r in found], "count": len(found)}


@router.post("/api/rights-requests", status_code=201)
def add_rights_request(body: RightsRequestCreate, db: DbDep, keys: KeysDep,
                       actor: CurrentActor) -> dict[str, Any]:
    """Record an access request; its window is held at once (audited)."""
    now = datetime.now(UTC)
    try:
        r = RightsRequestStore(db, keys).add(
            requester=body.requester, camera_id=body.camera_id, start=_utc(body.start),
            end=_utc(body.end), actor=actor, now=now, notes=body.notes,
            received_at=_utc(body.received_at) if body.received_at else None)
    except (InputError, NotFoundError) as exc:
        raise _error(exc) from exc
    return r.as_dict(now=now)


@router.post("/api/rights-requests/{request_id}/close")
def close_rights_request(request_id: int, body: RightsRequestClose, db: DbDep, keys: KeysDep,
                         actor: CurrentActor) -> dict[str, Any]:
    """Close an access request with its answer and release its hold (audited)."""
    now = datetime.now(UTC)
    try:
        r = RightsRequestStore(db, keys).close(request_id, answer=body.answer, notes=body.notes,
                                               actor=actor, now=now)
    except (InputError, NotFoundError) as exc:
        raise _error(exc) from exc
    return r.as_dict(now=now)
