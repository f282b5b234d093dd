"""The public transparency page (``/transparence``) and its open-data exports.

Open to anyone: the cameras (position, direction, purposes, authorisation, retention), the
register of authorised systems (R24) and aggregate figures, as GeoJSON, CSV and JSON. Built
from the allow-list of ``compliance.transparency``: no stream URL, no credential, no user.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sentinelle.compliance import transparency as tr
from sentinelle.web.deps import DbDep, KeysDep, OptionalSession
from sentinelle.web.pages import render

router = APIRouter(tags=["public"])
PREFIX = "/api/public/transparence"


def _data(db: Any, keys: Any) -> dict[str, Any]:
    return tr.load_public(db, keys, today=date.today())


def _csv(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/transparence", include_in_schema=False)
def transparence_page(request: Request, db: DbDep, keys: KeysDep,
                      session: OptionalSession) -> HTMLResponse:
    d = _data(db, keys)
    return render(request, "transparence.html", session=session, data=d, prefix=PREFIX)


@router.get(f"{PREFIX}/cameras.geojson")
def cameras_geojson(db: DbDep, keys: KeysDep) -> dict[str, Any]:
    """The cameras as GeoJSON points (public fields only)."""
    return tr.cameras_geojson(_data(db, keys)["cameras"])


@router.get(f"{PREFIX}/cameras.csv")
def cameras_csv(db: DbDep, keys: KeysDep) -> Response:
    """The cameras as CSV (public fields only)."""
    return _csv(tr.to_csv(_data(db, keys)["cameras"], tr.CAMERA_COLUMNS), "cameras.csv")


@router.get(f"{PREFIX}/registre.json")
def register_json(db: DbDep, keys: KeysDep) -> list[dict[str, Any]]:
    """The register of authorised systems (R24)."""
    return _data(db, keys)["register"]


@router.get(f"{PREFIX}/registre.csv")
def register_csv(db: DbDep, keys: KeysDep) -> Response:
    """The register of authorised systems (R24), CSV."""
    return _csv(tr.to_csv(_data(db, keys)["register"], tr.REGISTER_COLUMNS),
                "registre_systemes_autorises.csv")


@router.get(f"{PREFIX}/chiffres")
def figures(db: DbDep, keys: KeysDep) -> dict[str, Any]:
    """Aggregate figures of the network."""
    return _data(db, keys)["figures"]
