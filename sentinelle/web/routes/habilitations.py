"""Habilitations: read (supervisor, admin), grant and revoke (admin); page and API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from sentinelle.access import policy
from sentinelle.access.habilitations import Habilitation, Right, local_day
from sentinelle.errors import InputError, SentinelleError
from sentinelle.web.access_schemas import HabilitationCreate, HabilitationPublic, Revocation
from sentinelle.web.deps import (
    CurrentActor,
    CurrentSession,
    FormCsrf,
    HabilitationsDep,
    UsersDep,
)
from sentinelle.web.pages import STRINGS, page_lang, render

router = APIRouter(tags=["habilitations"])


def _public(h: Habilitation) -> HabilitationPublic:
    return HabilitationPublic(**h.as_dict(today=local_day(datetime.now(UTC))))


def _page(request: Request, session, habs, users, *, status_code: int = 200,  # noqa: ANN001
          **context: object) -> HTMLResponse:
    return render(
        request, "habilitations.html", session=session, habilitations=habs.list(),
        users=[u.username for u in users.all() if u.active and u.role in policy.VIDEO_ROLES],
        rights=[r.value for r in Right], today=local_day(datetime.now(UTC)),
        can_write=policy.allows(session.user.role, "habilitations:write"),
        status_code=status_code, **context,
    )


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"`{name}` `{text}`: expected YYYY-MM-DD") from None


def _split(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


@router.get("/habilitations", include_in_schema=False)
def habilitations_page(request: Request, session: CurrentSession, habs: HabilitationsDep,
                       users: UsersDep) -> HTMLResponse:
    return _page(request, session, habs, users)


@router.post("/habilitations", include_in_schema=False, dependencies=[FormCsrf])
def grant_form(
    request: Request,
    session: CurrentSession,
    actor: CurrentActor,
    habs: HabilitationsDep,
    users: UsersDep,
    username: Annotated[str, Form(max_length=64)],
    valid_from: Annotated[str, Form(max_length=10)],
    valid_until: Annotated[str, Form(max_length=10)],
    training_date: Annotated[str, Form(max_length=10)],
    refresher_due: Annotated[str, Form(max_length=10)],
    rights: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    cameras: Annotated[str, Form(max_length=100_000)] = "",
    zones: Annotated[str, Form(max_length=10_000)] = "",
    all_cameras: Annotated[bool, Form()] = False,
    territory: Annotated[str, Form(max_length=340)] = "",
    authorisation: Annotated[str, Form(max_length=100)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    try:
        habs.grant(
            username=username, rights=rights, cameras=_split(cameras), zones=_split(zones),
            all_cameras=all_cameras, valid_from=_day(valid_from, "valid_from"),
            valid_until=_day(valid_until, "valid_until"),
            training_date=_day(training_date, "training_date"),
            refresher_due=_day(refresher_due, "refresher_due"), territory=territory or None,
            authorisation=authorisation or None, note=note or None, actor=actor,
        )
    except SentinelleError as exc:
        return _page(request, session, habs, users, status_code=400, error=str(exc))
    return _page(request, session, habs, users, message=STRINGS[page_lang(request)]["saved"])


@router.post("/habilitations/{habilitation_id}/revoke", include_in_schema=False,
             dependencies=[FormCsrf])
def revoke_form(request: Request, habilitation_id: int, session: CurrentSession,
                actor: CurrentActor, habs: HabilitationsDep, users: UsersDep) -> HTMLResponse:
    try:
        habs.revoke(habilitation_id, actor=actor)
    except SentinelleError as exc:
        return _page(request, session, habs, users, status_code=404, error=str(exc))
    return _page(request, session, habs, users, message=STRINGS[page_lang(request)]["saved"])


@router.get("/api/habilitations", response_model=list[HabilitationPublic])
def list_habilitations(habs: HabilitationsDep, username: str | None = None
                       ) -> list[HabilitationPublic]:
    """Every habilitation (revoked ones included) with its state today."""
    return [_public(h) for h in habs.list(username=username)]


@router.post("/api/habilitations", response_model=HabilitationPublic, status_code=201)
def grant(body: HabilitationCreate, actor: CurrentActor,
          habs: HabilitationsDep) -> HabilitationPublic:
    """Grant a habilitation (audited)."""
    h = habs.grant(**body.model_dump(exclude={"cameras"}), cameras=body.cameras, actor=actor)
    return _public(h)


@router.post("/api/habilitations/{habilitation_id}/revoke", response_model=HabilitationPublic)
def revoke(habilitation_id: int, actor: CurrentActor, habs: HabilitationsDep,
           body: Revocation | None = None) -> HabilitationPublic:
    """Revoke a habilitation (audited)."""
    return _public(habs.revoke(habilitation_id, actor=actor,
                               reason=body.reason if body else None))
