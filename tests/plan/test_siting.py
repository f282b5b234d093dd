from __future__ import annotations

import itertools

import numpy as np
import pytest

from sentinelle.errors import InputError
from sentinelle.plan import CoverageMatrix, SitingStatus, solve_siting
from tests.plan.conftest import matrix_from_sets, random_instance


def brute_force(
    cov: CoverageMatrix,
    k: int,
    *,
    fixed: tuple[int, ...] = (),
    costs: np.ndarray | None = None,
    budget: float | None = None,
) -> float:
    """Best covered weight over every choice of at most k new sites."""
    free = [j for j in range(cov.n_sites) if j not in fixed]
    best = cov.covered_weight(list(fixed))
    for size in range(1, k + 1):
        for choice in itertools.combinations(free, size):
            if costs is not None and costs[list(choice)].sum() > budget:
                continue
            best = max(best, cov.covered_weight([*fixed, *choice]))
    return best


def test_greedy_trap_is_solved_exactly(greedy_trap):
    result = solve_siting(greedy_trap, n_sites=2)
    assert result.status == SitingStatus.optimal
    assert result.selected == (1, 2)
    assert result.objective == 6
    assert result.bound == 6
    assert result.gap == 0
    assert result.greedy_objective == 5


def test_ties_keep_the_lowest_columns():
    cov = CoverageMatrix(matrix_from_sets(4, [[0], [1], [2], [3]]), np.full(4, 5.0))
    result = solve_siting(cov, n_sites=2)
    assert result.status == SitingStatus.optimal
    assert result.selected == (0, 1)
    assert result.objective == 10


def test_fixed_sites_count_in_the_objective_not_in_k(greedy_trap):
    result = solve_siting(greedy_trap, n_sites=1, fixed=[0])
    assert result.status == SitingStatus.optimal
    assert result.fixed == (0,)
    assert result.selected == (1,)  # sites 1 and 2 each add one point; lowest index
    assert result.objective == 5
    assert result.model_rows == 2  # points 4 and 5 only: 0-3 are already covered


def test_zero_new_sites_and_useless_sites():
    cov = CoverageMatrix(matrix_from_sets(3, [[0], [0], [1]]), np.array([4.0, 1.0, 9.0]))
    none = solve_siting(cov, n_sites=0, fixed=[2])
    assert (none.status, none.objective, none.selected) == (SitingStatus.optimal, 1.0, ())
    # Three sites allowed, but site 1 adds nothing once site 0 is in: it is left out.
    all_in = solve_siting(cov, n_sites=3)
    assert all_in.selected == (0, 2)
    assert all_in.objective == 5


def test_budget_optimum_by_hand(greedy_trap):
    # Costs 3, 2, 2 and budget 4: sites 1 and 2 (cost 4) cover all 6 points.
    costs = np.array([3.0, 2.0, 2.0])
    result = solve_siting(greedy_trap, costs=costs, budget=4.0)
    assert result.status == SitingStatus.optimal
    assert result.selected == (1, 2)
    assert (result.objective, result.cost) == (6, 4)
    # Budget 3.5: one site only; site 0 (4 points) is the best.
    result = solve_siting(greedy_trap, costs=costs, budget=3.5)
    assert result.selected == (0,)
    assert result.objective == 4
    # A count cap on top of the budget.
    result = solve_siting(greedy_trap, n_sites=1, costs=costs, budget=10.0)
    assert result.selected == (0,)


def test_group_minimums_change_the_answer():
    # Points: 0 (weight 10, group 0), 1 (weight 3, group 1), 2 (weight 3, group 1).
    # Site 0 covers point 0, site 1 covers point 1, site 2 covers points 1 and 2.
    cov = CoverageMatrix(matrix_from_sets(3, [[0], [1], [1, 2]]), np.array([10.0, 3.0, 3.0]))
    groups = np.array([0, 1, 1])
    free = solve_siting(cov, n_sites=1)
    assert free.selected == (0,) and free.objective == 10
    result = solve_siting(cov, n_sites=1, groups=groups, group_min_share=np.array([0.0, 0.75]))
    assert result.status == SitingStatus.optimal
    assert result.selected == (2,)
    assert result.objective == 6
    assert result.group_shares == (0.0, 1.0)
    # Half of group 1 is enough: site 1 or 2 alone meets it, both with group 0 needs 2 sites.
    result = solve_siting(cov, n_sites=2, groups=groups, group_min_share=np.array([1.0, 0.5]))
    assert result.selected == (0, 2)
    assert result.objective == 16


def test_unreachable_group_minimum_is_infeasible():
    cov = CoverageMatrix(matrix_from_sets(3, [[0], [1]]), np.array([1.0, 1.0, 2.0]))
    result = solve_siting(
        cov, n_sites=2, groups=np.array([0, 1, 1]), group_min_share=np.array([0.0, 0.5])
    )
    assert result.status == SitingStatus.infeasible
    assert "group 1 needs 50.0%" in result.message
    assert "cover only 33.3%" in result.message
    assert result.objective is None and result.bound is None and result.gap is None
    assert result.selected == ()
    assert result.to_dict()["status"] == "infeasible"


def test_group_minimums_beyond_k_are_infeasible():
    # Each group can be fully covered, but only by its own site, and K = 1.
    cov = CoverageMatrix(matrix_from_sets(2, [[0], [1]]), np.array([1.0, 1.0]))
    result = solve_siting(
        cov, n_sites=1, groups=np.array([0, 1]), group_min_share=np.array([1.0, 1.0])
    )
    assert result.status == SitingStatus.infeasible
    assert "no choice of new sites meets every group minimum" in result.message
    assert "at most 1 new site" in result.message


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_optimum_matches_brute_force(seed):
    cov = random_instance(seed, n_demand=120, n_sites=9, side_m=600, radius_m=170)
    result = solve_siting(cov, n_sites=3)
    assert result.status == SitingStatus.optimal
    assert result.objective == brute_force(cov, 3)
    assert result.objective >= result.greedy_objective
    fixed = solve_siting(cov, n_sites=2, fixed=[4])
    assert fixed.objective == brute_force(cov, 2, fixed=(4,))
    costs = np.random.default_rng(seed).integers(1, 5, cov.n_sites).astype(float)
    budgeted = solve_siting(cov, costs=costs, budget=6.0)
    assert budgeted.status == SitingStatus.optimal
    assert budgeted.objective == brute_force(cov, cov.n_sites, costs=costs, budget=6.0)
    assert budgeted.cost <= 6.0


@pytest.mark.parametrize("seed", [31, 32])
def test_optimum_with_real_weights_matches_brute_force(seed):
    base = random_instance(seed, n_demand=150, n_sites=10, side_m=600, radius_m=170)
    weights = np.random.default_rng(seed).uniform(0.1, 10.0, base.n_demand)
    cov = CoverageMatrix(base.matrix, weights)
    result = solve_siting(cov, n_sites=3)
    assert result.status == SitingStatus.optimal
    assert result.objective == pytest.approx(brute_force(cov, 3), rel=1e-9)
    assert result.bound >= result.objective
    assert result.gap <= 1e-7


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_time_limited_runs_are_honest(seed):
    cov = random_instance(seed, n_demand=500, n_sites=70, side_m=1100, radius_m=260)
    exact = solve_siting(cov, n_sites=7, time_limit_s=60)
    assert exact.status == SitingStatus.optimal
    optimum = exact.objective
    assert exact.bound == optimum
    for limit_s in (0.0, 0.005, 0.02, 0.05, 0.1):
        result = solve_siting(cov, n_sites=7, time_limit_s=limit_s)
        assert result.bound >= result.objective
        assert result.bound >= optimum  # the bound is a true bound
        assert result.objective <= optimum
        assert result.objective >= result.greedy_objective
        assert result.gap == pytest.approx((result.bound - result.objective) / result.bound)
        if result.status == SitingStatus.optimal:
            assert result.objective == optimum
        else:
            assert result.status == SitingStatus.time_limit
            assert result.bound > result.objective


def test_no_time_at_all_gives_the_greedy_with_its_online_bound(greedy_trap):
    result = solve_siting(greedy_trap, n_sites=2, time_limit_s=0)
    # Greedy {0, 1} covers 5; gains left: site 2 covers point 5 (1), so the bound is 5 + 1 + 0.
    assert result.status == SitingStatus.time_limit
    assert (result.objective, result.bound, result.source) == (5, 6, "greedy")
    assert result.gap == pytest.approx(1 / 6)


def test_result_fields_always_exist(greedy_trap):
    expected = {"objective", "bound", "gap", "status", "seconds", "selected", "greedy_objective"}
    for kwargs in (
        {"n_sites": 2},
        {"n_sites": 2, "time_limit_s": 0},
        {"n_sites": 1, "groups": np.zeros(6, int), "group_min_share": np.ones(1)},
    ):
        data = solve_siting(greedy_trap, **kwargs).to_dict()
        assert expected <= set(data)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n_sites": 4}, "asked for 4 new sites but there are only 3 candidate sites"),
        ({"n_sites": -1}, "must be >= 0"),
        ({"n_sites": 1, "fixed": [3]}, "fixed: entry 0 is column 3"),
        ({"n_sites": 1, "costs": np.ones(2), "budget": 1.0}, "costs: expected one cost"),
        ({"n_sites": 1, "costs": -np.ones(3), "budget": 1.0}, "costs: column 0 has cost -1"),
        ({"costs": np.ones(3), "budget": -1.0}, "budget: expected a finite amount >= 0"),
        ({"n_sites": 1, "groups": np.zeros(6, int)}, "group_min_share: required"),
        (
            {"n_sites": 1, "groups": np.full(6, 2), "group_min_share": np.ones(1)},
            "groups: row 0 has group 2",
        ),
        (
            {"n_sites": 1, "groups": np.zeros(6, int), "group_min_share": np.array([1.5])},
            "shares must lie between 0 and 1",
        ),
        ({"n_sites": 1, "time_limit_s": -1}, "time_limit_s"),
    ],
)
def test_bad_inputs_are_named(greedy_trap, kwargs, words):
    with pytest.raises(InputError) as err:
        solve_siting(greedy_trap, **kwargs)
    assert words in str(err.value)
