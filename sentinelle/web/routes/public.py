"""Open routes: what a citizen may see. No stream URL, no credential, ever."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sentinelle.web.deps import ViewDep

router = APIRouter(prefix="/api/public", tags=["public"])


@router.get("/info")
def info(view: ViewDep) -> dict[str, Any]:
    """The notes and attributions every page shows."""
    return view.info()


@router.get("/cameras")
def cameras(view: ViewDep) -> dict[str, Any]:
    """GeoJSON of the cameras: public fields and each camera's visible area."""
    return view.cameras_geojson(internal=False)


@router.get("/zones")
def zones(view: ViewDep) -> dict[str, Any]:
    """GeoJSON of the zones (QPV, quartiers, IRIS) with their street coverage."""
    return view.zones_geojson()


@router.get("/coverage")
def coverage(view: ViewDep) -> dict[str, Any]:
    """Street coverage, overall and per zone."""
    return view.coverage(internal=False)


@router.get("/basemap")
def basemap(view: ViewDep) -> dict[str, Any]:
    """Streets, derived blocks and buildings for drawing the map (WGS84 GeoJSON)."""
    return view.basemap_geojson()


@router.get("/timeline")
def timeline(view: ViewDep) -> list[dict[str, Any]]:
    """The camera timeline of the city as published (dates, totals, events, sources)."""
    return view.timeline()
