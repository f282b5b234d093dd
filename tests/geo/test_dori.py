import numpy as np
import pytest

from sentinelle.geo.dori import Level, dori_distances_m, hfov_deg_from_lens, parse_level
from sentinelle.registry.camera import Head


def test_worked_lens_gives_the_expected_dori_distances():
    # 2.8 mm lens, 5.37 mm wide sensor, 2560 px: D = 2.8 × 2560 / (5.37 × ppm)
    # detect 25 px/m: 7168 / 134.25 = 53.39 m; observe 62.5: 21.36 m;
    # recognise 125: 10.68 m; identify 250: 5.34 m.
    d = dori_distances_m(2.8, 2560, 5.37)
    assert float(d[Level.detect]) == pytest.approx(53.393, abs=1e-3)
    assert float(d[Level.observe]) == pytest.approx(21.357, abs=1e-3)
    assert float(d[Level.recognise]) == pytest.approx(10.679, abs=1e-3)
    assert float(d[Level.identify]) == pytest.approx(5.339, abs=1e-3)


def test_telephoto_lens_and_missing_values():
    # 12 mm, 1920 px, 1/2.8" sensor (5.12 mm): identify at 12 × 1920 / (5.12 × 250) = 18 m.
    d = dori_distances_m(np.array([12.0, np.nan]), 1920, 5.12)
    assert d[Level.identify][0] == pytest.approx(18.0)
    assert np.isnan(d[Level.identify][1])


def test_hfov_from_lens_matches_the_registry_model():
    # 2·atan(5.37 / 5.6) = 2 × 43.799° = 87.598°
    assert float(hfov_deg_from_lens(2.8, 5.37)) == pytest.approx(87.598, abs=0.001)
    head = Head(focal_mm=2.8, sensor_width_mm=5.37, image_width_px=2560)
    assert head.hfov_deg == pytest.approx(float(hfov_deg_from_lens(2.8, 5.37)), abs=1e-3)


def test_unknown_level_lists_the_valid_ones():
    with pytest.raises(ValueError, match="detect', 'observe', 'recognise', 'identify"):
        parse_level("identity")
