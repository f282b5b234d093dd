"""`create_app(settings)`: the FastAPI application (web pages, public API, internal API).

Nothing is built at import time: settings, database and the network view are created here
and kept on ``app.state``. Public routes (``/``, ``/api/public/*``, ``/health``, the OpenAPI
schema) stay open; internal routes (``/api/*``, ``/planner``) are kept apart so that access
control can close them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from sentinelle import __version__
from sentinelle.settings import Settings
from sentinelle.web.routes import internal, public
from sentinelle.web.routes import record as record_routes
from sentinelle.web.view import ViewCache

WEB = Path(str(resources.files("sentinelle") / "web"))


def _page(name: str) -> HTMLResponse:
    return HTMLResponse((WEB / "templates" / name).read_text(encoding="utf-8"))


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
    app.state.views = ViewCache(app.state.db)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    app.include_router(public.router)
    app.include_router(internal.router)
    app.include_router(record_routes.router)

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return _page("index.html")

    @app.get("/planner", include_in_schema=False)
    def planner() -> HTMLResponse:
        return _page("planner.html")

    @app.get("/salle", include_in_schema=False)
    def control_room() -> HTMLResponse:
        return _page("control_room.html")

    @app.get("/health", tags=["public"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
