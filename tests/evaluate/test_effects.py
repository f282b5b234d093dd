"""Relative effect sizes and their pooling: hand-computed cases and statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable, Table2x2
from statsmodels.stats.meta_analysis import combine_effects

from sentinelle.errors import InputError
from sentinelle.evaluate.counts import CountsTable, read_counts
from sentinelle.evaluate.effects import (
    estimate_effects,
    log_relative_effects,
    pool_log_effects,
)

Z95 = 1.959963984540054


def table(*rows: tuple[str, int, int, int, int]) -> CountsTable:
    keys = ("area", "treated_before", "treated_after", "control_before", "control_after")
    return CountsTable.from_records([dict(zip(keys, r, strict=True)) for r in rows])


def test_one_area_by_hand():
    # a=100, b=80, c=200, d=200: OR = (100*200)/(80*200) = 1.25, a 20 % relative fall.
    # var = 1/100 + 1/80 + 1/200 + 1/200 = 0.01 + 0.0125 + 0.005 + 0.005 = 0.0325
    # CI = exp(ln 1.25 ± 1.96 * sqrt(0.0325)) = exp(0.223144 ± 0.353337) = (0.877925, 1.779765)
    r = estimate_effects(table(("A", 100, 80, 200, 200)))
    e = r.areas[0]
    assert e.odds_ratio == pytest.approx(1.25)
    assert e.variance == pytest.approx(0.0325)
    assert e.percent_change == pytest.approx(-20.0)
    assert (e.ci_low, e.ci_high) == pytest.approx((0.8779251, 1.7797646), rel=1e-6)
    assert e.continuity_correction is False
    assert not e.significant
    # A single area: Q = 0, tau2 = 0, I² undefined, both pooled estimates equal the area's.
    assert r.q == 0 and r.tau2 == 0 and r.i2 is None and r.q_p_value is None
    assert r.fixed.odds_ratio == pytest.approx(1.25) and r.random.odds_ratio == pytest.approx(1.25)
    assert r.random.variance == pytest.approx(0.0325)


def test_overdispersion_multiplies_the_variance():
    # D = 2: var = 0.065, CI = exp(0.223144 ± 1.96 * 0.254951) = (0.758395, 2.060273)
    e = estimate_effects(table(("A", 100, 80, 200, 200)), overdispersion=2).areas[0]
    assert e.variance == pytest.approx(0.065)
    assert (e.ci_low, e.ci_high) == pytest.approx((0.7583948, 2.0602726), rel=1e-6)
    assert e.odds_ratio == pytest.approx(1.25)


def test_alpha_sets_the_interval():
    # 90 %: z = 1.644854; CI = exp(0.223144 ± 1.644854 * 0.180278)
    e = estimate_effects(table(("A", 100, 80, 200, 200)), alpha=0.10).areas[0]
    half = 1.6448536269514722 * math.sqrt(0.0325)
    assert e.ci_low == pytest.approx(math.exp(math.log(1.25) - half))
    assert e.ci_high == pytest.approx(math.exp(math.log(1.25) + half))


def test_zero_count_adds_half_to_the_row():
    # a=0 → (0.5, 10.5, 20.5, 30.5): OR = 0.5*30.5/(10.5*20.5) = 15.25/215.25 = 0.0708479
    # var = 2 + 1/10.5 + 1/20.5 + 1/30.5 = 2.1768055
    r = estimate_effects(table(("A", 0, 10, 20, 30), ("B", 50, 40, 60, 60)))
    a, b = r.areas
    assert a.continuity_correction is True and b.continuity_correction is False
    assert a.odds_ratio == pytest.approx(0.0708479, rel=1e-6)
    assert a.variance == pytest.approx(2.1768055, rel=1e-6)
    assert b.odds_ratio == pytest.approx(50 * 60 / (40 * 60))


def test_matches_statsmodels_table2x2():
    rows = [("A", 142, 118, 410, 402), ("B", 7, 0, 30, 41), ("C", 35, 30, 120, 131)]
    r = estimate_effects(table(*rows))
    for (_, a, b, c, d), e in zip(rows, r.areas, strict=True):
        cells = np.array([[a, b], [c, d]], dtype=float)
        if cells.min() == 0:
            # Our rule adds 0.5 to all four cells. statsmodels' Table2x2(shift_zeros=True)
            # replaces only the zero cells by 0.5, so the shift is done here.
            cells += 0.5
        t = Table2x2(cells, shift_zeros=False)
        assert e.odds_ratio == pytest.approx(t.oddsratio)
        assert math.sqrt(e.variance) == pytest.approx(t.log_oddsratio_se)
        assert (e.ci_low, e.ci_high) == pytest.approx(t.oddsratio_confint(alpha=0.05))


def test_pooling_by_hand():
    # ln OR = ln 2, 0, ln 1.5 with variances 0.04, 0.02, 0.05 → w = 25, 50, 20, sum 95
    # fixed = (25 ln2 + 20 ln1.5)/95 = 0.2677682, var 1/95
    # Q = 25*(ln2-f)² + 50*f² + 20*(ln1.5-f)² = 8.4878811 on 2 df
    # C = 95 - (625 + 2500 + 400)/95 = 57.8947368; tau2 = (Q - 2)/C = 0.1120634
    # I² = (Q - 2)/Q = 76.437 %; random weights 1/(v + tau2) → 0.3474707, var 0.0492156
    p = pool_log_effects([math.log(2), 0.0, math.log(1.5)], [0.04, 0.02, 0.05])
    assert float(p.fixed) == pytest.approx(0.2677682, rel=1e-6)
    assert float(p.fixed_variance) == pytest.approx(1 / 95)
    assert float(p.q) == pytest.approx(8.4878811, rel=1e-6)
    assert p.df == 2
    assert float(p.tau2) == pytest.approx(0.1120634, rel=1e-6)
    assert float(p.i2) == pytest.approx(76.43699, rel=1e-6)
    assert float(p.random) == pytest.approx(0.3474707, rel=1e-6)
    assert float(p.random_variance) == pytest.approx(0.0492156, rel=1e-6)


def test_fixed_effect_agrees_with_mantel_haenszel_on_homogeneous_counts(example_counts):
    # Both estimate the common OR of the strata; on counts this size they agree closely.
    t = read_counts(example_counts)
    r = estimate_effects(t)
    tables = np.array(
        [
            [[row.treated_before, row.treated_after], [row.control_before, row.control_after]]
            for row in t.rows
        ],
        dtype=float,
    ).transpose(1, 2, 0)
    st = StratifiedTable(tables)
    assert r.fixed.odds_ratio == pytest.approx(st.oddsratio_pooled, rel=0.002)


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
def test_matches_statsmodels_combine_effects(example_counts):
    # A heterogeneous set (Q > df, so statsmodels' untruncated tau2 equals ours).
    rows = [
        ("A", 142, 80, 410, 402),
        ("B", 88, 95, 236, 229),
        ("C", 35, 12, 120, 131),
        ("D", 57, 61, 205, 214),
        ("E", 21, 19, 84, 88),
    ]
    r = estimate_effects(table(*rows))
    y = np.array([e.log_odds_ratio for e in r.areas])
    v = np.array([e.variance for e in r.areas])
    sm = combine_effects(y, v, method_re="dl", use_t=False)
    assert r.q == pytest.approx(sm.q)
    assert r.q > r.df
    assert r.tau2 == pytest.approx(sm.tau2)
    assert r.i2 == pytest.approx(100 * sm.i2)
    assert r.fixed.log_odds_ratio == pytest.approx(sm.mean_effect_fe)
    assert r.random.log_odds_ratio == pytest.approx(sm.mean_effect_re)
    assert math.sqrt(r.fixed.variance) == pytest.approx(sm.sd_eff_w_fe)
    assert math.sqrt(r.random.variance) == pytest.approx(sm.sd_eff_w_re)
    frame = sm.summary_frame(alpha=0.05)
    fe = frame.loc["fixed effect"]
    re = frame.loc["random effect"]
    assert (r.fixed.ci_low, r.fixed.ci_high) == pytest.approx(
        (math.exp(fe["ci_low"]), math.exp(fe["ci_upp"]))
    )
    assert (r.random.ci_low, r.random.ci_high) == pytest.approx(
        (math.exp(re["ci_low"]), math.exp(re["ci_upp"]))
    )
    assert r.random.ci_high - r.random.ci_low > r.fixed.ci_high - r.fixed.ci_low
    # The example file is homogeneous: Q < df, so tau2 is truncated at 0 and I² at 0 %.
    ex = estimate_effects(read_counts(example_counts))
    assert ex.q < ex.df and ex.tau2 == 0 and ex.i2 == 0
    assert ex.random.log_odds_ratio == pytest.approx(ex.fixed.log_odds_ratio)
    sm_ex = combine_effects(
        np.array([e.log_odds_ratio for e in ex.areas]),
        np.array([e.variance for e in ex.areas]),
        method_re="dl",
    )
    assert ex.q == pytest.approx(sm_ex.q)
    assert sm_ex.tau2 < 0  # statsmodels does not truncate; we do


def test_identical_areas_give_zero_heterogeneity():
    r = estimate_effects(table(("A", 40, 30, 80, 80), ("B", 40, 30, 80, 80)))
    assert r.q == pytest.approx(0.0, abs=1e-12)
    assert r.i2 == 0.0 and r.tau2 == 0.0
    assert r.fixed.variance == pytest.approx(r.areas[0].variance / 2)
    assert [e.weight_pct for e in r.areas] == pytest.approx([50.0, 50.0])


def test_vectorised_core_matches_per_dataset_results():
    rng = np.random.default_rng(7)
    counts = rng.poisson(60, size=(5, 8, 4))
    eff = log_relative_effects(*np.moveaxis(counts, -1, 0))
    pooled = pool_log_effects(eff.log_or, eff.variance)
    for rep in range(5):
        rows = [(f"Z{i}", *map(int, counts[rep, i])) for i in range(8)]
        r = estimate_effects(table(*rows))
        assert float(pooled.fixed[rep]) == pytest.approx(r.fixed.log_odds_ratio)
        assert float(pooled.random[rep]) == pytest.approx(r.random.log_odds_ratio)
        assert float(pooled.tau2[rep]) == pytest.approx(r.tau2)


def test_json_contract(example_counts):
    doc = estimate_effects(read_counts(example_counts)).to_json()
    assert {"areas", "fixed", "random", "q", "i2"} <= set(doc)
    assert {
        "area",
        "odds_ratio",
        "ci_low",
        "ci_high",
        "percent_change",
        "continuity_correction",
    } <= set(doc["areas"][0])
    assert {"odds_ratio", "ci_low", "ci_high"} <= set(doc["fixed"])
    assert {"odds_ratio", "ci_low", "ci_high", "tau2"} <= set(doc["random"])
    assert doc["areas"][0]["area"] == "Place Sainte-Anne"
    # Place Sainte-Anne: 142*402/(118*410)
    assert doc["areas"][0]["odds_ratio"] == pytest.approx(142 * 402 / (118 * 410))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alpha": 0}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"overdispersion": 0.5}, "overdispersion"),
        ({"overdispersion": float("nan")}, "overdispersion"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(InputError, match=match):
        estimate_effects(table(("A", 1, 2, 3, 4)), **kwargs)
