"""Staggered difference-in-differences: hand cases, statsmodels, and seeded simulations.

Simulation design (seeded; 14 ms per estimate): 60 areas over 60 months, 30 never treated and
three waves of 10 areas treated at months 18, 30 and 42. Baseline rates are log-normal around
6 incidents a month (areas differ threefold), with a shared seasonal cycle and a slow city-wide
fall. The cameras' effect ramps up over six months to a rate ratio ``effect`` and differs by
wave (heterogeneous effects: the case where a plain two-way fixed-effects regression fails).
The true ATT is the ratio of expected totals with and without cameras over the treated
area-months, the estimand of `estimate_staggered`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm

from sentinelle.errors import InputError
from sentinelle.evaluate.counts import CountsTable
from sentinelle.evaluate.effects import estimate_effects
from sentinelle.evaluate.panel import Panel
from sentinelle.evaluate.staggered import (
    estimate_staggered,
    fit_poisson_fe,
    fit_two_way,
)

START = 2010 * 12
WAVES = ((18, 10, 1.0), (30, 10, 0.85), (42, 10, 1.15))  # month, areas, effect multiplier (log)


def simulate(
    rng: np.random.Generator,
    *,
    effect: float = 0.8,
    pre_slope: float = 0.0,
    n_control: int = 30,
    months: int = 60,
) -> tuple[Panel, float]:
    """One panel and its true ATT (rate ratio)."""
    g = [None] * n_control + [START + m for m, k, _ in WAVES for _ in range(k)]
    scale = np.array([1.0] * n_control + [s for _, k, s in WAVES for _ in range(k)])
    n = len(g)
    base = rng.lognormal(np.log(6.0), 0.5, n)
    t = np.arange(months)
    gamma = 0.2 * np.sin(2 * np.pi * t / 12) - 0.005 * t
    mu0 = base[:, None] * np.exp(gamma)[None, :]
    start = np.array([10**6 if x is None else x - START for x in g])
    rel = t[None, :] - start[:, None]
    ramp = np.minimum(1.0, (rel + 1) / 6.0)
    tau = np.where(rel >= 0, np.log(effect) * scale[:, None] * ramp, 0.0)
    # A planted pre-trend: treated areas drift upward over the 12 months before cameras.
    pre = np.where((rel < 0) & (rel >= -12), pre_slope * (rel + 13), 0.0)
    mu = mu0 * np.exp(tau + pre)
    y = rng.poisson(mu)
    post = rel >= 0
    truth = float((mu * post).sum() / (mu0 * np.exp(pre) * post).sum())
    return Panel.from_arrays(y, treated_from=g, first_month=START), truth


def test_two_by_two_is_the_inverse_of_the_odds_ratio():
    """One treated and one control area, one month before and one after: RR = 1/OR."""
    a, b, c, d = 142, 118, 410, 402
    panel = Panel.from_arrays([[a, b], [c, d]], treated_from=[START + 1, None], first_month=START)
    res = estimate_staggered(panel, pre_months=1, post_months=1)
    counts = CountsTable.from_records(
        [{"area": "A", "treated_before": a, "treated_after": b,
          "control_before": c, "control_after": d}]
    )
    odds_ratio = estimate_effects(counts).areas[0].odds_ratio
    assert res.att.ratio == pytest.approx(b * c / (a * d))
    assert res.att.ratio == pytest.approx(1 / odds_ratio)
    assert res.att.to_effect_estimate().odds_ratio == pytest.approx(odds_ratio)
    assert res.att.observed == b and res.att.expected == pytest.approx(a * d / c)
    assert res.pretrend.p_value is None  # no month before the test window


def test_two_way_fit_matches_statsmodels():
    rng = np.random.default_rng(11)
    panel, _ = simulate(rng, months=30, n_control=8)
    y = panel.counts.astype(float)
    cells = ~panel.treated
    fit = fit_two_way(y, cells)
    ii, tt = np.nonzero(cells)
    x = np.zeros((len(ii), y.shape[0] + y.shape[1] - 1))
    x[np.arange(len(ii)), ii] = 1
    sel = tt > 0
    x[np.arange(len(ii))[sel], y.shape[0] + tt[sel] - 1] = 1
    glm = sm.GLM(y[ii, tt], x, family=sm.families.Poisson()).fit()
    ours = np.exp(fit.alpha[ii] + fit.gamma[tt])
    np.testing.assert_allclose(ours, glm.fittedvalues, rtol=1e-7)


def test_poisson_fe_matches_statsmodels_clustered():
    """Coefficients and clustered covariance equal statsmodels' GLM with dummies (up to its
    (n - 1)/(n - p) factor, which ours leaves out)."""
    rng = np.random.default_rng(12)
    panel, _ = simulate(rng, months=30, n_control=8, pre_slope=0.03)
    y = panel.counts.astype(float)
    cells = ~panel.treated
    rel = np.arange(y.shape[1])[None, :] - (panel.treated_from - START)[:, None]
    z = np.stack([((rel == -k) & cells).astype(float) for k in (1, 2, 3)])
    ours = fit_poisson_fe(y, cells, z)
    ii, tt = np.nonzero(cells)
    n_a, n_t = y.shape
    x = np.zeros((len(ii), n_a + n_t - 1 + 3))
    rows = np.arange(len(ii))
    x[rows, ii] = 1
    sel = tt > 0
    x[rows[sel], n_a + tt[sel] - 1] = 1
    x[:, n_a + n_t - 1:] = z[:, ii, tt].T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        glm = sm.GLM(y[ii, tt], x, family=sm.families.Poisson()).fit(
            cov_type="cluster", cov_kwds={"groups": ii}
        )
    np.testing.assert_allclose(ours.coef, glm.params[-3:], rtol=1e-6)
    n, p = len(ii), x.shape[1]
    expected = np.asarray(glm.cov_params())[-3:, -3:] * (n - p) / (n - 1)
    np.testing.assert_allclose(ours.cov, expected, rtol=1e-5)


def test_single_draw_reads_well():
    rng = np.random.default_rng(2024)
    panel, truth = simulate(rng)
    res = estimate_staggered(panel)
    assert res.att.ci_low < truth < res.att.ci_high
    assert res.att.ci_high < 1  # the fall is detected
    assert res.n_treated == 30 and res.n_never_treated == 30
    assert res.cohorts == {"2011-07": 10, "2012-07": 10, "2013-07": 10}
    rel = [e.rel_period for e in res.event_study]
    assert rel == list(range(-12, 24))
    assert all(e.pre == (e.rel_period < 0) for e in res.event_study)
    assert res.pretrend.kind == "F" and res.pretrend_p > 0.05
    doc = res.to_json()
    assert list(doc)[:5] == ["att", "ci_low", "ci_high", "event_study", "pretrend_p"]
    assert set(doc["event_study"][0]) == {"rel_period", "estimate", "ci_low", "ci_high"}
    quarters = estimate_staggered(panel, bin_months=3)
    assert [e.rel_period for e in quarters.event_study] == list(range(-4, 8))
    assert quarters.att.ratio == pytest.approx(res.att.ratio)  # the ATT does not depend on bins


def _repeat(seed: int, reps: int, **kw) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out: dict[str, list[float]] = {"est": [], "truth": [], "low": [], "high": [], "pre_p": []}
    for _ in range(reps):
        panel, truth = simulate(rng, **kw)
        res = estimate_staggered(panel)
        out["est"].append(res.att.ratio)
        out["truth"].append(truth)
        out["low"].append(res.att.ci_low)
        out["high"].append(res.att.ci_high)
        out["pre_p"].append(res.pretrend_p)
    return {k: np.array(v) for k, v in out.items()}


def test_simulation_recovers_a_known_effect():
    r = _repeat(20240917, 150, effect=0.8)
    bias = np.mean(np.log(r["est"]) - np.log(r["truth"]))
    coverage = np.mean((r["low"] <= r["truth"]) & (r["truth"] <= r["high"]))
    assert abs(bias) < 0.01  # under 1 % on the ratio scale
    assert 0.90 <= coverage <= 0.99
    assert np.mean(r["high"] < 1) > 0.95  # a 20 % fall is detected
    assert np.mean(r["pre_p"] < 0.05) < 0.10  # no pre-trend, few false alarms


def test_simulation_known_null():
    r = _repeat(20240918, 150, effect=1.0)
    assert np.all(r["truth"] == pytest.approx(1.0))
    assert abs(np.mean(np.log(r["est"]))) < 0.01
    false_alarms = np.mean((r["high"] < 1) | (r["low"] > 1))
    assert false_alarms <= 0.10


def test_simulation_flags_a_planted_pretrend():
    r = _repeat(20240919, 40, effect=0.8, pre_slope=0.02)
    assert np.mean(r["pre_p"] < 0.05) >= 0.7


def test_errors_and_exclusions():
    with pytest.raises(InputError, match="no area gets cameras"):
        estimate_staggered(Panel.from_arrays([[1, 2], [3, 4]], treated_from=[None, None],
                                             first_month=START))
    with pytest.raises(InputError, match="`bin_months` must be"):
        estimate_staggered(Panel.from_arrays([[1, 2], [3, 4]], treated_from=[START + 1, None],
                                             first_month=START), bin_months=0)
    # An area equipped from the first month has nothing to compare: left out, with a note.
    y = [[5, 6, 4, 3], [0, 0, 7, 8], [9, 8, 9, 10], [4, 5, 4, 6]]
    panel = Panel.from_arrays(y, treated_from=[START, START + 2, START + 2, None],
                              first_month=START, areas=["Gare", "Dalle", "Place", "Témoin"])
    res = estimate_staggered(panel, pre_months=1)
    assert "Gare" in res.excluded_areas and "Dalle" in res.excluded_areas
    text = " ".join(res.notes)
    assert "panel's first month" in text and "no incident before the cameras" in text
    assert "clustered intervals are too narrow" in text
