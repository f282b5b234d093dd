"""A small synthetic city for the master-plan tests: a 4 × 4 grid of 100 m blocks.

Streets are split at every node (as OSM ways are), so the interior and edge nodes are
intersections; one traffic signal at the centre; one dwelling building in the south-west
block; a QPV over the western half; two quartiers (south, north); one existing four-head unit
at node (1, 1); a metro station at node (3, 3); a 200 m population grid; incidents near
(1, 3).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely

from sentinelle.geo.basemap import Basemap
from sentinelle.geo.crs import MetricFrame
from sentinelle.geo.layers import BuildingsLayer, StreetsLayer
from sentinelle.registry.camera import Camera
from sentinelle.registry.zone import Zone

FRAME = MetricFrame.from_crs(2154)
X0, Y0 = 351_000.0, 6_790_000.0
STEP = 100.0
N = 4  # blocks per side


def xy(i: float, j: float) -> tuple[float, float]:
    """Metric position of grid node (i, j)."""
    return X0 + i * STEP, Y0 + j * STEP


def lonlat(i: float, j: float) -> tuple[float, float]:
    lon, lat = FRAME.to_wgs84(*xy(i, j))
    return float(np.asarray(lon).ravel()[0]), float(np.asarray(lat).ravel()[0])


def _wgs(geom) -> dict:
    return json.loads(shapely.to_geojson(FRAME.unproject(geom)))


def streets() -> StreetsLayer:
    segs, names = [], []
    for i in range(N + 1):
        for j in range(N + 1):
            if i < N:
                segs.append(shapely.LineString([xy(i, j), xy(i + 1, j)]))
                names.append(f"Rue {j}")
            if j < N:
                segs.append(shapely.LineString([xy(i, j), xy(i, j + 1)]))
                names.append(f"Avenue {i}")
    lines = FRAME.unproject(np.array(segs, dtype=object))
    signal = FRAME.unproject(np.array([shapely.Point(xy(2, 2))], dtype=object))
    return StreetsLayer(
        lines=lines,
        highway=np.full(len(segs), "residential", dtype=object),
        name=np.array(names, dtype=object),
        points=signal,
        point_highway=np.array(["traffic_signals"], dtype=object),
    )


def buildings() -> BuildingsLayer:
    x, y = xy(0, 0)
    home = shapely.box(x + 20, y + 20, x + 80, y + 80)
    return BuildingsLayer(
        polygons=FRAME.unproject(np.array([home], dtype=object)),
        source_id=np.array(["b1"], dtype=object),
        height_m=np.array([np.nan]),
        usage=np.array([None], dtype=object),
        dwellings=np.array([12.0]),
    )


def basemap() -> Basemap:
    return Basemap.from_layers(streets(), buildings(), frame=FRAME)


def zones() -> list[Zone]:
    x0, y0 = xy(0, 0)
    x2, y2 = xy(2, 2)
    x4, y4 = xy(4, 4)
    qpv = shapely.box(x0 - 10, y0 - 10, x2 - 1, y4 + 10)
    south = shapely.box(x0 - 10, y0 - 10, x4 + 10, y2 - 1)
    north = shapely.box(x0 - 10, y2 - 1, x4 + 10, y4 + 10)
    return [
        Zone(kind="qpv", name="Ouest", geometry=FRAME.unproject(qpv)),
        Zone(kind="quartier", name="Sud", geometry=FRAME.unproject(south)),
        Zone(kind="quartier", name="Nord", geometry=FRAME.unproject(north)),
    ]


def existing() -> list[Camera]:
    lon, lat = lonlat(1, 1)
    head = {"hfov_deg": 90.0, "focal_mm": 2.8, "sensor_width_mm": 5.37, "image_width_px": 2560}
    return [Camera.from_record({
        "id": "E1", "name": "Existante", "lon": lon, "lat": lat, "type": "multisensor",
        "installed": "2012-05", "heads": [{"azimuth_deg": a, **head} for a in (0, 90, 180, 270)],
    })]


def write_files(folder: Path) -> dict[str, Path]:
    """Metro station, population grid and incidents files; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    metro = folder / "metro.geojson"
    metro.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nom": "Station"},
         "geometry": _wgs(shapely.Point(xy(3, 3)))}]}))
    squares = []
    for a in range(2):
        for b in range(2):
            x, y = xy(2 * a, 2 * b)
            residents = float(100 * (1 + a + 2 * b))
            squares.append({"type": "Feature", "properties": {"ind_c": residents},
                            "geometry": _wgs(shapely.box(x, y, x + 200, y + 200))})
    population = folder / "population.geojson"
    population.write_text(json.dumps({"type": "FeatureCollection", "features": squares}))
    incidents = folder / "incidents.csv"
    rows = ["lon,lat,weight"]
    for k in range(5):
        lon, lat = lonlat(1 + 0.02 * k, 3)
        rows.append(f"{lon:.7f},{lat:.7f},1")
    incidents.write_text("\n".join(rows) + "\n")
    return {"metro": metro, "population": population, "incidents": incidents}


SCENARIO = """
[scenario]
name = "Schéma test"
city = "Ville test"

[demand]
population_file = "population.geojson"
incidents_file = "incidents.csv"
incident_bandwidth_m = 60

[demand.weights]
base = 0.1
incidents = 3.0
qpv = 2.0
intersection = 1.0
traffic_signals = 0.5
population = 1.0

[[demand.sensitive]]
name = "metro"
label = "Stations de métro"
file = "metro.geojson"
radius_m = 120
weight = 2.0

[candidates]
street_spacing_m = 50
min_spacing_m = 20
arc_step_deg = 4

[[models]]
name = "multi"
label = "Multicapteur"
kind = "multisensor"
heads = 4
hfov_deg = 90
focal_mm = 2.8
sensor_width_mm = 5.37
range_m = 30
price_factor = 1.2
at = ["intersection"]
resolutions = [
  { label = "4 MP", width_px = 2560, bitrate_mbps = 4.0 },
  { label = "8 MP", width_px = 3840, bitrate_mbps = 6.0, extra_eur = 1000 },
]

[[models]]
name = "fixe"
label = "Fixe"
kind = "fixed"
hfov_deg = 48
focal_mm = 6.0
sensor_width_mm = 5.37
range_m = 45
orientations = 2
price_factor = 0.8
resolutions = [{ label = "4 MP", width_px = 2560, bitrate_mbps = 4.0 }]

[[models]]
name = "ptz"
label = "PTZ"
kind = "ptz"
hfov_deg = 360
focal_mm = 20
sensor_width_mm = 5.37
range_m = 25
price_factor = 1.6
at = ["intersection"]
resolutions = [{ label = "2 MP", width_px = 1920, bitrate_mbps = 4.0 }]

[[dori.rules]]
sensitive = "metro"
level = "recognise"

[siting]
new_cameras = 6
time_limit_s = 20

[[siting.minimums]]
zone_kind = "qpv"
share = 0.2

[[siting.maximums]]
zone_kind = "quartier"
max_new = 4

[phasing]
start_year = 2026
years = 3
yearly_budget_eur = 60000
replacement_age_years = 10
"""
