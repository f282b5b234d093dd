"""`create_app(settings)`: the FastAPI application (web pages, public API, internal API).

Nothing is built at import time: settings, database, keys, sessions and the network view are
created here and kept on ``app.state``. Access is deny by default: the guard (``web.guard``)
checks every request against the route × role table of ``access.policy``. Public routes (``/``,
``/api/public/*``, ``/login``, ``/logout``, ``/health``, the OpenAPI schema, static files) stay
open; everything else needs a session whose role holds the route's permission.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from html import escape
from importlib import resources
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from sentinelle import __version__
from sentinelle.access.keys import load_keys
from sentinelle.access.sessions import Sessions
from sentinelle.errors import (
    AccessDenied,
    AuthError,
    InputError,
    LoginThrottled,
    NotFoundError,
    SentinelleError,
)
from sentinelle.settings import Settings
from sentinelle.web.deps import CurrentSession
from sentinelle.web.guard import AccessGuard, require_guarded
from sentinelle.web.jobs import JobQueue
from sentinelle.web.routes import analytics as analytics_routes
from sentinelle.web.routes import (
    audit,
    auth,
    compliance,
    evaluation,
    habilitations,
    internal,
    planning,
    public,
    transparency,
    users,
)
from sentinelle.web.routes import custody as custody_routes
from sentinelle.web.routes import events as events_routes
from sentinelle.web.routes import exports as export_routes
from sentinelle.web.routes import record as record_routes
from sentinelle.web.routes import video as video_routes
from sentinelle.web.view import ViewCache

WEB = Path(str(resources.files("sentinelle") / "web"))


def _page(name: str, *, csrf_token: str | None = None) -> HTMLResponse:
    html = (WEB / "templates" / name).read_text(encoding="utf-8")
    if csrf_token is not None:  # for the page's scripts (sent back as X-CSRF-Token)
        meta = f'<meta name="csrf-token" content="{escape(csrf_token)}">\n</head>'
        html = html.replace("</head>", meta, 1)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"} if csrf_token else None)


def _error_status(exc: SentinelleError) -> int:
    if isinstance(exc, LoginThrottled):
        return 429
    if isinstance(exc, AuthError):
        return 401
    if isinstance(exc, AccessDenied):
        return 403
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, InputError):
        return 422
    return 500


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web application for `settings` (read from the environment when omitted)."""
    import xstatic.pkg.leaflet as leaflet

    from sentinelle.db.engine import open_database

    settings = settings or Settings()
    if settings.url.startswith("sqlite"):
        settings.ensure_home()
    db = open_database(settings.url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        dependencies=[Depends(require_guarded)],
        title="Sentinelle",
        version=__version__,
        description=(
            "Plan, operate, account for and evaluate a city's video-protection network. "
            "`/api/public/*` is open to anyone and never carries stream URLs or credentials; "
            "`/api/*` is internal."
        ),
    )
    app.state.settings = settings
    app.state.db = db
    app.state.keys = load_keys(settings)
    app.state.sessions = Sessions(
        app.state.db, app.state.keys, lifetime=timedelta(hours=settings.session_hours),
        idle=timedelta(minutes=settings.session_idle_minutes),
    )
    app.state.views = ViewCache(app.state.db, keys=app.state.keys)
    app.state.jobs = JobQueue()
    app.add_middleware(AccessGuard)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    app.include_router(public.router)
    app.include_router(auth.router)
    app.include_router(internal.router)
    app.include_router(users.router)
    app.include_router(habilitations.router)
    app.include_router(audit.router)
    app.include_router(compliance.router)
    app.include_router(transparency.router)
    app.include_router(record_routes.router)
    app.include_router(video_routes.router)
    app.include_router(export_routes.router)
    app.include_router(custody_routes.router)
    app.include_router(events_routes.router)
    app.include_router(analytics_routes.router)

    @app.exception_handler(SentinelleError)
    async def _sentinelle_error(request: Request, exc: SentinelleError) -> JSONResponse:
        status = _error_status(exc)
        detail = str(exc) if status < 500 else "internal error"
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, LoginThrottled) \
            else None
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    app.include_router(evaluation.router)
    app.include_router(planning.router)

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return _page("index.html")

    @app.get("/planner", include_in_schema=False)
    def planner(session: CurrentSession) -> HTMLResponse:
        return _page("planner.html", csrf_token=session.csrf_token)

    @app.get("/salle", include_in_schema=False)
    def control_room(session: CurrentSession) -> HTMLResponse:
        return _page("control_room.html", csrf_token=session.csrf_token)

    @app.get("/health", tags=["public"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
