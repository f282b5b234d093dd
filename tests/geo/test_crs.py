import numpy as np
import pytest

from sentinelle.geo.crs import MetricFrame, metric_crs, utm_epsg


def test_lambert93_in_metropolitan_france_utm_elsewhere():
    assert metric_crs(-1.68, 48.11).to_epsg() == 2154  # Rennes
    assert metric_crs(9.45, 42.70).to_epsg() == 2154  # Bastia, Corsica
    assert metric_crs(55.45, -20.88).to_epsg() == 32740  # Saint-Denis, La Réunion
    assert metric_crs(-61.07, 14.60).to_epsg() == 32620  # Fort-de-France, Martinique
    assert utm_epsg(-52.33, 4.94) == 32622  # Cayenne


def test_round_trip_and_geographic_crs_refused():
    frame = MetricFrame.for_bounds((-1.70, 48.10, -1.66, 48.12))
    x, y = frame.to_metric([-1.68], [48.11])
    lon, lat = frame.to_wgs84(x, y)
    assert lon[0] == pytest.approx(-1.68, abs=1e-9)
    assert lat[0] == pytest.approx(48.11, abs=1e-9)
    with pytest.raises(ValueError, match="not projected"):
        MetricFrame.from_crs(4326)


def test_true_north_points_east_of_grid_north_west_of_lambert93_central_meridian():
    # Lambert-93's central meridian is 3°E; at Rennes (1.68°W) the meridian convergence is
    # about (3 + 1.68) × sin(46.5°) ≈ 3.4°, true north lying clockwise of grid north.
    frame = MetricFrame.from_crs(2154)
    x, y = frame.to_metric([-1.68], [48.11])
    conv = frame.convergence_deg(x, y)[0]
    assert conv == pytest.approx(4.68 * np.sin(np.radians(46.52)), abs=0.05)
    # On the central meridian true and grid north agree.
    x0, y0 = frame.to_metric([3.0], [46.5])
    assert frame.convergence_deg(x0, y0)[0] == pytest.approx(0.0, abs=1e-6)
