"""The network as the web app shows it: cameras, zones, visible areas, coverage, base map.

A `NetworkView` is computed from the database once and reused until the registry or the
base map changes (`ViewCache` compares a cheap fingerprint on each request).
"""

from __future__ import annotations

import csv
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from sqlalchemy import func, select

from sentinelle.access.keys import Keys
from sentinelle.adapters.basemap_store import BasemapStore
from sentinelle.adapters.coverage_report import (
    camera_visibility,
    coverage_figures,
    coverage_report,
)
from sentinelle.db.basemap_tables import BasemapLayerRow
from sentinelle.db.engine import Database
from sentinelle.db.tables import CameraRow, ZoneRow
from sentinelle.demo import rennes
from sentinelle.errors import NotFoundError
from sentinelle.geo.basemap import Basemap
from sentinelle.registry.camera import Camera
from sentinelle.registry.purposes import LABELS_FR
from sentinelle.registry.store import Registry
from sentinelle.registry.zone import Zone
from sentinelle.web.schemas import CameraInternal, CameraPublic, PreviewRequest

ATTRIBUTIONS = [
    "© OpenStreetMap contributors (ODbL)",
    "Rennes Métropole open data",
    "INSEE",
    "ANCT (QPV)",
]


def _geojson(geom: Any) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    return json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-7)))


@dataclass
class NetworkView:
    """Everything the pages and the API show, computed once."""

    cameras: list[Camera]
    zones: list[Zone]
    coverage_report: dict[str, Any] = field(default_factory=dict)
    visibility: dict[str, Any] = field(default_factory=dict)  # camera id → WGS84 geometry
    basemap: dict[str, Any] = field(default_factory=dict)
    engine: Any = None  # the coverage engine, for previews

    def info(self) -> dict[str, Any]:
        assumed = any(c.assumed for c in self.cameras)
        return {
            "note_fr": rennes.HONESTY_NOTE_FR if assumed else None,
            "note_en": rennes.HONESTY_NOTE_EN if assumed else None,
            "attributions": ATTRIBUTIONS,
            "cameras": len(self.cameras),
            "purpose_labels_fr": {p.value: label for p, label in LABELS_FR.items()},
        }

    def _camera_props(self, cam: Camera, *, internal: bool) -> dict[str, Any]:
        rec = cam.to_record()  # credentials redacted
        per_cam = {c["id"]: c for c in self.coverage_report.get("cameras", [])}
        rec["visible_area_m2"] = per_cam.get(cam.id, {}).get("visible_area_m2")
        if internal:
            rec["flags"] = cam.flags
            props = CameraInternal.model_validate(rec).model_dump(mode="json")
            props["dori"] = {k: per_cam.get(cam.id, {}).get(k) for k in
                             ("detect_m", "observe_m", "recognise_m", "identify_m")}
        else:
            props = CameraPublic.model_validate(rec).model_dump(mode="json")
        props["visibility"] = _geojson(self.visibility.get(cam.id))
        return props

    def cameras_geojson(self, *, internal: bool) -> dict[str, Any]:
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": c.id,
                    "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                    "properties": self._camera_props(c, internal=internal),
                }
                for c in self.cameras
                if c.status.value != "removed"
            ],
        }

    def zones_geojson(self) -> dict[str, Any]:
        cov = {(z["kind"], z["name"]): z for z in self.coverage_report.get("zones", [])}
        feats = []
        for z in self.zones:
            c = cov.get((z.kind.value, z.name), {})
            feats.append({
                "type": "Feature",
                "geometry": _geojson(shapely.simplify(z.geometry, 1e-5)),
                "properties": {
                    "kind": z.kind.value, "name": z.name, "code": z.code,
                    "street_m": c.get("street_m"), "covered_m": c.get("covered_m"),
                    "covered_pct": c.get("covered_pct"), "cameras": c.get("cameras"),
                },
            })
        return {"type": "FeatureCollection", "features": feats}

    def coverage(self, *, internal: bool) -> dict[str, Any]:
        rep = dict(self.coverage_report)
        if not internal:
            rep.pop("cameras", None)
        rep["note"] = self.info()["note_en"]
        return rep

    def basemap_geojson(self) -> dict[str, Any]:
        return self.basemap

    def timeline(self) -> list[dict[str, Any]]:
        path = rennes.data_dir() / "rennes_cctv_timeline_reported.csv"
        with path.open(encoding="utf-8") as f:
            return list(csv.DictReader(f))

    def preview(self, req: PreviewRequest) -> dict[str, Any]:
        """One camera moved or turned: its visible area and the figures that follow.

        Only that camera's visibility is recomputed; the others' polygons are reused.
        """
        cam = next((c for c in self.cameras if c.id == req.camera_id), None)
        if cam is None:
            msg = f"no camera with id `{req.camera_id}`"
            raise NotFoundError(msg)
        if self.engine is None:
            msg = "no base map: run `sentinelle basemap import` (or `sentinelle demo`) first"
            raise NotFoundError(msg)
        basemap, shown, polys, zone_polys = self.engine
        if req.heads is not None:
            heads = [h.model_dump(exclude_none=True) for h in req.heads]
        else:
            heads = [
                {**h.model_dump(exclude_none=True),
                 **({"azimuth_deg": (h.azimuth_deg + req.rotate_deg) % 360}
                    if h.azimuth_deg is not None else {})}
                for h in cam.heads
            ]
        moved = Camera.model_validate(
            {**cam.model_dump(exclude={"heads"}), "lon": req.lon, "lat": req.lat, "heads": heads}
        )
        _, one, _ = camera_visibility([moved], basemap)
        ids = [c.id for c in shown]
        polys = polys.copy()
        if cam.id in ids:
            polys[ids.index(cam.id)] = one[0]
        else:
            polys = np.append(polys, one[0])
        zone_street_m = np.array([z["street_m"] for z in self.coverage_report["zones"]])
        net, zrows = coverage_figures(polys, basemap, self.zones, zone_polys=zone_polys,
                                      zone_street_m=zone_street_m)
        geom = basemap.frame.unproject(one[0])
        return {
            "camera_id": cam.id,
            "lon": req.lon,
            "lat": req.lat,
            "visibility": _geojson(geom),
            "visible_area_m2": round(float(shapely.area(one[0])), 1),
            "network": net.as_dict(),
            "zones": zrows,
        }


class ViewCache:
    """The current `NetworkView`, rebuilt when the registry changes."""

    def __init__(self, db: Database, *, keys: Keys | None = None) -> None:
        self.db = db
        self.keys = keys
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._view: NetworkView | None = None

    def _fingerprint(self) -> tuple:
        with self.db.session() as s:
            return (
                s.scalar(select(func.count()).select_from(CameraRow)),
                s.scalar(select(func.max(CameraRow.updated_at))),
                s.scalar(select(func.count()).select_from(ZoneRow)),
                s.scalar(select(func.max(ZoneRow.updated_at))),
                s.scalar(select(func.max(BasemapLayerRow.imported_at))),
            )

    def current(self) -> NetworkView:
        key = self._fingerprint()
        with self._lock:
            if self._view is None or key != self._key:
                self._view = build_view(self.db, keys=self.keys)
                self._key = key
            return self._view


COVERED_STATUSES = ("in_service",)
BASEMAP_TOLERANCE_DEG = 5e-6  # about 0.5 m: simplification for drawing only


def _layer(geoms: np.ndarray, props: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    geoms = shapely.set_precision(shapely.simplify(geoms, BASEMAP_TOLERANCE_DEG), 1e-6)
    feats = []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        feats.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)),
                      "properties": props[i] if props else {}})
    return {"type": "FeatureCollection", "features": feats}


def basemap_layers(basemap: Basemap) -> dict[str, Any]:
    """Streets (with their class), derived blocks and buildings in WGS84, for drawing."""
    un = basemap.frame.unproject
    return {
        "streets": _layer(un(basemap.streets), [{"highway": str(h)} for h in basemap.highway]),
        "blocks": _layer(un(basemap.blocks)) if basemap.blocks.size else _layer(np.empty(0)),
        "buildings": (_layer(un(basemap.buildings)) if basemap.buildings.size
                      else _layer(np.empty(0))),
        "source": basemap.source,
        "attributions": list(basemap.attributions),
    }


def build_view(db: Database, *, keys: Keys | None = None) -> NetworkView:
    """Cameras, zones, visible areas and coverage (cameras in service) from the database."""
    registry = Registry(db, keys=keys)
    cameras, zones = registry.cameras(), registry.zones()
    view = NetworkView(cameras=cameras, zones=zones)
    basemap = BasemapStore(db).load()
    if basemap is None:
        return view
    shown = [c for c in cameras if c.status.value in COVERED_STATUSES]
    report = coverage_report(shown, basemap, zones)
    view.coverage_report = report.as_json()
    wgs = basemap.frame.unproject(report.visibility) if shown else []
    view.visibility = {c.id: g for c, g in zip(shown, wgs, strict=True)}
    view.basemap = basemap_layers(basemap)
    zone_polys = basemap.frame.project(np.array([z.geometry for z in zones], dtype=object))
    view.engine = (basemap, shown, report.visibility, zone_polys)
    return view
