import json

import numpy as np
import pytest
import shapely
from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.db.engine import open_database
from sentinelle.geo.crs import MetricFrame
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.registry.zone import Zone

FRAME = MetricFrame.from_crs(2154)
X0, Y0 = 351_000.0, 6_790_000.0
runner = CliRunner()


def _wgs(geom):
    return json.loads(shapely.to_geojson(FRAME.unproject(geom)))


def _lonlat(x, y):
    lon, lat = FRAME.to_wgs84([x], [y])
    return float(lon[0]), float(lat[0])


@pytest.fixture
def files(tmp_path):
    """A 200 m grid of residential streets and one dwelling in the south-west block."""
    feats = []
    for v in (0, 100, 200):
        for line in (
            shapely.LineString([(X0 + v, Y0), (X0 + v, Y0 + 100), (X0 + v, Y0 + 200)]),
            shapely.LineString([(X0, Y0 + v), (X0 + 100, Y0 + v), (X0 + 200, Y0 + v)]),
        ):
            feats.append({"type": "Feature", "properties": {"highway": "residential"},
                          "geometry": _wgs(line)})
    streets = tmp_path / "streets.geojson"
    streets.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    home = shapely.box(X0 + 60, Y0 + 60, X0 + 90, Y0 + 90)
    buildings = tmp_path / "buildings.geojson"
    buildings.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "b1", "nb_appart": 8},
         "geometry": _wgs(home)}]}))
    return streets, buildings


def unit(id_, x, y, **kw):
    lon, lat = _lonlat(x, y)
    heads = [{"azimuth_deg": a, "hfov_deg": 90, "range_m": 30} for a in (0, 90, 180, 270)]
    return Camera.from_record({"id": id_, "lon": lon, "lat": lat, "heads": heads, **kw})


def test_import_then_coverage_on_the_database(home, files):
    streets, buildings = files
    res = runner.invoke(app, ["basemap", "import", "--streets", str(streets),
                              "--buildings", str(buildings), "--json"])
    assert res.exit_code == 0, res.output
    counts = json.loads(res.output)
    assert counts["streets"] == 6 and counts["buildings"] == 1
    assert counts["intersections"] == 5 and counts["blocks"] == 3
    assert counts["source"] == "mixed" and counts["crs"] == "EPSG:2154"

    db = open_database(f"sqlite:///{home / 'sentinelle.db'}")
    reg = Registry(db)
    reg.save_cameras([
        unit("centre", X0 + 100, Y0 + 100),
        unit("planned", X0 + 200, Y0 + 200, status="planned"),
        Camera.from_record({"id": "blind", "lon": -1.68, "lat": 48.11}),
    ])
    west = shapely.box(X0 - 10, Y0 - 10, X0 + 99, Y0 + 210)
    reg.save_zones([Zone(kind="qpv", name="Ouest", geometry=FRAME.unproject(west))])
    db.dispose()

    res = runner.invoke(app, ["coverage", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out) == {"source", "level", "network", "zones", "cameras"}
    net = out["network"]
    assert set(net) == {"street_m", "covered_m", "covered_pct", "intersections",
                        "intersections_covered", "visible_area_m2", "overlap"}
    # Four 30 m arms of the centre crossing are seen, nothing blocks along the streets.
    assert net["street_m"] == pytest.approx(1200, abs=0.5)
    assert net["covered_m"] == pytest.approx(120, abs=0.2)
    assert net["covered_pct"] == pytest.approx(10, abs=0.05)
    assert (net["intersections"], net["intersections_covered"]) == (5, 1)
    assert net["overlap"] == pytest.approx(1, abs=0.01)
    # The zone holds the streets with x < 99: three 99 m pieces and the 200 m x=0 street;
    # 29 m of the y=100 street (x 70..99) are seen.
    (zone,) = out["zones"]
    assert set(zone) == {"kind", "name", "street_m", "covered_m", "covered_pct", "cameras"}
    assert (zone["kind"], zone["name"], zone["cameras"]) == ("qpv", "Ouest", 1)
    assert zone["street_m"] == pytest.approx(497, abs=0.5)
    assert zone["covered_m"] == pytest.approx(29, abs=0.2)
    cams = {c["id"]: c for c in out["cameras"]}
    assert set(cams) == {"blind", "centre"}  # planned ones only with --include-planned
    assert set(cams["centre"]) == {"id", "visible_area_m2", "detect_m", "observe_m",
                                   "recognise_m", "identify_m", "status"}
    assert cams["centre"]["status"] == "ok" and cams["blind"]["status"] == "unknown_geometry"
    assert cams["blind"]["visible_area_m2"] is None
    assert cams["centre"]["visible_area_m2"] < np.pi * 900

    res = runner.invoke(app, ["coverage", "--json", "--include-planned", "--level", "detect"])
    out = json.loads(res.output)
    assert {c["id"] for c in out["cameras"]} == {"blind", "centre", "planned"}
    assert out["level"] == "detect"
    # No lens: --level falls back to range_m. The planned unit at the (200, 200) corner sees
    # the two 30 m arms that exist there: 120 + 60 m.
    assert out["network"]["covered_m"] == pytest.approx(180, abs=0.3)

    res = runner.invoke(app, ["coverage"])
    assert res.exit_code == 0, res.output
    assert "Ouest" in res.output and "unknown geometry" in res.output


def test_coverage_errors(home):
    res = runner.invoke(app, ["coverage"])
    assert res.exit_code == 1 and "no base map" in res.output
    res = runner.invoke(app, ["coverage", "--level", "zoom"])
    assert res.exit_code == 2 and "must be one of" in res.output
    res = runner.invoke(app, ["coverage", "--out", "x.geojson"])
    assert res.exit_code == 2 and "file mode" in res.output


def test_file_mode_writes_one_feature_per_camera(tmp_path, files, home):
    streets, buildings = files
    cams = tmp_path / "cams.geojson"
    feats = []
    for c in (unit("centre", X0 + 100, Y0 + 100), unit("corner", X0 + 50, Y0 + 50)):
        rec = c.to_record()
        lon, lat = rec.pop("lon"), rec.pop("lat")
        feats.append({"type": "Feature", "properties": rec,
                      "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    cams.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    out = tmp_path / "visibility.geojson"
    res = runner.invoke(app, ["coverage", "--cameras", str(cams), "--buildings", str(buildings),
                              "--streets", str(streets), "--out", str(out)])
    assert res.exit_code == 0, res.output
    fc = json.loads(out.read_text())
    assert [f["properties"]["camera_id"] for f in fc["features"]] == ["centre", "corner"]
    props = fc["features"][0]["properties"]
    assert {"camera_id", "visible_area_m2", "detect_m", "observe_m", "recognise_m",
            "identify_m", "source"} <= set(props)
    # The camera at (50, 50) stands in the south-west block, which its dwelling replaced:
    # the building (60..90) is its only obstacle.
    assert fc["features"][1]["properties"]["source"] == "buildings"
    poly = shapely.geometry.shape(fc["features"][0]["geometry"])
    assert poly.contains(shapely.Point(*_lonlat(X0 + 100, Y0 + 120)))  # along the street
    assert not poly.contains(shapely.Point(*_lonlat(X0 + 80, Y0 + 80)))  # inside a block
    # Buildings only: no derived blocks, so the source is "buildings" everywhere.
    res = runner.invoke(app, ["coverage", "--cameras", str(cams), "--buildings", str(buildings),
                              "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["source"] == "buildings"
