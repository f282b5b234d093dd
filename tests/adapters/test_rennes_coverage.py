"""Coverage per QPV on the real Rennes data, with cameras at the reported sites.

Nine sites are public, with approximate positions (rennes_cctv_reported_sites_approx.csv);
each gets its reported number of units (2 where none is given), each a four-head 360°
unit (90° heads, 2.8 mm lens, 5.37 mm sensor, 2560 px), as the demo will model them. One more
unit stands on a street of La Motte Brûlon, the only IRIS with real building footprints.
"""

import csv
import json

import numpy as np
import pytest
import shapely

from sentinelle.adapters.coverage_report import coverage_report
from sentinelle.geo.basemap import Basemap
from sentinelle.geo.coverage import dwellings_reached
from sentinelle.geo.dori import Level
from sentinelle.geo.layers import read_buildings, read_streets
from sentinelle.registry.camera import Camera
from sentinelle.registry.zone import Zone

QPV = {"Villejean", "Maurepas", "Le Blosne", "Cleunay", "Les Clôteaux - Champs Manceaux"}
HEAD = {"hfov_deg": 90, "focal_mm": 2.8, "sensor_width_mm": 5.37, "image_width_px": 2560}


def unit(id_, lon, lat):
    heads = [{"azimuth_deg": a, **HEAD} for a in (0, 90, 180, 270)]
    return Camera.from_record({"id": id_, "lon": lon, "lat": lat, "height_m": 6, "heads": heads})


@pytest.fixture(scope="module")
def rennes(request):
    from sentinelle.demo.rennes import data_dir

    d = data_dir()  # the Rennes files shipped in the package
    bm = Basemap.from_layers(
        read_streets(d / "rennes_osm_highways_2013.geojson"),
        read_buildings(d / "rennes_buildings_la_motte_brulon_rm.geojson"),
    )
    cams = []
    with open(d / "rennes_cctv_reported_sites_approx.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            n = int(row["n_cameras_reported"] or 2)
            cams += [unit(f"{row['site_id']}-{k}", float(row["lon"]), float(row["lat"]))
                     for k in range(1, n + 1)]
    cams.append(unit("LMB-1", -1.6711567, 48.1276449))  # La Motte Brûlon, tertiary street
    feats = json.loads((d / "rennes_qpv_2015.geojson").read_text(encoding="utf-8"))["features"]
    zones = [Zone(kind="qpv", name=f["properties"]["nom_qp"],
                  geometry=shapely.geometry.shape(f["geometry"])) for f in feats]
    return bm, cams, zones


def test_coverage_per_qpv_on_rennes(rennes):
    bm, cams, zones = rennes
    assert bm.source == "mixed" and bm.frame.epsg == 2154
    rep = coverage_report(cams, bm, zones)
    assert len(cams) == 23
    rows = {z["name"]: z for z in rep.zones}
    assert set(rows) == QPV
    for z in rows.values():
        assert z["street_m"] > 500
        assert 0 <= z["covered_m"] <= z["street_m"]
    # Sites reported in Maurepas: Europe and Gros Chêne lie inside the QPV outline (2 units
    # each); the Gast centre's approximate site lies about 130 m outside, beyond its view.
    assert rows["Maurepas"]["covered_m"] > 100 and rows["Maurepas"]["cameras"] == 4
    # Le Blosne: the Italie site.
    assert rows["Le Blosne"]["covered_m"] > 50
    # No site reported in Cleunay or Les Clôteaux.
    for name in ("Cleunay", "Les Clôteaux - Champs Manceaux"):
        assert (rows[name]["covered_m"], rows[name]["cameras"]) == (0, 0)
    net = rep.network
    assert net.street_m == pytest.approx(551_339, rel=1e-3)
    # 23 units of 21.4 m observe radius can see at most 23 × π × 21.4² ≈ 33,000 m².
    assert 0 < net.visible_area_m2 < 23 * np.pi * 21.36**2
    assert 0 < net.covered_pct < 1
    # Units sharing a site see the same streets: every covered metre is seen at least twice.
    assert net.overlap >= 2
    sources = dict(zip([c.id for c in cams], rep.camera_sources, strict=True))
    assert sources["R03-1"] == "derived_blocks"
    assert sources["LMB-1"] == "buildings"
    assert rep.source == "mixed"
    assert all(c["status"] == "ok" for c in rep.cameras)
    assert rep.cameras[0]["observe_m"] == pytest.approx(21.4, abs=0.05)


def test_detect_level_sees_further_and_reaches_dwellings(rennes):
    bm, cams, zones = rennes
    observe = coverage_report(cams, bm, zones)
    detect = coverage_report(cams, bm, zones, level=Level.detect)
    assert detect.network.covered_m > observe.network.covered_m
    lmb = [c.id for c in cams].index("LMB-1")
    reach = dwellings_reached(detect.visibility[lmb : lmb + 1], bm.buildings, bm.is_dwelling)
    assert reach.camera.size >= 1
    assert reach.facade_m.sum() > 10


def test_preview_follows_a_turned_camera(rennes):
    bm, cams, _ = rennes
    from sentinelle.adapters.coverage_report import preview_camera

    lmb = next(c for c in cams if c.id == "LMB-1")
    fixed = lmb.model_copy(update={"heads": [lmb.heads[0].model_copy(
        update={"azimuth_deg": 90.0})]})
    east = preview_camera(fixed, bm)
    assert east["properties"]["status"] == "ok"
    geom = shapely.geometry.shape(east["geometry"])
    assert geom.centroid.x > lmb.lon  # looking east
    west = preview_camera(fixed.model_copy(update={"heads": [fixed.heads[0].model_copy(
        update={"azimuth_deg": 270.0})]}), bm)
    assert shapely.geometry.shape(west["geometry"]).centroid.x < lmb.lon
