"""Weighted displacement difference and quotient, against hand computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sentinelle.errors import InputError
from sentinelle.evaluate.counts import CountsTable
from sentinelle.evaluate.displacement import (
    WDQReading,
    estimate_displacement,
    read_wdq,
    weighted_displacement_difference,
)

Z95 = 1.959963984540054
KEYS = ("area", "treated_before", "treated_after", "control_before", "control_after")
BUFFER_KEYS = ("buffer_before", "buffer_after", "buffer_control_before", "buffer_control_after")


def table(*rows: tuple, harm: list[float] | None = None) -> CountsTable:
    records = []
    for i, r in enumerate(rows):
        keys = KEYS + (BUFFER_KEYS if len(r) == 9 else ())
        rec: dict[str, object] = dict(zip(keys, r, strict=True))
        if harm is not None:
            rec["harm_weight"] = harm[i]
        records.append(rec)
    return CountsTable.from_records(records)


BUFFERED = ("A", 30, 20, 50, 50, 40, 46, 60, 57)


def test_wdd_and_wdq_by_hand():
    # WDD = (20-30) - (50-50) + (46-40) - (57-60) = -10 - 0 + 6 + 3 = -1
    # var = 30+20+50+50+40+46+60+57 = 353
    # WDQ = (46/50 - 40/50) / (20/50 - 30/50) = 0.12 / -0.2 = -0.6
    r = estimate_displacement(table(BUFFERED))
    assert r.wdd == pytest.approx(-1.0)
    assert r.variance == pytest.approx(353.0)
    assert r.z == pytest.approx(-1 / math.sqrt(353))
    assert (r.ci_low, r.ci_high) == pytest.approx(
        (-1 - Z95 * math.sqrt(353), -1 + Z95 * math.sqrt(353))
    )
    assert r.wdq == pytest.approx(-0.6)
    assert r.success_measure == pytest.approx(-0.2)
    assert r.wdq_reading is WDQReading.displacement
    doc = r.to_json()
    assert {"wdd", "variance", "z", "ci_low", "ci_high", "wdq"} <= set(doc)
    assert doc["wdq_reading"] == "displacement"


def test_without_buffer_the_wdd_is_the_difference_in_differences():
    r = estimate_displacement(table(("A", 30, 20, 50, 50)))
    assert (r.wdd, r.variance) == (-10.0, 150.0)
    assert r.wdq is None and r.wdq_reading is None and not r.has_buffer
    assert r.to_json()["wdq"] is None


def test_time_weights_divide_counts_and_variance_by_the_square():
    # Before 12 months, after 6: (20/6 - 30/12) - (50/6 - 50/12) = 0.83333 - 4.16667 = -3.33333
    # var = 30/12² + 20/6² + 50/12² + 50/6² = 80/144 + 70/36 = 2.5
    r = estimate_displacement(table(("A", 30, 20, 50, 50)), time_weights=(12, 6))
    assert r.wdd == pytest.approx(-10 / 3)
    assert r.variance == pytest.approx(2.5)
    assert r.time_weights == (12.0, 6.0)


def test_area_weights_divide_each_area():
    # Weights T=2, C=4, B=1, BC=1: -10/2 - 0/4 + 6 + 3 = 4
    # var = 50/4 + 100/16 + 86 + 117 = 221.75
    r = estimate_displacement(table(BUFFERED), area_weights=(2, 4, 1, 1))
    assert r.wdd == pytest.approx(4.0)
    assert r.variance == pytest.approx(221.75)
    # The WDQ stays on counts (documented): area weights do not change it.
    assert r.wdq == pytest.approx(-0.6)


def test_harm_weights_multiply_rows_and_variance_by_the_square():
    # Row 1, h=2: (20-30) - (50-50) = -10, var 150 → -20, var 600
    # Row 2, h=0.5: (14-10) - (18-20) = 6, var 62 → 3, var 15.5
    r = estimate_displacement(table(("A", 30, 20, 50, 50), ("B", 10, 14, 20, 18), harm=[2, 0.5]))
    assert [(row.area, row.wdd, row.variance) for row in r.rows] == [
        ("A", -20.0, 600.0),
        ("B", 3.0, 15.5),
    ]
    assert r.wdd == pytest.approx(-17.0)
    assert r.variance == pytest.approx(615.5)
    # z = -17 / sqrt(615.5) = -0.685226; two-sided p = erfc(|z| / sqrt 2) = 0.4932
    assert r.z == pytest.approx(-0.685226, rel=1e-5)
    assert r.p_value == pytest.approx(math.erfc(17 / math.sqrt(615.5) / math.sqrt(2)))


def test_wdq_sums_harm_weighted_counts_over_rows():
    # Totals with weights 2 and 1: T0 = 60+10, T1 = 40+8, C0 = 100+40, C1 = 100+40,
    # B0 = 80+20, B1 = 92+30. WDQ = (122/140 - 100/140) / (48/140 - 70/140) = 22 / -22 = -1
    rows = (BUFFERED, ("B", 10, 8, 40, 40, 20, 30, 30, 30))
    r = estimate_displacement(table(*rows, harm=[2, 1]))
    assert r.wdq == pytest.approx(-1.0)
    assert r.wdq_reading is WDQReading.displacement


def test_undefined_wdq_when_a_control_count_is_zero():
    r = estimate_displacement(table(("A", 30, 20, 0, 5, 40, 46, 60, 57)))
    assert r.wdq is None
    assert r.wdq_reading is WDQReading.undefined
    assert r.wdd == pytest.approx(-10 - 5 + 6 + 3)


@pytest.mark.parametrize(
    ("wdq", "success", "reading"),
    [
        (1.5, -0.1, WDQReading.diffusion_greater_than_effect),
        (0.4, -0.1, WDQReading.diffusion),
        (0.0, -0.1, WDQReading.no_displacement),
        (-0.4, -0.1, WDQReading.displacement),
        (-1.0, -0.1, WDQReading.displacement),
        (-1.5, -0.1, WDQReading.displacement_greater_than_effect),
        (0.4, 0.1, WDQReading.no_success),
        (math.nan, -0.1, WDQReading.undefined),
    ],
)
def test_wdq_readings(wdq, success, reading):
    assert read_wdq(wdq, success) is reading


def test_vectorised_core_keeps_leading_axes():
    counts = np.arange(1, 3 * 2 * 8 + 1, dtype=float).reshape(3, 2, 8)
    out = weighted_displacement_difference(*np.moveaxis(counts, -1, 0))
    assert out.wdd.shape == (3,) and out.row_wdd.shape == (3, 2)
    np.testing.assert_allclose(out.variance, counts.sum(axis=(1, 2)))
    t0, t1, c0, c1, b0, b1, bc0, bc1 = np.moveaxis(counts, -1, 0)
    np.testing.assert_allclose(out.wdd, ((t1 - t0) - (c1 - c0) + (b1 - b0) - (bc1 - bc0)).sum(-1))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"time_weights": (12,)}, "time_weights"),
        ({"time_weights": (12, 0)}, "time_weights"),
        ({"area_weights": (1, 1, 1)}, "area_weights"),
        ({"area_weights": (1, 1, -1, 1)}, "area_weights"),
        ({"alpha": 0.0}, "alpha"),
    ],
)
def test_bad_weights(kwargs, match):
    with pytest.raises(InputError, match=match):
        estimate_displacement(table(BUFFERED), **kwargs)
