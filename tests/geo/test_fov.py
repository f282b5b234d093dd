import numpy as np
import pytest
import shapely

from sentinelle.geo.fov import head_sweep, sector_polygons


def test_fixed_head_sector():
    start, sweep = head_sweep(90, 60)
    assert (start[0], sweep[0]) == (60, 60)


def test_ptz_pan_range_crossing_north():
    # Pans from 300° to 60° (clockwise, through north) with a 40° lens: 280° → 80°.
    start, sweep = head_sweep(0, 40, pan_min_deg=300, pan_max_deg=60)
    assert start[0] == pytest.approx(280)
    assert sweep[0] == pytest.approx(160)


def test_full_circle_from_fov_or_pan():
    start, sweep = head_sweep([np.nan, 10], [360, 60], pan_min_deg=[np.nan, 0],
                              pan_max_deg=[np.nan, 360])
    assert list(sweep) == [360, 360]
    assert list(start) == [0, 0]


def test_azimuth_convention_zero_north_clockwise():
    # Bearing 0 looks to +y (north), 90 to +x (east).
    north, east, south = sector_polygons([0, 0, 0], [0, 0, 0], [-5, 85, 175], [10, 10, 10], 10)
    assert north.contains(shapely.Point(0, 9))
    assert east.contains(shapely.Point(9, 0))
    assert south.contains(shapely.Point(0, -9))
    assert not east.contains(shapely.Point(-9, 0))


def test_sector_area_matches_the_disc():
    polys = sector_polygons([0, 0], [0, 0], [0, 0], [90, 360], 10, step_deg=0.5)
    assert shapely.area(polys)[0] == pytest.approx(np.pi * 100 / 4, rel=1e-4)
    assert shapely.area(polys)[1] == pytest.approx(np.pi * 100, rel=1e-4)
