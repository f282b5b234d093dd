"""Shared dependencies of the routes.

Access itself is checked by the guard (``web.guard``) against ``access.policy`` before any
route runs; these dependencies give the routes what the guard found and the services they use.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.habilitations import Habilitations
from sentinelle.access.keys import Keys
from sentinelle.access.sessions import Sessions, WebSession
from sentinelle.access.users import User, Users
from sentinelle.db.engine import Database
from sentinelle.web.guard import SCOPE_SESSION
from sentinelle.web.view import NetworkView


def get_view(request: Request) -> NetworkView:
    return request.app.state.views.current()


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_keys(request: Request) -> Keys:
    return request.app.state.keys


def get_sessions(request: Request) -> Sessions:
    return request.app.state.sessions


def get_session(request: Request) -> WebSession | None:
    """The live session the guard found, or None (public routes)."""
    return request.scope.get(SCOPE_SESSION)


def current_session(request: Request) -> WebSession:
    session = get_session(request)
    if session is None:  # the guard lets no anonymous request reach a closed route
        raise HTTPException(status_code=401, detail="login required")
    return session


def current_user(session: Annotated[WebSession, Depends(current_session)]) -> User:
    return session.user


def current_actor(user: Annotated[User, Depends(current_user)]) -> Actor:
    return Actor.of(user)


def get_users(request: Request) -> Users:
    return Users(request.app.state.db, request.app.state.keys)


def get_habilitations(request: Request) -> Habilitations:
    return Habilitations(request.app.state.db, request.app.state.keys)


def get_audit(request: Request) -> AuditLog:
    return AuditLog(request.app.state.db, request.app.state.keys)


def form_csrf(
    session: Annotated[WebSession, Depends(current_session)],
    csrf_token: Annotated[str, Form(description="The session's CSRF token")] = "",
) -> None:
    """Every form that changes something carries the session's CSRF token."""
    if not hmac.compare_digest(csrf_token.encode(), session.csrf_token.encode()):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")


ViewDep = Annotated[NetworkView, Depends(get_view)]
DbDep = Annotated[Database, Depends(get_db)]
KeysDep = Annotated[Keys, Depends(get_keys)]
SessionsDep = Annotated[Sessions, Depends(get_sessions)]
OptionalSession = Annotated[WebSession | None, Depends(get_session)]
CurrentSession = Annotated[WebSession, Depends(current_session)]
CurrentUser = Annotated[User, Depends(current_user)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
UsersDep = Annotated[Users, Depends(get_users)]
HabilitationsDep = Annotated[Habilitations, Depends(get_habilitations)]
AuditDep = Annotated[AuditLog, Depends(get_audit)]
FormCsrf = Depends(form_csrf)
