"""The planning page (internal): edit a scenario, run it in the background, compare two runs.

Routes: the page at ``/planning``, the API under ``/api/planning``. Jobs run one at a time in a
worker thread (`sentinelle.plan.jobs`); their outputs go to ``SENTINELLE_HOME/planning/<id>/``.
Closed routes: ``access.policy`` lists them (``map:internal`` to read, ``plan:run`` to run);
the page carries the session's CSRF token for its POST requests.
"""

from __future__ import annotations

import html
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse
from pydantic import BaseModel, Field

from sentinelle.errors import InputError
from sentinelle.plan.jobs import OUTPUTS, Job, JobManager
from sentinelle.web.deps import CurrentSession

router = APIRouter(tags=["internal"])
_CREATE = threading.Lock()  # routes run in a thread pool: one job manager per app, not two

WEB = Path(str(resources.files("sentinelle") / "web"))
EXAMPLE = Path(str(resources.files("sentinelle") / "data" / "scenarios" / "rennes.toml"))
MEDIA = {
    "plan.json": "application/json",
    "sites.geojson": "application/geo+json",
    "schema-directeur.html": "text/html; charset=utf-8",
    "schema-directeur.pdf": "application/pdf",
}


class ScenarioText(BaseModel):
    """A scenario as TOML text (relative paths: use ``rennes:NAME`` or absolute paths)."""

    toml: str = Field(max_length=200_000)
    label: str | None = Field(None, max_length=120)


def _manager(request: Request) -> JobManager:
    state = request.app.state
    with _CREATE:
        manager = getattr(state, "planning_jobs", None)
        if manager is None:
            from sentinelle.plan.masterplan import run_scenario

            db = state.db
            home = state.settings.ensure_home()
            manager = JobManager(home / "planning",
                                 lambda sc, progress: run_scenario(db, sc, progress=progress))
            state.planning_jobs = manager
    return manager


def _job(request: Request, job_id: str) -> Job:
    job = _manager(request).get(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"no planning job {job_id}")
    return job


def _input_error(exc: InputError) -> HTTPException:
    detail: dict[str, Any] = {"message": str(exc)}
    if exc.errors:
        e = exc.errors[0]
        detail.update({"line": e.line, "key": e.field, "reason": e.reason})
    return HTTPException(status_code=422, detail=detail)


@router.get("/planning", include_in_schema=False)
def planning_page(session: CurrentSession) -> HTMLResponse:
    """The planning page, with the session's CSRF token for its scripts."""
    page = (WEB / "templates" / "planning.html").read_text(encoding="utf-8")
    meta = f'<meta name="csrf-token" content="{html.escape(session.csrf_token)}">\n</head>'
    return HTMLResponse(page.replace("</head>", meta, 1), headers={"Cache-Control": "no-store"})


@router.get("/api/planning/example", response_class=PlainTextResponse)
def example() -> str:
    """The Rennes scenario shipped with Sentinelle (TOML)."""
    return EXAMPLE.read_text(encoding="utf-8")


@router.post("/api/planning/validate")
def validate(body: ScenarioText) -> dict[str, Any]:
    """Check a scenario without running it; 422 names the line and key of the first error."""
    from sentinelle.plan.scenario import parse_scenario

    try:
        sc = parse_scenario(body.toml, source="scénario")
    except InputError as exc:
        raise _input_error(exc) from None
    return {"ok": True, "name": sc.scenario.name, "models": [m.name for m in sc.models],
            "new_cameras": sc.siting.new_cameras, "budget_eur": sc.siting.budget_eur}


@router.post("/api/planning/jobs", status_code=202)
def submit(body: ScenarioText, request: Request) -> dict[str, Any]:
    """Queue a run of the scenario; poll ``GET /api/planning/jobs/{id}`` for its progress."""
    try:
        job = _manager(request).submit(body.toml, label=body.label)
    except InputError as exc:
        raise _input_error(exc) from None
    return job.public()


@router.get("/api/planning/jobs")
def jobs(request: Request) -> list[dict[str, Any]]:
    """All runs, newest first."""
    return [j.public() for j in _manager(request).list()]


@router.get("/api/planning/jobs/{job_id}")
def job(job_id: str, request: Request) -> dict[str, Any]:
    """One run: status, stage, progress, and its key figures once done."""
    return _job(request, job_id).public()


@router.get("/api/planning/jobs/{job_id}/scenario", response_class=PlainTextResponse)
def job_scenario(job_id: str, request: Request) -> str:
    """The scenario text the run was given."""
    return _job(request, job_id).scenario_text


@router.get("/api/planning/jobs/{job_id}/files/{name}")
def job_file(job_id: str, name: str, request: Request) -> FileResponse:
    """One output of a finished run: plan.json, sites.geojson, schema-directeur.html/.pdf."""
    j = _job(request, job_id)
    if name not in OUTPUTS:
        raise HTTPException(status_code=404, detail=f"no output named {name}")
    path = j.folder / name
    if j.status != "done" or not path.exists():
        raise HTTPException(status_code=404, detail=f"{name} is not ready")
    download = name.endswith(".pdf")
    return FileResponse(path, media_type=MEDIA[name],
                        filename=name if download else None)
