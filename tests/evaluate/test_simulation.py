"""Simulations with a known effect and a known displacement: do the estimators recover them?

Design (all seeded, vectorised over repetitions × areas): K areas, each with a treated area of
λ_T expected crimes per period (drawn once, 40–150), a control κ = 3 times larger, a buffer of
λ_B = 0.6–1.0 λ_T and a buffer control κ times larger. Every area shares a general trend g = 0.92.
The cameras multiply treated crime after by 1/OR, so the relative effect is exactly OR, and
prevent P_i = λ_T,i · g · (1 − 1/OR) crimes; a share s of those is displaced to the buffer.

With area weights (1, κ, 1, κ), the controls' change scaled back to the treated area's size is
its counterfactual change, so E[WDD] = −Σ P_i (1 − s): the net number of crimes prevented.
With a common trend, the WDQ of the expected counts is exactly −s.
"""

from __future__ import annotations

import numpy as np
import pytest

from sentinelle.evaluate.displacement import (
    weighted_displacement_difference,
    weighted_displacement_quotient,
)
from sentinelle.evaluate.effects import log_relative_effects, pool_log_effects, z_critical
from sentinelle.evaluate.power import power_at

Z = z_critical(0.05)
KAPPA = 3.0
TREND = 0.92


def design(
    rng: np.random.Generator, *, k: int, odds_ratio: float, share: float, low=40.0, high=150.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected counts (8, k) in the order T0 T1 C0 C1 B0 B1 BC0 BC1, prevented and displaced."""
    lam_t = rng.uniform(low, high, k)
    lam_b = lam_t * rng.uniform(0.6, 1.0, k)
    prevented = lam_t * TREND * (1 - 1 / odds_ratio)
    displaced = share * prevented
    mu = np.stack(
        [
            lam_t,
            lam_t * TREND / odds_ratio,
            KAPPA * lam_t,
            KAPPA * lam_t * TREND,
            lam_b,
            lam_b * TREND + displaced,
            KAPPA * lam_b,
            KAPPA * lam_b * TREND,
        ]
    )
    return mu, prevented, displaced


def coverage(estimate: np.ndarray, variance: np.ndarray, truth: float) -> float:
    return float(np.mean(np.abs(estimate - truth) <= Z * np.sqrt(variance)))


def test_recovers_a_known_effect_and_displacement():
    rng = np.random.default_rng(20240901)
    reps, k, odds_ratio, share = 1000, 24, 1.25, 0.3
    mu, prevented, displaced = design(rng, k=k, odds_ratio=odds_ratio, share=share)
    counts = rng.poisson(np.broadcast_to(mu[:, None, :], (8, reps, k)))  # (8, reps, k)
    truth = np.log(odds_ratio)

    eff = log_relative_effects(*counts[:4])
    pooled = pool_log_effects(eff.log_or, eff.variance)
    assert abs(pooled.fixed.mean() - truth) < 0.01
    assert abs(pooled.random.mean() - truth) < 0.01
    assert np.exp(np.median(pooled.fixed)) == pytest.approx(odds_ratio, rel=0.02)
    assert 0.92 <= coverage(eff.log_or, eff.variance, truth) <= 0.98  # per area, 24,000 intervals
    assert 0.92 <= coverage(pooled.fixed, pooled.fixed_variance, truth) <= 0.98
    assert 0.92 <= coverage(pooled.random, pooled.random_variance, truth) <= 0.98

    wdd = weighted_displacement_difference(*counts, area_weights=(1, KAPPA, 1, KAPPA))
    net = -(prevented.sum() - displaced.sum())
    assert net < -200  # about 290 crimes prevented net of displacement
    assert abs(wdd.wdd.mean() - net) < 4 * wdd.wdd.std() / np.sqrt(reps)
    assert 0.92 <= coverage(wdd.wdd, wdd.variance, net) <= 0.98

    # WDQ: exactly -share on the expected counts, and recovered from the simulated ones.
    expected_wdq = weighted_displacement_quotient(*mu.sum(axis=-1)[:6])
    assert float(expected_wdq) == pytest.approx(-share)
    wdq = weighted_displacement_quotient(*counts.sum(axis=-1)[:6])
    assert float(np.median(wdq)) == pytest.approx(-share, abs=0.03)


def test_no_effect_no_displacement_keeps_the_error_rate():
    rng = np.random.default_rng(7)
    reps, k = 1000, 20
    mu, _, _ = design(rng, k=k, odds_ratio=1.0, share=0.0)
    counts = rng.poisson(np.broadcast_to(mu[:, None, :], (8, reps, k)))
    eff = log_relative_effects(*counts[:4])
    pooled = pool_log_effects(eff.log_or, eff.variance)
    assert 0.92 <= coverage(pooled.fixed, pooled.fixed_variance, 0.0) <= 0.98
    wdd = weighted_displacement_difference(*counts, area_weights=(1, KAPPA, 1, KAPPA))
    assert 0.92 <= coverage(wdd.wdd, wdd.variance, 0.0) <= 0.98


def test_overdispersion_factor_restores_coverage():
    # Gamma-Poisson counts with variance D·mean (D = 3): Poisson intervals are too narrow.
    rng = np.random.default_rng(11)
    reps, k, d = 1000, 24, 3.0
    mu, _, _ = design(rng, k=k, odds_ratio=1.25, share=0.0)
    mean = np.broadcast_to(mu[:4, None, :], (4, reps, k))
    shape = mean / (d - 1)
    counts = rng.poisson(mean * rng.gamma(shape, 1 / shape))
    truth = np.log(1.25)
    poisson = log_relative_effects(*counts)
    assert coverage(poisson.log_or, poisson.variance, truth) < 0.85
    corrected = log_relative_effects(*counts, overdispersion=d)
    assert 0.92 <= coverage(corrected.log_or, corrected.variance, truth) <= 0.98
    pooled = pool_log_effects(corrected.log_or, corrected.variance)
    assert 0.92 <= coverage(pooled.fixed, pooled.fixed_variance, truth) <= 0.98


def test_random_effects_cover_the_mean_when_areas_differ():
    # True ln OR varies between areas (sd 0.15): fixed-effect intervals are too narrow; the
    # DerSimonian–Laird ones come close to nominal (about 93 % here, known to be a little low).
    rng = np.random.default_rng(12)
    reps, k, tau = 1000, 24, 0.15
    mu, _, _ = design(rng, k=k, odds_ratio=1.25, share=0.0)
    truth = np.log(1.25)
    mean = np.broadcast_to(mu[:4, None, :], (4, reps, k)).copy()
    mean[1] = mu[0] * TREND * np.exp(-(truth + rng.normal(0.0, tau, (reps, k))))
    counts = rng.poisson(mean)
    eff = log_relative_effects(*counts)
    pooled = pool_log_effects(eff.log_or, eff.variance)
    assert coverage(pooled.fixed, pooled.fixed_variance, truth) < 0.90
    assert 0.90 <= coverage(pooled.random, pooled.random_variance, truth) <= 0.98
    assert float(np.median(pooled.tau2)) == pytest.approx(tau**2, rel=0.35)


def test_power_formula_predicts_the_rejection_rate():
    # A small effect (OR 1.08) on smaller areas: the predicted power is about 30 %.
    rng = np.random.default_rng(20)
    reps, k = 2000, 20
    mu, _, _ = design(rng, k=k, odds_ratio=1.08, share=0.0, low=30, high=80)
    counts = rng.poisson(np.broadcast_to(mu[:4, None, :], (4, reps, k)))
    eff = log_relative_effects(*counts)
    pooled = pool_log_effects(eff.log_or, eff.variance)
    rejected = float(np.mean(np.abs(pooled.fixed) / np.sqrt(pooled.fixed_variance) > Z))
    v_fixed = 1 / np.sum(1 / (1 / mu[0] + 1 / mu[1] + 1 / mu[2] + 1 / mu[3]))
    predicted = power_at(np.log(1.08), float(v_fixed))
    assert 0.2 < predicted < 0.5
    assert rejected == pytest.approx(predicted, abs=0.04)
