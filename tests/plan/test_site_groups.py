"""Maximum number of new sites per site group (e.g. per zone): every step respects it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sentinelle.errors import InputError
from sentinelle.plan import CoverageMatrix, SitingStatus, greedy_siting, solve_siting
from sentinelle.plan.local_search import improve_by_swaps, select_by_value
from sentinelle.plan.problem import SitingProblem
from sentinelle.plan.reduction import reduce_problem
from tests.plan.conftest import matrix_from_sets, random_instance


def _best_with_caps(cov: CoverageMatrix, k: int, groups: np.ndarray, caps: np.ndarray) -> float:
    best = 0.0
    for r in range(k + 1):
        for combo in itertools.combinations(range(cov.n_sites), r):
            g = groups[list(combo)]
            counts = np.bincount(g[g >= 0], minlength=caps.size)
            if np.any(counts > caps):
                continue
            best = max(best, float(cov.weights[cov.covered_rows(list(combo))].sum()))
    return best


def test_cap_by_hand():
    # Sites 0 and 1 (zone 0) each cover 3 rows of their own; site 2 (zone 1) covers 2.
    cov = CoverageMatrix(matrix_from_sets(8, [[0, 1, 2], [3, 4, 5], [6, 7]]), np.ones(8))
    free = solve_siting(cov, n_sites=2)
    assert free.selected == (0, 1) and free.objective == 6
    capped = solve_siting(
        cov, n_sites=2, site_groups=np.array([0, 0, 1]), site_group_max=np.array([1, 5])
    )
    assert capped.status == SitingStatus.optimal
    assert capped.selected == (0, 2) and capped.objective == 5
    greedy = greedy_siting(
        cov, n_sites=2, site_groups=np.array([0, 0, 1]), site_group_max=np.array([1, 5])
    )
    assert greedy.selected == (0, 2)


def test_fixed_sites_do_not_use_the_cap():
    cov = CoverageMatrix(matrix_from_sets(6, [[0, 1], [2, 3], [4, 5]]), np.ones(6))
    result = solve_siting(
        cov, n_sites=1, fixed=[0], site_groups=np.array([0, 0, 0]), site_group_max=np.array([1])
    )
    assert result.selected == (1,) and result.objective == 4


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_capped_optimum_matches_brute_force(seed):
    cov = random_instance(seed, n_demand=150, n_sites=10, side_m=600, radius_m=180)
    groups = np.random.default_rng(seed).integers(-1, 3, cov.n_sites)
    caps = np.array([1, 1, 0])
    result = solve_siting(cov, n_sites=4, site_groups=groups, site_group_max=caps)
    assert result.status == SitingStatus.optimal
    assert result.objective == _best_with_caps(cov, 4, groups, caps)
    chosen = groups[list(result.selected)]
    assert np.all(np.bincount(chosen[chosen >= 0], minlength=3) <= caps)
    greedy = greedy_siting(cov, n_sites=4, site_groups=groups, site_group_max=caps)
    chosen = groups[list(greedy.selected)]
    assert np.all(np.bincount(chosen[chosen >= 0], minlength=3) <= caps)


def test_local_search_and_rounding_respect_caps():
    cov = random_instance(4, n_demand=300, n_sites=40, side_m=900, radius_m=200)
    groups = np.arange(40) % 4
    caps = np.array([1, 2, 0, 1])
    model = reduce_problem(
        SitingProblem(cov, n_sites=6, site_groups=groups, site_group_max=caps)
    )
    start = select_by_value(model, np.linspace(1.0, 0.1, model.n_columns))
    assert np.all(np.bincount(model.column_group[start], minlength=4) <= caps)
    better = improve_by_swaps(model, start, time_limit_s=5.0)
    assert model.value(better) >= model.value(start)
    assert np.all(np.bincount(model.column_group[better], minlength=4) <= caps)


def test_bad_site_groups_are_named():
    cov = CoverageMatrix(matrix_from_sets(2, [[0], [1]]), np.ones(2))
    with pytest.raises(InputError, match="site_group_max: required"):
        solve_siting(cov, n_sites=1, site_groups=np.array([0, 0]))
    with pytest.raises(InputError, match="site_groups: expected one group index"):
        solve_siting(cov, n_sites=1, site_groups=np.array([0]), site_group_max=np.array([1]))
    with pytest.raises(InputError, match="outside -1..0"):
        solve_siting(cov, n_sites=1, site_groups=np.array([0, 3]), site_group_max=np.array([1]))
    with pytest.raises(InputError, match="must be >= 0"):
        solve_siting(cov, n_sites=1, site_groups=np.array([0, 0]), site_group_max=np.array([-1]))
