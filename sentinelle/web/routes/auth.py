"""Login and logout pages, and who am I."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sentinelle.access import policy
from sentinelle.access.audit import Actor
from sentinelle.access.users import Role
from sentinelle.errors import AuthError, LoginThrottled
from sentinelle.web.access_schemas import Me, UserPublic
from sentinelle.web.deps import (
    AuditDep,
    CurrentSession,
    OptionalSession,
    SessionsDep,
    UsersDep,
)
from sentinelle.web.guard import SESSION_COOKIE
from sentinelle.web.pages import render

router = APIRouter(tags=["access"])

LOGIN_CSRF_COOKIE = "sentinelle_login_csrf"


def _safe_next(target: str | None, role: Role | None = None) -> str:
    """Only local paths: never redirect to another site after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    if role is not None and policy.allows(role, "map:internal"):
        return "/planner"
    return "/audit" if role is not None and policy.allows(role, "audit:read") else "/"


def _login_page(request: Request, sessions, *, next_: str, status_code: int = 200,
                error: str | None = None, username: str | None = None) -> HTMLResponse:
    cookie, form_value = sessions.login_csrf()
    response = render(request, "login.html", status_code=status_code, login_csrf=form_value,
                      next=next_, error=error, username=username)
    response.set_cookie(LOGIN_CSRF_COOKIE, cookie, httponly=True, samesite="lax", path="/login",
                        secure=request.app.state.settings.cookie_secure)
    return response


@router.get("/login", include_in_schema=False)
def login_page(request: Request, sessions: SessionsDep, next: str = "") -> HTMLResponse:
    return _login_page(request, sessions, next_=_safe_next(next) if next else "")


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    sessions: SessionsDep,
    users: UsersDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    from sentinelle.web.pages import STRINGS, page_lang

    t = STRINGS[page_lang(request)]
    if not sessions.check_login_csrf(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return _login_page(request, sessions, next_=next, status_code=403,
                           error=t["form_expired"], username=username)
    ip = request.client.host if request.client else None
    try:
        user = users.authenticate(username, password, totp_code=code or None, ip=ip)
    except LoginThrottled as exc:
        response = _login_page(request, sessions, next_=next, status_code=429,
                               error=t["throttled"], username=username)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except AuthError:
        return _login_page(request, sessions, next_=next, status_code=401,
                           error=t["bad_login"], username=username)
    sessions.end(request.cookies.get(SESSION_COOKIE))  # never reuse a session id across logins
    token, session = sessions.create(user, ip=ip)
    response = RedirectResponse(_safe_next(next, user.role), status_code=303)
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
        secure=settings.cookie_secure or request.url.scheme == "https",
        max_age=int(settings.session_hours * 3600),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.get("/logout", include_in_schema=False)
def logout_page(request: Request, session: OptionalSession) -> HTMLResponse:
    return render(request, "logout.html", session=session)


@router.post("/logout", include_in_schema=False)
async def logout(
    request: Request,
    session: OptionalSession,
    sessions: SessionsDep,
    audit: AuditDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """End the session (its CSRF token required); without a session, just show /logout."""
    response = RedirectResponse("/logout", status_code=303)
    if session is None:
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    if not hmac.compare_digest(csrf_token.encode(), session.csrf_token.encode()):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")
    await run_in_threadpool(sessions.end, request.cookies.get(SESSION_COOKIE))
    await run_in_threadpool(lambda: audit.record(actor=Actor.of(session.user), action="logout",
                                                 object_type="session"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/me", response_model=Me)
def me(session: CurrentSession) -> Me:
    """The logged-in user, the session's CSRF token and the permissions of the role."""
    perms = sorted(p for p in policy.PERMISSIONS if policy.allows(session.user.role, p))
    return Me(user=UserPublic(**session.user.as_dict()), csrf_token=session.csrf_token,
              permissions=perms)
