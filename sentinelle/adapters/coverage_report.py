"""The coverage report of a set of cameras over a base map and zones.

Shared by ``sentinelle coverage``, the web app and the master plan. Its `as_json` is the
public contract of ``sentinelle coverage --json``::

    {"source", "level",
     "network": {"street_m", "covered_m", "covered_pct", "intersections",
                 "intersections_covered", "visible_area_m2", "overlap"},
     "zones": [{"kind", "name", "street_m", "covered_m", "covered_pct", "cameras"}],
     "cameras": [{"id", "visible_area_m2", "detect_m", "observe_m", "recognise_m",
                  "identify_m", "status"}]}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from numpy.typing import NDArray

from sentinelle.adapters.camera_heads import STATUS_OK, CameraHeads, heads_from_cameras
from sentinelle.geo.basemap import Basemap
from sentinelle.geo.coverage import NetworkCoverage, network_coverage, zone_coverage
from sentinelle.geo.dori import Level
from sentinelle.geo.visibility import compute_visibility
from sentinelle.registry.camera import Camera
from sentinelle.registry.zone import Zone

__all__ = [
    "CoverageReport",
    "camera_visibility",
    "coverage_figures",
    "coverage_report",
    "preview_camera",
]


def _num(v: float, nd: int = 1) -> float | None:
    return None if v is None or not math.isfinite(v) else round(float(v), nd)


def camera_visibility(
    cameras: Sequence[Camera],
    basemap: Basemap,
    *,
    level: Level | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[CameraHeads, NDArray, NDArray]:
    """Each camera's visible ground (metric polygons, union of its heads) and source.

    Cameras with an unknown geometry get an empty polygon and source None.
    """
    ch = heads_from_cameras(cameras, basemap.frame, level=level)
    vis = compute_visibility(basemap.obstacles, ch.heads, progress=progress)
    polys, sources = vis.by_camera(len(cameras))
    return ch, polys, sources


def preview_camera(
    camera: Camera, basemap: Basemap, *, level: Level | None = None
) -> dict[str, Any]:
    """One camera's visibility after a move or turn, for a map that follows a drag.

    Returns a GeoJSON Feature (WGS84) with ``camera_id``, ``status``, ``source`` and
    ``visible_area_m2``; the geometry is None when the camera's geometry is unknown. Keep
    `basemap` in memory between calls: its obstacles and indexes are built once.
    """
    ch, polys, sources = camera_visibility([camera], basemap, level=level)
    ok = ch.status[0] == STATUS_OK
    geom = basemap.frame.unproject(polys[0]) if ok else None
    return {
        "type": "Feature",
        "geometry": shapely.geometry.mapping(geom) if geom is not None else None,
        "properties": {
            "camera_id": camera.id,
            "status": ch.status[0],
            "source": sources[0] if ok else None,
            "visible_area_m2": _num(float(shapely.area(polys[0]))) if ok else None,
        },
    }


def coverage_figures(
    polys: NDArray,
    basemap: Basemap,
    zones: Sequence[Zone] = (),
    *,
    zone_polys: NDArray | None = None,
    zone_street_m: NDArray | None = None,
) -> tuple[NetworkCoverage, list[dict[str, Any]]]:
    """Network and per-zone figures for visibility polygons already computed (metric).

    `zone_polys` (the zones projected to the base map's frame) and `zone_street_m` (their
    street lengths, e.g. from a first call's rows) skip work that does not depend on the
    cameras; pass them when calling repeatedly (the planner's preview).
    """
    net = network_coverage(polys, basemap.public_streets, intersections=basemap.intersections)
    zrows: list[dict[str, Any]] = []
    if zones:
        if zone_polys is None:
            zone_polys = basemap.frame.project(np.array([z.geometry for z in zones], dtype=object))
        zc = zone_coverage(zone_polys, basemap.public_streets, net.covered_streets, polys,
                           street_m=zone_street_m)
        pct = zc.covered_pct
        for i, z in enumerate(zones):
            zrows.append(
                {
                    "kind": z.kind.value,
                    "name": z.name,
                    "street_m": round(float(zc.street_m[i]), 1),
                    "covered_m": round(float(zc.covered_m[i]), 1),
                    "covered_pct": round(float(pct[i]), 2),
                    "cameras": int(zc.cameras[i]),
                }
            )
    return net, zrows


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of a set of cameras: figures, per-zone rows and per-camera rows."""

    source: str
    level: str | None
    network: NetworkCoverage
    zones: list[dict[str, Any]]
    cameras: list[dict[str, Any]]
    visibility: NDArray  # metric polygons, one per camera
    camera_sources: NDArray

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "level": self.level,
            "network": self.network.as_dict(),
            "zones": self.zones,
            "cameras": self.cameras,
        }


def coverage_report(
    cameras: Sequence[Camera],
    basemap: Basemap,
    zones: Sequence[Zone] = (),
    *,
    level: Level | None = None,
    progress: Callable[[int], None] | None = None,
) -> CoverageReport:
    """Coverage of `cameras` over `basemap`, overall and per zone.

    Parameters
    ----------
    cameras
        The cameras to count (the caller filters by status).
    basemap
        Streets, intersections and obstacles.
    zones
        Zones (WGS84) to break the figures down by.
    level
        DORI level for the distances (see `sentinelle.adapters.camera_heads`).
    progress
        Called with the number of heads done, chunk after chunk.
    """
    ch, polys, sources = camera_visibility(cameras, basemap, level=level, progress=progress)
    net, zrows = coverage_figures(polys, basemap, zones)
    areas = shapely.area(polys) if len(cameras) else np.empty(0)
    crow: list[dict[str, Any]] = []
    for i, cam in enumerate(cameras):
        ok = ch.status[i] == STATUS_OK
        crow.append(
            {
                "id": cam.id,
                "visible_area_m2": _num(areas[i]) if ok else None,
                "detect_m": _num(ch.dori_m[Level.detect][i]),
                "observe_m": _num(ch.dori_m[Level.observe][i]),
                "recognise_m": _num(ch.dori_m[Level.recognise][i]),
                "identify_m": _num(ch.dori_m[Level.identify][i]),
                "status": ch.status[i],
            }
        )
    used = {s for s in sources if s is not None}
    if not used:
        source = basemap.source
    elif len(used) == 1:
        source = used.pop()
    else:
        source = "mixed"
    return CoverageReport(
        source=source,
        level=level.value if level is not None else None,
        network=net,
        zones=zrows,
        cameras=crow,
        visibility=polys,
        camera_sources=sources,
    )
