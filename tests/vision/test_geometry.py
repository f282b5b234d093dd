"""Image geometry per head: masks on pixels, the homography, the store, the CLI, and R07."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.compliance.masks import DwellingView, Mask, unmasked_in_image_m
from sentinelle.compliance.rules import run_rules
from sentinelle.compliance.snapshot import Snapshot
from sentinelle.errors import InputError, NotFoundError
from sentinelle.registry.camera import Camera
from sentinelle.vision.geometry import (
    GeometryStore,
    HeadGeometry,
    apply_masks,
    fit_homography,
    mask_raster,
)

runner = CliRunner()
LON, LAT = -1.68, 48.11
W, H = 768, 576
TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


class Pinhole:
    """A synthetic camera `height` m above the ground at (LON, LAT), looking along `bearing`
    (degrees from grid north, clockwise), tilted down by `tilt` degrees, focal `f` pixels."""

    def __init__(self, bearing: float = 90.0, tilt: float = 15.0, height: float = 6.0,
                 f: float = 500.0) -> None:
        self.p = np.array([*TO_L93.transform(LON, LAT), height])
        b, t = np.radians(bearing), np.radians(tilt)
        d = np.array([np.sin(b), np.cos(b)])
        self.fwd = np.array([d[0] * np.cos(t), d[1] * np.cos(t), -np.sin(t)])
        self.right = np.array([d[1], -d[0], 0.0])
        self.down = -np.cross(self.right, self.fwd)
        self.f = f

    def pixel(self, x: float, y: float) -> tuple[float, float]:
        v = np.array([x, y, 0.0]) - self.p
        z = v @ self.fwd
        return (W / 2 + self.f * (v @ self.right) / z, H / 2 + self.f * (v @ self.down) / z)

    def pairs(self) -> list[dict]:
        out = []
        bx, by = self.p[0], self.p[1]
        for ahead, side in [(10, -4), (10, 4), (20, -8), (20, 8), (40, -10), (40, 10)]:
            gx = bx + ahead * self.fwd[0] / np.hypot(*self.fwd[:2]) + side * self.right[0]
            gy = by + ahead * self.fwd[1] / np.hypot(*self.fwd[:2]) + side * self.right[1]
            out.append({"pixel": list(self.pixel(gx, gy)), "map": [gx, gy]})
        return out


def geometry(cam: Pinhole | None = None, masks=(), mode="on_camera", camera_id="C1"):
    cam = cam or Pinhole()
    pairs = cam.pairs()
    h = fit_homography([p["pixel"] for p in pairs], [p["map"] for p in pairs])
    from sentinelle.vision.geometry import PointPair

    return HeadGeometry(camera_id, 0, W, H, [list(map(tuple, m)) for m in masks], mode,
                        [PointPair(tuple(p["pixel"]), tuple(p["map"])) for p in pairs], h)


# -- masks on pixels --------------------------------------------------------------------------

def test_apply_masks_fills_every_pixel_a_mask_touches_and_nothing_else():
    frame = np.full((100, 200, 3), 200, np.uint8)
    mask = [(0.1, 0.2), (0.3, 0.2), (0.3, 0.5), (0.1, 0.5)]  # x 20–60, y 20–50
    out = apply_masks(frame, [mask])
    assert out is frame
    assert (frame[20:50, 20:60] == 0).all()
    assert (frame[:19] == 200).all() and (frame[51:] == 200).all()
    assert (frame[:, :19] == 200).all() and (frame[:, 61:] == 200).all()
    # a triangle: its inside filled, the opposite corner of its box untouched
    tri = np.full((100, 100), 255, np.uint8)
    apply_masks(tri, [[(0, 0), (1, 0), (0, 1)]])
    assert tri[10, 10] == 0 and tri[90, 90] == 255
    assert mask_raster((100, 100), [[(0, 0), (1, 0), (0, 1)]]).sum() > 4900


def test_a_partly_covered_pixel_is_filled():
    frame = np.full((10, 10), 9, np.uint8)
    apply_masks(frame, [[(0.0, 0.0), (0.42, 0.0), (0.42, 0.42), (0.0, 0.42)]])  # 4.2 px
    assert (frame[:5, :5] == 0).all() and (frame[6:, 6:] == 9).all()


# -- homography -------------------------------------------------------------------------------

def test_homography_maps_pixels_to_the_ground_and_back():
    cam = Pinhole()
    g = geometry(cam)
    assert g.rms_error_m() < 1e-6
    gx, gy = cam.p[0] + 30, cam.p[1] + 3
    u, v = cam.pixel(gx, gy)
    assert np.allclose(g.image_to_ground([[u, v]]), [[gx, gy]], atol=1e-4)
    assert np.allclose(g.ground_to_image([[gx, gy]]), [[u, v]], atol=1e-4)
    # the ground the image shows lies in front of the camera (east), not behind it
    vis = g.visible_ground()
    assert vis.area > 100 and vis.centroid.x > cam.p[0]
    assert not vis.contains(shapely.Point(cam.p[0] - 20, cam.p[1]))


@pytest.mark.parametrize("pixels, ground, reason", [
    ([[0, 0], [1, 1], [2, 2]], [[0, 0], [1, 1], [2, 2]], "at least 4 point pairs, got 3"),
    ([[0, 0], [1, 1], [2, 2], [3, 3]], [[0, 0], [1, 0], [0, 1], [1, 1]], "pixels lie on one line"),
    ([[0, 0], [10, 0], [0, 10], [10, 10]], [[0, 0], [1, 1], [2, 2], [3, 3]],
     "map points lie on one line"),
])
def test_degenerate_pairs_are_refused(pixels, ground, reason):
    with pytest.raises(InputError, match=reason):
        fit_homography(pixels, ground)


# -- store ------------------------------------------------------------------------------------

def test_store_round_trip_and_validation(db):
    st = GeometryStore(db)
    assert st.get("C1") is None
    cam = Pinhole()
    mask = [[0.0, 0.0], [0.5, 0.0], [0.5, 0.25]]
    g = st.set("C1", 0, image_width=W, image_height=H, masks=[mask], mask_mode="encoder",
               points=cam.pairs(), updated_by="cli:test")
    again = st.get("C1", 0)
    assert again is not None and again.masks == [[(0.0, 0.0), (0.5, 0.0), (0.5, 0.25)]]
    assert again.mask_mode == "encoder" and len(again.points) == 6
    assert np.allclose(again.homography, g.homography) and again.rms_error_m() < 1e-6
    st.set("C1", 1, image_width=640, image_height=480, masks=[])
    assert [x.head for x in st.all(camera_id="C1")] == [0, 1]
    assert st.get("C1", 1).homography is None

    bad = [
        (dict(masks=[[[0, 0], [1.2, 0], [0, 1]]]), r"masks\[0\]\[1\]: \(1.2, 0.0\) is outside"),
        (dict(masks=[[[0, 0], [1, 0]]]), r"masks\[0\]: a polygon needs at least 3 points"),
        (dict(masks=[[[0, 0], [1, 1], [1, 0], [0, 1]]]), r"masks\[0\]: the polygon crosses"),
        (dict(mask_mode="paint"), "mask_mode: 'paint'"),
        (dict(points=cam.pairs()[:3]), "at least 4 point pairs"),
        (dict(points=[{"pixel": [900, 10], "map": [0, 0]}] * 4), r"points\[0\].pixel"),
        (dict(points=[dict(p, map=[p["map"][0] + (30 if i == 0 else 0), p["map"][1]])
                      for i, p in enumerate(cam.pairs())]), "disagree with the fitted"),
    ]
    for kw, msg in bad:
        with pytest.raises(InputError, match=msg):
            st.set("C1", 0, image_width=W, image_height=H, **kw)
    # nothing half-written: head 0 is as it was
    assert st.get("C1", 0).mask_mode == "encoder" and len(st.get("C1", 0).masks) == 1
    st.delete("C1", 1)
    with pytest.raises(NotFoundError):
        st.delete("C1", 1)


# -- CLI --------------------------------------------------------------------------------------

def test_cli_set_show_clear(home, tmp_path):
    cams = tmp_path / "cams.geojson"
    cams.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [LON, LAT]},
        "properties": {"id": "C1", "azimuth_deg": 90, "hfov_deg": 60}}]}))
    res = runner.invoke(app, ["cameras", "import", str(cams)])
    assert res.exit_code == 0, res.output
    f = tmp_path / "geom.json"
    f.write_text(json.dumps({"image_width": W, "image_height": H, "mask_mode": "encoder",
                             "masks": [[[0, 0], [0.3, 0], [0.3, 0.2], [0, 0.2]]],
                             "points": Pinhole().pairs()}))
    res = runner.invoke(app, ["cameras", "geometry", "set", "C1", str(f)])
    assert res.exit_code == 0, res.output
    assert "1 mask(s) (encoder), homography from 6 pairs" in res.output
    res = runner.invoke(app, ["cameras", "geometry", "show", "C1", "--json"])
    shown = json.loads(res.output)
    assert shown[0]["head"] == 0 and shown[0]["map_crs"] == "EPSG:2154"
    assert shown[0]["rms_error_m"] == 0.0
    # a head the camera does not have, an unknown camera, a bad file: clear errors, exit ≠ 0
    res = runner.invoke(app, ["cameras", "geometry", "set", "C1", str(f), "--head", "1"])
    assert res.exit_code != 0 and "--head 1: camera C1 has 1 head(s)" in res.output
    res = runner.invoke(app, ["cameras", "geometry", "set", "NOPE", str(f)])
    assert res.exit_code != 0 and "NOPE" in res.output
    f.write_text(json.dumps({"image_width": W, "image_height": H, "maskz": []}))
    res = runner.invoke(app, ["cameras", "geometry", "set", "C1", str(f)])
    assert res.exit_code == 2 and "unknown field(s) maskz" in res.output
    res = runner.invoke(app, ["audit", "list", "--json"])
    assert "image_geometry" in res.output
    res = runner.invoke(app, ["cameras", "geometry", "clear", "C1"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["cameras", "geometry", "show", "C1", "--json"])
    assert json.loads(res.output) == []


# -- R07 with a homography --------------------------------------------------------------------

def _view() -> DwellingView:
    """A dwelling façade 22 m east of the camera, running 22 m north."""
    facade = shapely.LineString([(LON + 0.0003, LAT - 0.0001), (LON + 0.0003, LAT + 0.0001)])
    building = shapely.box(LON + 0.0003, LAT - 0.0001, LON + 0.0005, LAT + 0.0001)
    return DwellingView("C1", "B1", 12.0, 22.0, facade, building)


def _facade_in_image(g: HeadGeometry) -> shapely.Polygon:
    line = shapely.transform(_view().facade,
                             lambda xy: np.column_stack(TO_L93.transform(xy[:, 0], xy[:, 1])))
    part = shapely.intersection(line, g.visible_ground())
    img = shapely.transform(part, lambda xy: g.ground_to_image(xy) / [W, H])
    return shapely.intersection(shapely.buffer(img, 0.02), shapely.box(0, 0, 1, 1))


def _snapshot(g: HeadGeometry | None) -> Snapshot:
    cam = Camera.model_validate({"id": "C1", "lon": LON, "lat": LAT,
                                 "heads": [{"azimuth_deg": 90, "hfov_deg": 60}]})
    return Snapshot(today=date(2026, 6, 1), cameras=[cam], dwellings={"C1": [_view()]},
                    head_geometries={"C1": [g]} if g else {})


def _r07(s: Snapshot):
    return [f for f in run_rules(s, rules=["R07"])]


def test_r07_projects_the_facade_into_the_image_and_checks_the_image_masks():
    g = geometry()
    seen = unmasked_in_image_m(_view(), [g])
    assert 5 < seen <= 22.5  # the façade is partly in the image
    f = _r07(_snapshot(g))
    assert len(f) == 1 and f[0].severity == "violation" and f[0].evidence["checked"] == "image"
    assert "dans l'image" in f[0].message

    cover = _facade_in_image(g)
    masked = replace(g, masks=[list(cover.exterior.coords)[:-1]])
    assert unmasked_in_image_m(_view(), [masked]) < 1.0
    assert _r07(_snapshot(masked)) == []

    elsewhere = replace(g, masks=[[(0.0, 0.0), (0.2, 0.0), (0.2, 0.1), (0.0, 0.1)]])
    assert len(_r07(_snapshot(elsewhere))) == 1

    # image masks applied by software only: R08 warns
    overlay = replace(masked, mask_mode="overlay")
    assert [x.severity for x in _r07(_snapshot(overlay))] == ["warning"]

    # ground masks still count: a ground mask over the façade clears it as well
    ground = Mask(1, "C1", _view().suggested_mask(), "on_camera", None, None, "dpo")
    s = replace(_snapshot(g), masks=[ground])
    assert _r07(s) == []


def test_r07_a_calibrated_camera_looking_away_does_not_show_the_facade():
    away = geometry(Pinhole(bearing=270))
    assert unmasked_in_image_m(_view(), [away]) == 0.0
    assert _r07(_snapshot(away)) == []
    # without a homography the map alone decides: the façade is reached, unmasked
    f = _r07(_snapshot(None))
    assert len(f) == 1 and f[0].evidence["checked"] == "map"


def test_geometry_file_with_wgs84_map_points_is_projected_to_lambert93(tmp_path):
    from sentinelle.vision.geometry import load_geometry_file

    to_wgs = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    pairs = Pinhole().pairs()
    wgs = [{"pixel": p["pixel"], "map": list(to_wgs.transform(*p["map"]))} for p in pairs]
    f = tmp_path / "g.json"
    f.write_text(json.dumps({"image_width": W, "image_height": H, "points": wgs,
                             "map_crs": "EPSG:4326"}))
    doc = load_geometry_file(f)
    assert np.allclose([p["map"] for p in doc["points"]], [p["map"] for p in pairs], atol=0.01)
    f.write_text(json.dumps({"image_width": W, "image_height": H, "map_crs": "EPSG:3857"}))
    with pytest.raises(InputError, match="field `map_crs`: 'EPSG:3857'"):
        load_geometry_file(f)
    f.write_text("{not json")
    with pytest.raises(InputError, match="not JSON"):
        load_geometry_file(f)
