import json

import numpy as np
import pytest

from sentinelle.adapters.camera_heads import heads_from_cameras, read_cameras_geojson
from sentinelle.errors import InputError
from sentinelle.geo.crs import MetricFrame
from sentinelle.geo.dori import Level
from sentinelle.registry.camera import Camera

FRAME = MetricFrame.from_crs(2154)
LENS = {"focal_mm": 2.8, "sensor_width_mm": 5.37, "image_width_px": 2560}


def cam(id_, **kw):
    return Camera.from_record({"id": id_, "lon": -1.68, "lat": 48.11, **kw})


def test_distance_rule_level_then_range_then_observe():
    cams = [
        cam("lens", azimuth_deg=0, hfov_deg=90, **LENS),
        cam("range", azimuth_deg=0, hfov_deg=60, range_m=40),
        cam("both", azimuth_deg=0, hfov_deg=90, range_m=40, **LENS),
        cam("nothing", azimuth_deg=0, hfov_deg=60),
        cam("no_azimuth", hfov_deg=60, range_m=30),
        cam("dome", hfov_deg=360, range_m=15),
    ]
    ch = heads_from_cameras(cams, FRAME)
    assert ch.status == ["ok", "ok", "ok", "unknown_geometry", "unknown_geometry", "ok"]
    # lens → observe (21.36 m); range → 40; both → the head's own range; dome → 15.
    np.testing.assert_allclose(ch.heads.range_m, [21.357, 40, 40, 15], atol=1e-3)
    assert ch.heads.group.tolist() == [0, 1, 2, 5]
    ch = heads_from_cameras(cams, FRAME, level=Level.detect)
    np.testing.assert_allclose(ch.heads.range_m, [53.393, 40, 53.393, 15], atol=1e-3)
    assert ch.dori_m[Level.identify][0] == pytest.approx(5.339, abs=1e-3)
    assert np.isnan(ch.dori_m[Level.identify][1])


def test_four_head_unit_and_ptz():
    unit = cam("unit", heads=[{"azimuth_deg": a, "hfov_deg": 90, **LENS}
                              for a in (0, 90, 180, 270)])
    ptz = cam("ptz", type="ptz", heads=[{"azimuth_deg": 0, "hfov_deg": 40, "range_m": 80,
                                         "pan_min_deg": 300, "pan_max_deg": 60}])
    ch = heads_from_cameras([unit, ptz], FRAME)
    assert ch.heads.group.tolist() == [0, 0, 0, 0, 1]
    np.testing.assert_allclose(ch.heads.sweep_deg, [90, 90, 90, 90, 160])
    # Grid bearings: true bearing + 3.40° of meridian convergence at Rennes.
    assert ch.heads.start_deg[0] == pytest.approx(360 - 45 + 3.40, abs=0.05)
    assert ch.heads.start_deg[4] == pytest.approx(280 + 3.40, abs=0.05)


def test_cameras_geojson_reader(tmp_path):
    path = tmp_path / "cams.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.68, 48.11]},
         "properties": {"id": "C1", "azimuth_deg": 90, "hfov_deg": 60, "range_m": 30}},
        {"type": "Feature", "id": "C2", "geometry": {"type": "Point", "coordinates": [-1.67, 48.1]},
         "properties": {"heads": [{"hfov_deg": 360, "range_m": 10}]}},
    ]}))
    cams = read_cameras_geojson(path)
    assert [c.id for c in cams] == ["C1", "C2"]
    assert cams[0].heads[0].azimuth_deg == 90
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.68, 48.11]},
         "properties": {"id": "C1", "hfov_deg": 500}}]}))
    with pytest.raises(InputError, match=r"cams.geojson, line 1, field `heads.0.hfov_deg`"):
        read_cameras_geojson(path)
