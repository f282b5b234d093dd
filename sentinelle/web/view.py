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

import shapely
from sqlalchemy import func, select

from sentinelle.access.keys import Keys
from sentinelle.db.engine import Database
from sentinelle.db.tables import CameraRow, ZoneRow
from sentinelle.demo import rennes
from sentinelle.registry.camera import Camera
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
        raise NotImplementedError


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
            )

    def current(self) -> NetworkView:
        key = self._fingerprint()
        with self._lock:
            if self._view is None or key != self._key:
                self._view = build_view(self.db, keys=self.keys)
                self._key = key
            return self._view


def build_view(db: Database, *, keys: Keys | None = None) -> NetworkView:
    registry = Registry(db, keys=keys)
    return NetworkView(cameras=registry.cameras(), zones=registry.zones())
