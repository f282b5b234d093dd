"""Build the Rennes demo: zones, the reported camera sites, and (when present) the base map.

The network is stated honestly: only nine camera sites of Rennes are public, with approximate
positions (``rennes_cctv_reported_sites_approx.csv``). Each site gets its reported number of
cameras (2 where the sources give none: 22 in all). Each camera is modelled as one four-head
360° multi-sensor unit, 6 m high, and marked ``assumed``. Units of one site are placed on the
street intersections nearest to the site's reported position, at least `MIN_SPACING_M` apart.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from pyproj import Transformer

from sentinelle.access.keys import Keys
from sentinelle.db.engine import Database
from sentinelle.registry.camera import Camera
from sentinelle.registry.dates import read_date_field
from sentinelle.registry.importer import read_zone_file
from sentinelle.registry.store import Registry

DEFAULT_CAMERAS_PER_SITE = 2
MIN_SPACING_M = 35.0
SEARCH_RADIUS_M = 250.0
UNIT_HEIGHT_M = 6.0
HEAD = {"hfov_deg": 90.0, "focal_mm": 2.8, "sensor_width_mm": 5.37, "image_width_px": 2560}
PURPOSE = "PREVENTION_ATTEINTES_PERSONNES_BIENS"
HONESTY_NOTE_FR = (
    "Positions approximatives et modèles supposés : seuls neuf sites de caméras de Rennes sont "
    "publics ; chaque caméra est modélisée comme un multicapteur 360° à 6 m."
)
HONESTY_NOTE_EN = (
    "Approximate positions and assumed models: only nine Rennes camera sites are public; each "
    "camera is modelled as a 360° multi-sensor unit at 6 m."
)
ATTRIBUTION = (
    "Data: © OpenStreetMap contributors (ODbL); Rennes Métropole, INSEE, ANCT open data."
)
_TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
_TO_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def data_dir() -> Path:
    """The folder of the Rennes files shipped in the package."""
    return Path(str(resources.files("sentinelle") / "data" / "rennes"))


@dataclass
class DemoReport:
    built: bool
    cameras: int = 0
    zones: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def street_intersections(streets_geojson: Path) -> np.ndarray:
    """Lambert-93 coordinates of the street nodes shared by two or more ways (intersections)."""
    doc = json.loads(streets_geojson.read_text(encoding="utf-8"))
    counts: Counter[tuple[float, float]] = Counter()
    for f in doc["features"]:
        g = f.get("geometry") or {}
        if g.get("type") != "LineString":
            continue
        for pt in {tuple(c[:2]) for c in g["coordinates"]}:
            counts[pt] += 1
    pts = np.array([p for p, n in counts.items() if n >= 2], dtype=float)
    x, y = _TO_L93.transform(pts[:, 0], pts[:, 1])
    return np.column_stack([x, y])


def place_units(
    site_xy: tuple[float, float],
    n: int,
    nodes: np.ndarray,
    *,
    taken: list[tuple[float, float]] | None = None,
) -> list[tuple[float, float]]:
    """`n` positions: the intersection nearest the site first, then the nearest others that
    keep `MIN_SPACING_M` from every unit already placed (`taken`, other sites included); a ring
    around the site when too few intersections are close."""
    taken = taken if taken is not None else []
    d = np.hypot(nodes[:, 0] - site_xy[0], nodes[:, 1] - site_xy[1])
    order = np.argsort(d, kind="stable")
    chosen: list[tuple[float, float]] = []
    for i in order:
        if d[i] > SEARCH_RADIUS_M or len(chosen) == n:
            break
        p = (float(nodes[i, 0]), float(nodes[i, 1]))
        if all(np.hypot(p[0] - q[0], p[1] - q[1]) >= MIN_SPACING_M for q in chosen + taken):
            chosen.append(p)
    k = 0
    while len(chosen) < n:  # no intersection near enough: ring around the site
        k += 1
        ang = 2 * np.pi * k / n
        chosen.append((site_xy[0] + MIN_SPACING_M * np.sin(ang),
                       site_xy[1] + MIN_SPACING_M * np.cos(ang)))
    taken.extend(chosen)
    return chosen


def demo_cameras(folder: Path | None = None) -> list[Camera]:
    """The 22 assumed multi-sensor units at the nine reported sites."""
    folder = folder or data_dir()
    nodes = street_intersections(folder / "rennes_osm_highways_2013.geojson")
    cams: list[Camera] = []
    taken: list[tuple[float, float]] = []
    with (folder / "rennes_cctv_reported_sites_approx.csv").open(encoding="utf-8") as f:
        for site in csv.DictReader(f):
            n = int(site["n_cameras_reported"] or DEFAULT_CAMERAS_PER_SITE)
            sx, sy = _TO_L93.transform(float(site["lon"]), float(site["lat"]))
            installed, raw = read_date_field(site["first_installed_reported"])
            for k, (x, y) in enumerate(place_units((sx, sy), n, nodes, taken=taken), start=1):
                lon, lat = _TO_WGS84.transform(x, y)
                cams.append(
                    Camera.from_record(
                        {
                            "id": f"{site['site_id']}-{k}",
                            "name": f"{site['site_name']} ({k}/{n})",
                            "lon": round(lon, 7),
                            "lat": round(lat, 7),
                            "height_m": UNIT_HEIGHT_M,
                            "type": "multisensor",
                            "status": "in_service",
                            "installed": installed,
                            "installed_raw": raw,
                            "purposes": [PURPOSE],
                            "assumed": True,
                            "heads": [{"azimuth_deg": az, **HEAD} for az in (0, 90, 180, 270)],
                        }
                    )
                )
    return cams


def demo_zones(folder: Path | None = None) -> list:
    folder = folder or data_dir()
    return [
        *read_zone_file(folder / "rennes_qpv_2015.geojson", kind="qpv", name_field="nom_qp",
                        code_field="code_qp"),
        *read_zone_file(folder / "rennes_quartiers_12.geojson", kind="quartier",
                        name_field="nom", code_field="nuquart"),
        *read_zone_file(folder / "iris_rennes.geojson", kind="iris", name_field="nom_iris",
                        code_field="code_iris"),
    ]


def is_built(registry: Registry, cameras: list[Camera], zones: list) -> bool:
    """True when every demo camera and zone is already in the registry."""
    have = {c.id for c in registry.cameras()}
    if not {c.id for c in cameras} <= have:
        return False
    stored = {(z.kind.value, z.name) for z in registry.zones()}
    return {(z.kind.value, z.name) for z in zones} <= stored


BUILDINGS_ATTRIBUTION = "Rennes Métropole, bâtiments (v_batiment_desc), La Motte Brûlon"


def build_registry(registry: Registry, *, folder: Path | None = None) -> DemoReport:
    """Import the demo zones and cameras unless they are already in place (writes nothing then)."""
    cameras, zones = demo_cameras(folder), demo_zones(folder)
    report = DemoReport(built=False, cameras=len(cameras),
                        zones=dict(Counter(z.kind.value for z in zones)))
    if is_built(registry, cameras, zones):
        return report
    registry.save_zones(zones)
    registry.save_cameras(cameras, source="Rennes demo (reported sites, assumed models)")
    report.built = True
    return report


def build_basemap(db: Database, *, folder: Path | None = None) -> bool:
    """Import the Rennes streets (OSM 2013) and the La Motte Brûlon buildings unless a base
    map is already stored; elsewhere blocks are derived from the streets. True if imported."""
    from sentinelle.adapters.basemap_store import BasemapStore, import_basemap_files

    if BasemapStore(db).layers():
        return False
    folder = folder or data_dir()
    import_basemap_files(
        db,
        folder / "rennes_osm_highways_2013.geojson",
        folder / "rennes_buildings_la_motte_brulon_rm.geojson",
        buildings_attribution=BUILDINGS_ATTRIBUTION,
    )
    return True


def build_demo(
    db: Database, *, keys: Keys | None = None, folder: Path | None = None
) -> DemoReport:
    """The whole demo: registry and base map, each imported only when missing."""
    report = build_registry(Registry(db, keys=keys), folder=folder)
    report.built = build_basemap(db, folder=folder) or report.built
    return report
