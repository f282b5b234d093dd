"""The evaluation page: the last evaluation report written by ``sentinelle evaluate report``.

The report lives in ``SENTINELLE_HOME/evaluation`` (the command's default ``--out``): this
router shows its key figures (``/evaluation``, from ``/api/evaluation``), and serves the HTML
report, the PDF and the figures. Nothing is computed here. Internal, like the planner: access
control will close it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

TEMPLATE = Path(str(resources.files("sentinelle") / "web" / "templates" / "evaluation.html"))
router = APIRouter(tags=["internal"])

FILES = {
    "rapport_evaluation.html": "text/html; charset=utf-8",
    "rapport_evaluation.pdf": "application/pdf",
    "etude_evenement.png": "image/png",
    "graphique_en_foret.png": "image/png",
    "carte_zones.png": "image/png",
}
NO_REPORT = (
    "no evaluation report yet: run `sentinelle evaluate report` (its default --out is "
    "SENTINELLE_HOME/evaluation)"
)


def report_dir(request: Request) -> Path:
    return Path(request.app.state.settings.home) / "evaluation"


@router.get("/evaluation", include_in_schema=False)
def evaluation_page() -> HTMLResponse:
    return HTMLResponse(TEMPLATE.read_text(encoding="utf-8"))


@router.get("/api/evaluation")
def evaluation_summary(request: Request) -> dict[str, Any]:
    """Key figures of the last report: effect, interval, event study, pre-trend test,
    usefulness, and which files exist."""
    folder = report_dir(request)
    path = folder / "evaluation.json"
    if not path.is_file():
        raise HTTPException(404, NO_REPORT)
    doc = json.loads(path.read_text(encoding="utf-8"))
    panel = doc.get("panel") or {}
    use = doc.get("usefulness") or None
    return {
        "place": doc.get("place"),
        "synthetic": doc.get("synthetic", False),
        "synthetic_note": doc.get("synthetic_note"),
        "att": panel.get("att"),
        "ci_low": panel.get("ci_low"),
        "ci_high": panel.get("ci_high"),
        "pretrend_p": panel.get("pretrend_p"),
        "event_study": panel.get("event_study", []),
        "bin_months": panel.get("bin_months"),
        "n_areas": panel.get("n_areas"),
        "n_treated": panel.get("n_treated"),
        "cohorts": panel.get("cohorts", {}),
        "usefulness": None if use is None else {
            "cases": use.get("cases"),
            "solved_helped": use.get("solved_helped"),
            "useful": use.get("useful"),
            "cost": use.get("cost"),
        },
        "files": [name for name in FILES if (folder / name).is_file()],
    }


@router.get("/evaluation/files/{name}", include_in_schema=False)
def evaluation_file(name: str, request: Request) -> FileResponse:
    """One file of the report (only the names listed in `FILES`)."""
    if name not in FILES:
        raise HTTPException(404, f"unknown report file {name!r}")
    path = report_dir(request) / name
    if not path.is_file():
        raise HTTPException(404, NO_REPORT)
    return FileResponse(path, media_type=FILES[name])
