from __future__ import annotations

import numpy as np
import pytest

from sentinelle.errors import InputError
from sentinelle.plan import CoverageMatrix, greedy_siting
from tests.plan.conftest import matrix_from_sets, random_instance


def plain_greedy(cov: CoverageMatrix, k: int) -> list[int]:
    """Textbook greedy, every gain recomputed each round, ties to the lowest column."""
    chosen: list[int] = []
    for _ in range(k):
        base = cov.covered_weight(chosen)
        gains = [
            -1.0 if j in chosen else cov.covered_weight([*chosen, j]) - base
            for j in range(cov.n_sites)
        ]
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        chosen.append(best)
    return chosen


def test_greedy_trap_by_hand(greedy_trap):
    result = greedy_siting(greedy_trap, n_sites=2)
    assert result.order == (0, 1)  # site 1 and site 2 tie for the second pick: lowest index
    assert result.objective == 5
    assert result.feasible


def test_ties_go_to_the_lowest_column():
    cov = CoverageMatrix(matrix_from_sets(3, [[0], [1], [2]]), np.array([2.0, 2.0, 2.0]))
    assert greedy_siting(cov, n_sites=2).selected == (0, 1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lazy_greedy_makes_the_plain_greedy_picks(seed):
    cov = random_instance(seed, n_demand=400, n_sites=40, side_m=1000, radius_m=200)
    assert list(greedy_siting(cov, n_sites=8).order) == plain_greedy(cov, 8)


def test_greedy_stops_when_nothing_more_to_cover():
    cov = CoverageMatrix(matrix_from_sets(2, [[0], [0, 1], [1]]), np.ones(2))
    result = greedy_siting(cov, n_sites=3)
    assert result.selected == (1,)
    assert result.objective == 2


def test_fixed_sites_are_free_and_not_counted(greedy_trap):
    result = greedy_siting(greedy_trap, n_sites=1, fixed=[0])
    assert result.selected == (1,)  # 1 and 2 each add one point: lowest index
    assert result.objective == 5


def test_budget_keeps_the_best_single_site_when_ratios_mislead():
    # Site 0 covers 10 for 10; site 1 covers 1 for 0.5 (better ratio). Budget 10: the ratio
    # greedy takes site 1 and then cannot afford site 0 (1 in all); the best single site wins.
    cov = CoverageMatrix(matrix_from_sets(2, [[0], [1]]), np.array([10.0, 1.0]))
    result = greedy_siting(cov, costs=np.array([10.0, 0.5]), budget=10.0)
    assert result.selected == (0,)
    assert result.objective == 10


def test_budget_cost_benefit_order():
    # Ratios: site 0 6/3 = 2, site 1 3/1 = 3, site 2 4/2 = 2. Budget 3: site 1 first; then
    # site 0 (ratio 2 like site 2, lower index) no longer fits (1 + 3 > 3), so site 2: 7 in all,
    # better than the best single site (site 0, 6).
    cov = CoverageMatrix(matrix_from_sets(3, [[0], [1], [2]]), np.array([6.0, 3.0, 4.0]))
    result = greedy_siting(cov, costs=np.array([3.0, 1.0, 2.0]), budget=3.0)
    assert result.order == (1, 2)
    assert result.objective == 7


def test_group_phase_meets_the_minimums_first():
    # Site 0 covers the heavy point of group 0; site 1 the light point of group 1, which must be
    # fully covered. With one site the plain greedy would take site 0 and miss the minimum.
    cov = CoverageMatrix(matrix_from_sets(2, [[0], [1]]), np.array([10.0, 1.0]))
    result = greedy_siting(
        cov, n_sites=1, groups=np.array([0, 1]), group_min_share=np.array([0.0, 1.0])
    )
    assert result.selected == (1,)
    assert result.feasible


def test_group_phase_reports_failure():
    cov = CoverageMatrix(matrix_from_sets(2, [[0], [1]]), np.array([1.0, 1.0]))
    result = greedy_siting(
        cov, n_sites=1, groups=np.array([0, 1]), group_min_share=np.array([1.0, 1.0])
    )
    assert not result.feasible


def test_greedy_checks_its_inputs(greedy_trap):
    with pytest.raises(InputError, match="sites: asked for 4 new sites but there are only 3"):
        greedy_siting(greedy_trap, n_sites=4)
    with pytest.raises(InputError, match="only 2 candidate sites"):
        greedy_siting(greedy_trap, n_sites=3, fixed=[1])
    with pytest.raises(InputError, match="budget: required when costs is given"):
        greedy_siting(greedy_trap, n_sites=1, costs=np.ones(3))
    with pytest.raises(InputError, match="number of new sites is required"):
        greedy_siting(greedy_trap)
