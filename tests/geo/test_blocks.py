import numpy as np
import pytest
import shapely

from sentinelle.geo.blocks import derive_blocks, find_intersections, half_widths


def _grid():
    # Three north-south and three east-west residential streets 100 m apart, sharing a vertex
    # wherever they cross (as OSM ways do).
    lines, hw = [], []
    for v in (0, 100, 200):
        lines.append(shapely.LineString([(v, 0), (v, 100), (v, 200)]))
        lines.append(shapely.LineString([(0, v), (100, v), (200, v)]))
        hw += ["residential", "residential"]
    return np.array(lines, dtype=object), np.array(hw, dtype=object)


def test_blocks_are_the_enclosed_faces_set_back_by_the_half_width():
    # Four 100 × 100 faces; residential half-width 5 m: each block is 90 × 90 = 8100 m².
    lines, hw = _grid()
    blocks = derive_blocks(lines, hw, simplify_m=0)
    assert len(blocks) == 4
    np.testing.assert_allclose(sorted(shapely.area(blocks)), [8100] * 4, rtol=1e-6)


def test_wider_roads_set_blocks_further_back():
    lines, hw = _grid()
    hw = hw.copy()
    hw[1] = "primary"  # the y = 0 street: 9 m half-width instead of 5
    blocks = derive_blocks(lines, hw, simplify_m=0)
    assert sorted(np.round(shapely.area(blocks))) == [90 * 86, 90 * 86, 8100, 8100]
    assert half_widths(["primary_link", "unknown"]).tolist() == [9.0, 4.0]


def test_a_block_holding_a_real_building_is_left_to_the_building():
    lines, hw = _grid()
    building = shapely.box(20, 20, 40, 40)
    blocks = derive_blocks(lines, hw, buildings=[building], simplify_m=0)
    assert len(blocks) == 3
    assert not shapely.intersects(blocks, building).any()


def test_intersections_are_nodes_where_three_street_ends_meet():
    # Centre cross (degree 4) and four T-junctions on the edges (degree 3); the corners join
    # two street ends only.
    lines, hw = _grid()
    pts = find_intersections(lines, hw)
    got = sorted(map(tuple, np.round(shapely.get_coordinates(pts))))
    assert got == [(0, 100), (100, 0), (100, 100), (100, 200), (200, 100)]
    # Footways are left out of the count.
    hw2 = hw.copy()
    hw2[:] = "footway"
    assert find_intersections(lines, hw2).size == 0


def test_a_roundabout_passed_through_is_no_intersection():
    ring = shapely.LineString([(0, 0), (10, 0), (10, 10), (0, 0)])
    assert find_intersections([ring], ["residential"]).size == 0
    spur = shapely.LineString([(10, 0), (20, 0)])
    pts = find_intersections([ring, spur], ["residential", "residential"])
    assert [tuple(p) for p in shapely.get_coordinates(pts)] == [pytest.approx((10, 0))]
