"""Minimal detectable effects: hand computation, statsmodels, and the verdict."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.power import NormalIndPower

from sentinelle.errors import InputError
from sentinelle.evaluate.counts import CountsTable, read_counts
from sentinelle.evaluate.power import (
    detectable_effects,
    minimal_detectable_log_or,
    power_at,
    reduction_to_odds_ratio,
)

KEYS = ("area", "treated_before", "treated_after", "control_before", "control_after")


def table(*rows: tuple) -> CountsTable:
    return CountsTable.from_records([dict(zip(KEYS, r, strict=True)) for r in rows])


def hundreds(k: int) -> CountsTable:
    return table(*[(f"Z{i}", 100, 100, 100, 100) for i in range(k)])


def test_one_area_by_hand():
    # var = 4/100 = 0.04; z_0.975 + z_0.80 = 1.959964 + 0.841621 = 2.801585
    # δ_min = 2.801585 * 0.2 = 0.560317; OR_min = e^0.560317 = 1.751228
    # smallest detectable fall = (1 - e^-0.560317) * 100 = 42.897 %
    r = detectable_effects(hundreds(1))
    a = r.areas[0]
    assert a.variance == pytest.approx(0.04)
    assert a.mde_log_or == pytest.approx(0.5603170, rel=1e-6)
    assert a.mde_odds_ratio == pytest.approx(1.7512276, rel=1e-6)
    assert a.mde_reduction_pct == pytest.approx(42.897201, rel=1e-6)
    # A 16 % fall is OR 1/0.84 = 1.190476: power Φ(ln(1.190476)/0.2 - 1.96) + tail = 0.14057
    assert a.target_odds_ratio == pytest.approx(1 / 0.84)
    assert a.power_at_target == pytest.approx(0.1405689, rel=1e-5)
    assert not a.can_answer and not r.can_answer


def test_pooling_divides_the_variance():
    # Four identical areas: fixed variance 0.04/4 = 0.01, δ_min = 0.280159, fall 24.434 %
    r = detectable_effects(hundreds(4))
    assert r.fixed.variance == pytest.approx(0.01)
    assert r.fixed.mde_reduction_pct == pytest.approx(24.433606, rel=1e-6)
    assert r.tau2 == 0 and r.random.variance == pytest.approx(r.fixed.variance)
    assert not r.can_answer
    # 25 areas: variance 0.0016, δ_min = 0.112063 < ln(1/0.84) = 0.174353: it can answer.
    big = detectable_effects(hundreds(25))
    assert big.fixed.mde_log_or == pytest.approx(2.8015852 * 0.04, rel=1e-6)
    assert big.can_answer
    assert big.pooled.power_at_target > 0.8


def test_power_at_the_mde_is_the_power_asked_for():
    v = 0.037
    for power in (0.5, 0.8, 0.9):
        delta = minimal_detectable_log_or(v, alpha=0.05, power=power)
        # The far tail Φ(-δ/se - z) adds at most α/2 = 0.025, in practice much less.
        assert power_at(delta, v) == pytest.approx(power, abs=2e-3)
        assert power_at(delta, v) >= power


def test_power_matches_statsmodels_normal_power():
    # A z-test of one estimate with standard error se: effect size δ/se with nobs1 = 1.
    for v, delta, alpha in ((0.04, 0.3, 0.05), (0.01, 0.174353, 0.05), (0.2, 0.5, 0.10)):
        sm = NormalIndPower().power(effect_size=delta / math.sqrt(v), nobs1=1, alpha=alpha, ratio=0)
        assert power_at(delta, v, alpha=alpha) == pytest.approx(sm, rel=1e-9)
    es = NormalIndPower().solve_power(effect_size=None, nobs1=1, alpha=0.05, power=0.8, ratio=0)
    assert minimal_detectable_log_or(1.0) == pytest.approx(es, rel=1e-5)


def test_heterogeneity_widens_the_random_effects_mde():
    r = detectable_effects(
        table(("A", 142, 80, 410, 402), ("B", 88, 95, 236, 229), ("C", 35, 12, 120, 131))
    )
    assert r.tau2 > 0
    assert r.random.mde_log_or > r.fixed.mde_log_or
    assert r.pooled is r.random


def test_verdict_says_plainly_when_the_data_cannot_answer():
    lines = detectable_effects(hundreds(4)).verdict()
    assert lines[0].startswith("These data cannot detect an effect smaller than 24 %")
    assert "cannot answer whether the cameras cut crime by 16 %" in lines[1]
    assert "only 41 %" in lines[1]  # Φ(0.174353/0.1 - 1.959964) = Φ(-0.2164) = 0.414
    ok = detectable_effects(hundreds(25)).verdict()
    assert ok[0].startswith("These data cannot detect an effect smaller than 11 %")
    assert "They can answer whether the cameras cut crime by 16 %" in ok[1]


def test_zero_counts_are_flagged():
    r = detectable_effects(table(("A", 0, 3, 10, 12), ("B", 50, 40, 60, 60)))
    assert r.areas[0].continuity_correction and not r.areas[1].continuity_correction
    assert any("zero count" in line for line in r.verdict())


def test_overdispersion_and_target_options():
    base = detectable_effects(hundreds(1))
    over = detectable_effects(hundreds(1), overdispersion=2.0)
    assert over.areas[0].mde_log_or == pytest.approx(base.areas[0].mde_log_or * math.sqrt(2))
    assert reduction_to_odds_ratio(16) == pytest.approx(1.1904762, rel=1e-6)
    easy = detectable_effects(hundreds(1), target_reduction_pct=50)
    assert easy.can_answer  # 50 % is more than the 42.9 % it can detect


def test_json(example_counts):
    doc = detectable_effects(read_counts(example_counts)).to_json()
    assert {"areas", "fixed", "random", "can_answer", "verdict", "alpha", "power"} <= set(doc)
    assert {"area", "mde_odds_ratio", "mde_reduction_pct", "power_at_target", "can_answer"} <= set(
        doc["areas"][0]
    )
    assert doc["target_odds_ratio"] == pytest.approx(1 / 0.84)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"power": 1.0}, "power"),
        ({"target_reduction_pct": 0}, "target_reduction_pct"),
        ({"target_reduction_pct": 100}, "target_reduction_pct"),
        ({"alpha": -0.1}, "alpha"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(InputError, match=match):
        detectable_effects(hundreds(1), **kwargs)
