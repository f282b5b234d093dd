"""Internal routes: full registry detail and the planner's preview.

Access control («Access control and audit») will close these; keep them apart from public.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from sentinelle.errors import NotFoundError
from sentinelle.web.deps import ViewDep
from sentinelle.web.schemas import PreviewRequest

router = APIRouter(prefix="/api", tags=["internal"])


@router.get("/cameras")
def cameras(view: ViewDep) -> dict[str, Any]:
    """GeoJSON of the cameras with full detail (stream URLs redacted) and visible areas."""
    return view.cameras_geojson(internal=True)


@router.get("/zones")
def zones(view: ViewDep) -> dict[str, Any]:
    return view.zones_geojson()


@router.get("/coverage")
def coverage(view: ViewDep) -> dict[str, Any]:
    """The full coverage report (network, zones, cameras with DORI distances)."""
    return view.coverage(internal=True)


@router.get("/basemap")
def basemap(view: ViewDep) -> dict[str, Any]:
    return view.basemap_geojson()


@router.post("/preview")
def preview(req: PreviewRequest, view: ViewDep) -> dict[str, Any]:
    """Visible area of one camera moved or turned, and the coverage figures that follow."""
    try:
        return view.preview(req)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
