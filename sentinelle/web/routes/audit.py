"""The audit log viewer (dpo, auditor, admin): page and API, with the chain's verification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from sentinelle.access.audit import AuditAction, AuditEntry
from sentinelle.web.access_schemas import AuditEntries, AuditEntryPublic, AuditVerification
from sentinelle.web.deps import AuditDep, CurrentSession
from sentinelle.web.pages import render

router = APIRouter(tags=["audit"])

Action = Annotated[AuditAction | None, Query(description="Only this action")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Text = Annotated[str | None, Query(max_length=300)]


def _public(e: AuditEntry) -> AuditEntryPublic:
    return AuditEntryPublic(**e.as_dict())


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, session: CurrentSession, audit: AuditDep, actor: Text = None,
               action: Action = None, object_id: Text = None, limit: Limit = 100,
               offset: Offset = 0) -> HTMLResponse:
    filters = {"actor": actor, "action": action.value if action else None,
               "object_id": object_id}
    entries = audit.entries(limit=limit, offset=offset, actor=actor or None,
                            action=filters["action"], object_id=object_id or None)

    def query(**changes: object) -> str:
        q = {k: v for k, v in {**filters, "limit": limit, "offset": offset, **changes}.items()
             if v not in (None, "")}
        return urlencode(q)

    return render(request, "audit.html", session=session, entries=entries,
                  verification=audit.verify(), filters=filters,
                  actions=[a.value for a in AuditAction], limit=limit, offset=offset,
                  query=query, paris=ZoneInfo("Europe/Paris"))


@router.get("/api/audit", response_model=AuditEntries)
def list_entries(
    audit: AuditDep,
    actor: Text = None,
    action: Action = None,
    object_type: Text = None,
    object_id: Text = None,
    since: Annotated[datetime | None, Query(description="ISO 8601 with offset")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601 with offset")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AuditEntries:
    """Audit entries, newest first, filtered."""
    from sentinelle.errors import InputError

    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            msg = f"`{name}` needs a UTC offset (e.g. 2026-03-01T08:00:00+01:00)"
            raise InputError(msg)
    entries = audit.entries(limit=limit, offset=offset, actor=actor,
                            action=action.value if action else None, object_type=object_type,
                            object_id=object_id, since=since, until=until)
    return AuditEntries(data=[_public(e) for e in entries], count=len(entries),
                        total=audit.count())


@router.get("/api/audit/verify", response_model=AuditVerification)
def verify(audit: AuditDep) -> AuditVerification:
    """Check the whole hash chain and the signed head checkpoint."""
    return AuditVerification(**audit.verify().as_dict())
