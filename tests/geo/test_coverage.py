import numpy as np
import pytest
import shapely

from sentinelle.geo.coverage import (
    coverage_matrix,
    dwellings_reached,
    network_coverage,
    street_cells,
    zone_coverage,
)
from sentinelle.geo.visibility import Heads, Obstacles, compute_visibility

STREET = shapely.LineString([(0, 0), (100, 0)])
CROSS = shapely.LineString([(50, -50), (50, 50)])


def test_street_length_covered_and_overlap_by_hand():
    # Camera A sees x 0..40, camera B x 20..60 of a 100 m street: covered 60 m (60 %);
    # they see 40 + 40 = 80 m in all, so 80 / 60 = 1.333 cameras per covered metre.
    a = shapely.box(0, -5, 40, 5)
    b = shapely.box(20, -5, 60, 5)
    cov = network_coverage([a, b], [STREET], intersections=[shapely.Point(50, 0),
                                                           shapely.Point(90, 0)])
    assert cov.street_m == pytest.approx(100)
    assert cov.covered_m == pytest.approx(60)
    assert cov.covered_pct == pytest.approx(60)
    assert cov.overlap == pytest.approx(80 / 60)
    assert (cov.intersections, cov.intersections_covered) == (2, 1)
    assert cov.visible_area_m2 == pytest.approx(600)
    np.testing.assert_allclose(cov.camera_street_m, [40, 40])


def test_no_camera_no_coverage():
    cov = network_coverage(np.array([shapely.Polygon()], dtype=object), [STREET])
    assert (cov.covered_m, cov.overlap, cov.covered_pct) == (0, 0, 0)


def test_zone_figures_by_hand():
    a = shapely.box(0, -5, 40, 5)
    zones = [shapely.box(-1, -60, 30, 60), shapely.box(30, -60, 101, 60), shapely.box(0, 80, 5, 90)]
    cov = network_coverage([a], [STREET, CROSS])
    zc = zone_coverage(zones, [STREET, CROSS], cov.covered_streets, [a])
    # Zone 1: 30 m of STREET, all seen. Zone 2: 70 m of STREET + 100 m of CROSS, 10 m seen.
    np.testing.assert_allclose(zc.street_m, [30, 170, 0])
    np.testing.assert_allclose(zc.covered_m, [30, 10, 0])
    np.testing.assert_allclose(zc.covered_pct, [100, 100 * 10 / 170, 0])
    assert zc.cameras.tolist() == [1, 1, 0]


def test_street_cells_are_at_most_25_m():
    cells, src = street_cells([STREET, CROSS], max_length_m=25)
    assert shapely.length(cells).max() <= 25 + 1e-9
    assert shapely.length(cells).sum() == pytest.approx(200)
    assert src.tolist() == [0] * 4 + [1] * 4


def test_candidate_by_cell_coverage_matrix():
    cells, _ = street_cells([STREET], max_length_m=25)  # four 25 m cells
    cand = [shapely.box(0, -5, 40, 5), shapely.box(60, -5, 100, 5), shapely.Polygon()]
    m = coverage_matrix(cand, cells)
    dense = m.to_csr().toarray()
    np.testing.assert_allclose(dense, [[1, 15 / 25, 0, 0], [0, 0, 15 / 25, 1], [0, 0, 0, 0]])
    np.testing.assert_array_equal(m.to_csr(min_fraction=0.9, binary=True).toarray(),
                                  [[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]])


def test_dwelling_facade_seen_by_a_camera():
    # A dwelling 10 m wide whose south face is 10 m north of a camera looking north: the
    # camera sees that face (10 m) and nothing of the other faces. A shop next to it is no
    # dwelling.
    home = shapely.box(-5, 10, 5, 20)
    shop = shapely.box(20, 10, 30, 20)
    obs = Obstacles.from_footprints([home, shop])
    heads = Heads.build([0], [0], azimuth_deg=0, hfov_deg=120, range_m=40)
    vis = compute_visibility(obs, heads).polygons
    reach = dwellings_reached(vis, [home, shop], [True, False])
    assert reach.camera.tolist() == [0]
    assert reach.building.tolist() == [0]
    # Within 5 cm of the view, a side wall is grazed for 0.05 / sin(26.6°) = 0.11 m.
    assert reach.facade_m[0] == pytest.approx(10.22, abs=0.05)
    per = reach.per_camera(1, dwellings=[12, np.nan])
    assert per["buildings"].tolist() == [1]
    assert per["dwellings"].tolist() == [12]
    away = compute_visibility(obs, Heads.build([0], [0], azimuth_deg=180, hfov_deg=90,
                                               range_m=40)).polygons
    assert dwellings_reached(away, [home, shop], [True, False]).camera.size == 0


def test_candidate_coverage_groups_heads_and_respects_occlusion():
    # Candidate 0: two heads at (10, 5) looking west and east along the street; candidate 1:
    # one head at (90, 5) looking west, with a wall at x = 70..72 across the street.
    from sentinelle.geo.coverage import candidate_coverage

    wall = shapely.box(70, -10, 72, 10)
    obs = Obstacles.from_footprints([wall])
    heads = Heads.build([10, 10, 90], [0, 0, 0], azimuth_deg=[270, 90, 270],
                        hfov_deg=[90, 90, 90], range_m=30, group=[0, 0, 1])
    cells, _ = street_cells([STREET], max_length_m=25)
    m, vis = candidate_coverage(obs, heads, cells)
    dense = m.to_csr().toarray()
    # Candidate 0 sees x 0..40: cells [0, 25) whole and [25, 50) for 15 m (to 4.6 mm: the
    # range arc is drawn with 2° chords, 30 × (1 − cos 1°) short between samples).
    np.testing.assert_allclose(dense[0], [1, 15 / 25, 0, 0], atol=2e-4)
    # Candidate 1 sees x 72..90 (the wall stops it): 3 m of cell 2, 15 m of cell 3.
    np.testing.assert_allclose(dense[1], [0, 0, 3 / 25, 15 / 25], atol=1e-6)
    assert vis.group.tolist() == [0, 0, 1]
