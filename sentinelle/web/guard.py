"""Deny by default: every request is checked against ``access.policy`` before any route runs.

`AccessGuard` is an ASGI middleware, so it answers before a body is parsed: a closed route
refuses an anonymous request whatever it carries. It matches the request's method and path
against the route templates of ``policy.ROUTES`` and:

- a public route goes through;
- anonymous: a page redirects to ``/login?next=…``, an ``/api`` route answers 401;
- a role without the permission gets 403;
- a state-changing ``/api`` request must carry the session's CSRF token in ``X-CSRF-Token``
  (forms carry it as a field, checked by the form routes' `FormCsrf` dependency);
- a request that matches no entry of the table is marked unguarded, and the app-wide
  dependency `require_guarded` refuses it (403) on any API route: a route forgotten in the
  table is closed to everyone, and a path that exists nowhere still gets its 404.

The live session is put in the ASGI scope (``scope["sentinelle.session"]``) for the routes.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import quote

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from sentinelle.access import policy

logger = logging.getLogger(__name__)

SESSION_COOKIE = "sentinelle_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SCOPE_SESSION = "sentinelle.session"
SCOPE_PERMISSION = "sentinelle.permission"


@dataclass(frozen=True)
class _Entry:
    method: str
    regex: re.Pattern[str]
    template: str
    permission: str


def _compile(routes: dict[tuple[str, str], str]) -> list[_Entry]:
    return [_Entry(m, compile_path(p)[0], p, perm) for (m, p), perm in routes.items()]


_TABLE = _compile(policy.ROUTES)


def match_policy(method: str, path: str) -> tuple[str, str] | None:
    """(route template, permission) of the policy entry a request falls under, or None."""
    method = "GET" if method == "HEAD" else method
    for e in _TABLE:
        if e.method == method and e.regex.match(path):
            return e.template, e.permission
    return None


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _cookie(headers: Headers, name: str) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 (a malformed cookie header is an anonymous request)
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def _refuse(scope: Scope, status: int, detail: str) -> Response:
    path = scope["path"]
    if status == 401 and not is_api(path):
        qs = scope.get("query_string", b"").decode("latin-1")
        target = path + (f"?{qs}" if qs else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    headers = {"WWW-Authenticate": 'Cookie realm="sentinelle"'} if status == 401 else None
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


class AccessGuard:
    """ASGI middleware enforcing ``access.policy`` on every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        scope[SCOPE_SESSION] = None
        scope[SCOPE_PERMISSION] = None
        if path.startswith(policy.OPEN_PREFIXES):
            scope[SCOPE_PERMISSION] = policy.PUBLIC
            await self.app(scope, receive, send)
            return
        found = match_policy(method, path)
        headers = Headers(scope=scope)
        token = _cookie(headers, SESSION_COOKIE)
        session = None
        if token:
            sessions = scope["app"].state.sessions
            session = await run_in_threadpool(sessions.resolve, token)
        scope[SCOPE_SESSION] = session
        if found is None:  # not in the table: the route, if any, refuses (require_guarded)
            await self.app(scope, receive, send)
            return
        template, permission = found
        refusal = None
        if permission != policy.PUBLIC:
            if session is None:
                refusal = _refuse(scope, 401, "login required")
            elif not policy.allows(session.user.role, permission):
                refusal = _refuse(scope, 403, f"role {session.user.role} may not do this "
                                  f"({permission})")
            elif method in UNSAFE and is_api(path):
                sent = headers.get(CSRF_HEADER, "")
                if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
                    refusal = _refuse(scope, 403, f"CSRF token missing or wrong ({CSRF_HEADER})")
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        scope[SCOPE_PERMISSION] = permission
        await self.app(scope, receive, send)


def require_guarded(request: Request) -> None:
    """App-wide dependency: refuse any route that the policy table does not list."""
    if request.scope.get(SCOPE_PERMISSION) is None:
        logger.warning("refused %s %s: route not in the access policy", request.method,
                       request.url.path)
        raise HTTPException(status_code=403,
                            detail="route not in the access policy (deny by default)")
