"""User management (admin): a page with its forms, and the same in the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from sentinelle.access.passwords import generate_password
from sentinelle.access.users import Role
from sentinelle.errors import SentinelleError
from sentinelle.web.access_schemas import UserCreate, UserCreated, UserPublic
from sentinelle.web.deps import CurrentActor, CurrentSession, FormCsrf, UsersDep
from sentinelle.web.pages import STRINGS, page_lang, render

router = APIRouter(tags=["users"])


def _page(request: Request, session, users, *, status_code: int = 200,  # noqa: ANN001
          **context: object) -> HTMLResponse:
    return render(request, "users.html", session=session, users=users.all(),
                  roles=[r.value for r in Role], status_code=status_code, **context)


@router.get("/users", include_in_schema=False)
def users_page(request: Request, session: CurrentSession, users: UsersDep) -> HTMLResponse:
    return _page(request, session, users)


@router.post("/users", include_in_schema=False, dependencies=[FormCsrf])
def add_user_form(
    request: Request,
    session: CurrentSession,
    actor: CurrentActor,
    users: UsersDep,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=20)],
    full_name: Annotated[str, Form(max_length=200)] = "",
    service: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> HTMLResponse:
    generated = not password
    password = password or generate_password()
    try:
        users.add(username=username, password=password, role=role, full_name=full_name or None,
                  service=service or None, actor=actor)
    except SentinelleError as exc:
        return _page(request, session, users, status_code=400, error=str(exc))
    return _page(request, session, users, new_user=username,
                 new_password=password if generated else None,
                 message=STRINGS[page_lang(request)]["saved"])


@router.post("/users/{username}/disable", include_in_schema=False, dependencies=[FormCsrf])
def disable_user_form(request: Request, username: str, session: CurrentSession,
                      actor: CurrentActor, users: UsersDep) -> HTMLResponse:
    try:
        if username == session.user.username:
            msg = "an administrator cannot disable their own account"
            raise SentinelleError(msg)
        users.disable(username, actor=actor)
    except SentinelleError as exc:
        return _page(request, session, users, status_code=400, error=str(exc))
    return _page(request, session, users, message=STRINGS[page_lang(request)]["saved"])


@router.get("/api/users", response_model=list[UserPublic])
def list_users(users: UsersDep) -> list[UserPublic]:
    """Every account, without secrets."""
    return [UserPublic(**u.as_dict()) for u in users.all()]


@router.post("/api/users", response_model=UserCreated, status_code=201)
def add_user(body: UserCreate, actor: CurrentActor, users: UsersDep) -> UserCreated:
    """Create an account; a password is generated (and returned once) when none is given."""
    password = body.password or generate_password()
    user = users.add(username=body.username, password=password, role=body.role,
                     full_name=body.full_name, service=body.service, actor=actor)
    return UserCreated(user=UserPublic(**user.as_dict()),
                       password=None if body.password else password)


@router.post("/api/users/{username}/disable", response_model=UserPublic)
def disable_user(username: str, session: CurrentSession, actor: CurrentActor,
                 users: UsersDep) -> UserPublic:
    """Disable an account and end its sessions."""
    from sentinelle.errors import InputError

    if username == session.user.username:
        msg = "an administrator cannot disable their own account"
        raise InputError(msg)
    return UserPublic(**users.disable(username, actor=actor).as_dict())
