import numpy as np
import pytest
import shapely

from sentinelle.geo.crs import MetricFrame
from sentinelle.geo.visibility import Heads, Obstacles, compute_visibility, preview_visibility


def _vis(footprints, x=0.0, y=0.0, az=0.0, fov=90.0, r=30.0, **kw):
    obs = Obstacles.from_footprints(footprints)
    heads = Heads.build([x], [y], azimuth_deg=az, hfov_deg=fov, range_m=r)
    return compute_visibility(obs, heads, **kw)


def test_camera_facing_a_wall_at_10_m_sees_nothing_beyond_it():
    # Camera at the origin facing north (90° FOV, 30 m); wall from x=-10 to 10 at y=10..11.
    # Visible ground: the triangle (0,0), (-10,10), (10,10) of area 10 × 20 / 2 = 100 m².
    vis = _vis([shapely.box(-10, 10, 10, 11)])
    poly = vis.polygons[0]
    assert poly.area == pytest.approx(100.0, abs=1e-6)
    assert poly.bounds[3] == pytest.approx(10.0, abs=1e-9)
    assert not poly.intersects(shapely.Point(0, 10.5))  # the wall itself
    assert not poly.intersects(shapely.Point(2, 25))  # behind it
    assert poly.contains(shapely.Point(0, 9.9))
    assert vis.sources[0] == "buildings"


def test_a_corner_hides_exactly_the_expected_triangle():
    # Camera at (0,0) facing east (90° FOV, 30 m). A building occupies x ≥ 10, y ≥ 0
    # (its corner at (10,0)). Hidden: the building and the ground behind its west face, i.e.
    # the sector part with y ≥ 0 beyond x = 10, in the 45° wedge from bearing 45° to 90°.
    # Visible = the 45°-90° wedge's triangle (0,0),(10,0),(10,10) [area 50] + the
    # 90°-135° half of the sector (π·900/8 = 353.43) → 403.43 m².
    building = shapely.box(10, 0, 60, 60)
    vis = _vis([building], az=90, r=30, step_deg=0.1)
    assert vis.polygons[0].area == pytest.approx(50 + np.pi * 900 / 8, rel=2e-4)
    hidden = shapely.Polygon([(10, 0), (10, 10), (30 * np.sin(np.pi / 4), 30 * np.cos(np.pi / 4))])
    assert not vis.polygons[0].intersects(shapely.buffer(hidden, -1e-3))
    assert vis.polygons[0].contains(shapely.Point(9.9, 9.8))


def test_box_shadow_wedge():
    # A 10 m square (5..15, 5..15) seen from the origin, 360°, 30 m. Its shadow plus the box
    # is the wedge between bearings atan(5/15) and atan(15/5) (53.13°) beyond the two front
    # faces: π·900·53.13/360 − 50 = 367.3 m².
    vis = _vis([shapely.box(5, 5, 15, 15)], az=np.nan, fov=360, step_deg=0.1)
    wedge = 0.5 * 900 * (np.arctan(3) - np.arctan(1 / 3))
    assert np.pi * 900 - vis.polygons[0].area == pytest.approx(wedge - 50, rel=1e-4)


def test_building_holding_the_camera_is_not_an_obstacle():
    # A camera fixed on a façade, drawn inside the footprint, looks out of it.
    wall = shapely.box(-5, -5, 5, 0.2)
    vis = _vis([wall], y=0.0, az=0, fov=90, r=10)
    assert vis.polygons[0].area == pytest.approx(np.pi * 100 / 4, rel=1e-3)


def test_exact_sweep_agrees_with_brute_force_line_of_sight():
    rng = np.random.default_rng(7)
    centres = rng.uniform(-40, 40, size=(25, 2))
    boxes = shapely.box(centres[:, 0], centres[:, 1], centres[:, 0] + rng.uniform(2, 8, 25),
                        centres[:, 1] + rng.uniform(2, 8, 25))
    boxes = boxes[~shapely.intersects(boxes, shapely.Point(0, 0).buffer(1))]
    vis = _vis(boxes, az=30, fov=120, r=45, step_deg=0.5).polygons[0]
    blocked = shapely.union_all(boxes)
    shapely.prepare(blocked)
    pts = rng.uniform(-45, 45, size=(3000, 2))
    ang = np.degrees(np.arctan2(pts[:, 0], pts[:, 1])) % 360
    in_sector = (np.hypot(*pts.T) < 45) & (((ang - (30 - 60)) % 360) < 120)
    pts = pts[in_sector]
    sight = shapely.linestrings(np.stack([np.zeros_like(pts), pts], axis=1))
    seen = ~shapely.intersects(sight, blocked)
    inside = shapely.contains_xy(vis, pts[:, 0], pts[:, 1])
    assert (seen == inside).mean() > 0.995


def test_chunked_and_whole_runs_agree():
    rng = np.random.default_rng(3)
    c = rng.uniform(0, 200, size=(60, 2))
    boxes = shapely.box(c[:, 0], c[:, 1], c[:, 0] + 6, c[:, 1] + 9)
    obs = Obstacles.from_footprints(boxes)
    p = rng.uniform(0, 200, size=(40, 2))
    heads = Heads.build(p[:, 0], p[:, 1], azimuth_deg=rng.uniform(0, 360, 40),
                        hfov_deg=rng.uniform(30, 360, 40), range_m=40)
    a = compute_visibility(obs, heads).areas_m2
    b = compute_visibility(obs, heads, max_pairs=500).areas_m2
    np.testing.assert_allclose(a, b)


def test_azimuth_is_a_true_north_bearing_in_lambert93():
    # At Rennes grid north is 3.4° off true north: a 2° head pointing true north must see a
    # post 40 m due north (same longitude), and miss it if bearings were taken as grid ones.
    frame = MetricFrame.from_crs(2154)
    lon, lat = -1.68, 48.11
    post_lat = lat + 40 / 111_200
    px, py = frame.to_metric([lon], [post_lat])
    obs = Obstacles.from_footprints([])
    vis, _ = preview_visibility(obs, frame, lon=lon, lat=lat,
                                heads=[{"azimuth_deg": 0, "hfov_deg": 2}], range_m=60)
    assert vis.contains(shapely.Point(lon, post_lat))
    x, y = frame.to_metric([lon], [lat])
    grid = Heads.build(x, y, azimuth_deg=0, hfov_deg=2, range_m=60)  # no frame: grid bearing
    gvis = compute_visibility(obs, grid).polygons[0]
    assert not gvis.contains(shapely.Point(px[0], py[0]))
    east, _ = preview_visibility(obs, frame, lon=lon, lat=lat,
                                 heads=[{"azimuth_deg": 90, "hfov_deg": 10}], range_m=60)
    assert east.contains(shapely.Point(lon + 30 / 74_300, lat))


def test_heads_of_one_camera_are_united_and_sources_combined():
    b = shapely.box(10, -5, 12, 5)
    blk = shapely.box(-12, -5, -10, 5)
    obs = Obstacles.from_footprints([b], [blk])
    heads = Heads.build([0, 0], [0, 0], azimuth_deg=[90, 270], hfov_deg=90, range_m=20,
                        group=[0, 0])
    vis = compute_visibility(obs, heads)
    assert list(vis.sources) == ["buildings", "derived_blocks"]
    polys, src = vis.by_camera()
    assert src[0] == "mixed"
    assert polys[0].area == pytest.approx(vis.areas_m2.sum(), rel=1e-9)
