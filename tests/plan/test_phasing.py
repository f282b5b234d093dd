"""Phasing: the yearly budget is never exceeded, the best coverage per euro comes first."""

from __future__ import annotations

import numpy as np
import pytest

from sentinelle.plan import CoverageMatrix
from sentinelle.plan.phasing import gain_order, phase_programme
from tests.plan.conftest import matrix_from_sets


def test_gain_per_euro_order_by_hand():
    # Column 0 is in service and covers row 0. Site 1 covers rows 0-2 (adds 2) for 10 €,
    # site 2 covers rows 3-5 (adds 3) for 30 €, site 3 covers row 6 (adds 1) for 1 €.
    cov = CoverageMatrix(matrix_from_sets(7, [[0], [0, 1, 2], [3, 4, 5], [6]]), np.ones(7))
    costs = np.array([0.0, 10.0, 30.0, 1.0])
    order, gains = gain_order(cov, [1, 2, 3], [0], costs)
    assert order == [3, 1, 2]  # 1/1, 2/10, 3/30
    assert gains == [1.0, 2.0, 3.0]


def test_yearly_budget_is_respected_and_leftovers_are_kept():
    rng = np.random.default_rng(7)
    cost = rng.uniform(5_000, 40_000, 60)
    order = list(range(60))
    gains = list(rng.uniform(1, 5, 60))
    p = phase_programme(
        order, gains, cost, start_year=2026, years=5, yearly_budget_eur=100_000,
        installed_year=[2010, 2014, 2019, None], replacement_age_years=10,
        replacement_cost_eur=np.full(4, 8_000.0),
    )
    placed = [j for y in p.years for j in y.sites]
    assert len(placed) == len(set(placed))
    assert sorted(placed + p.left_over) == order
    for y in p.years:
        spent = cost[y.sites].sum() + 8_000 * len(y.replacements)
        assert spent <= 100_000 + 1e-6
        assert y.spent_eur == pytest.approx(spent)
        assert y.gained_weight == pytest.approx(sum(gains[j] for j in y.sites))
    # 2010 and 2014 cameras are due by 2026 (replaced in 2026); 2019 + 10 = 2029.
    assert p.years[0].replacements == [0, 1]
    assert p.years[3].replacements == [2]
    assert p.unknown_age == [3]
    assert p.left_over  # 60 sites cannot fit in 500 k€


def test_first_fit_lets_cheaper_sites_in():
    # Budget 10: site 0 (6) goes in; site 1 (6) does not fit, site 2 (4) does; then 1 next year.
    p = phase_programme(
        [0, 1, 2], [3.0, 2.0, 1.0], np.array([6.0, 6.0, 4.0]), start_year=2026, years=2,
        yearly_budget_eur=10.0, installed_year=[], replacement_age_years=10,
        replacement_cost_eur=np.zeros(0),
    )
    assert [y.sites for y in p.years] == [[0, 2], [1]]
    assert p.left_over == []


def test_replacement_waits_when_the_budget_is_short():
    p = phase_programme(
        [], [], np.zeros(0), start_year=2026, years=3, yearly_budget_eur=10.0,
        installed_year=[2000, 2001, 2002], replacement_age_years=10,
        replacement_cost_eur=np.array([6.0, 6.0, 6.0]),
    )
    assert [y.replacements for y in p.years] == [[0], [1], [2]]
    assert all(y.spent_eur <= 10 for y in p.years)


def test_without_budget_sites_are_spread_in_order():
    p = phase_programme(
        list(range(7)), [1.0] * 7, np.ones(7), start_year=2026, years=3,
        yearly_budget_eur=None, installed_year=[], replacement_age_years=10,
        replacement_cost_eur=np.zeros(0),
    )
    assert [y.sites for y in p.years] == [[0, 1, 2], [3, 4], [5, 6]]
    assert p.left_over == []
