from __future__ import annotations

import numpy as np

from sentinelle.plan import CoverageMatrix, SitingProblem
from sentinelle.plan.local_search import improve_by_swaps, select_by_value
from sentinelle.plan.reduction import reduce_problem
from tests.plan.conftest import matrix_from_sets


def test_swap_escapes_the_greedy_trap(greedy_trap):
    model = reduce_problem(SitingProblem(greedy_trap, n_sites=2))
    assert model.value([0, 1]) == 5
    improved = improve_by_swaps(model, [0, 1], time_limit_s=10)
    assert improved == [1, 2]  # out: site 0 (loses 2 points), in: site 2 (gains 3)
    assert model.value(improved) == 6


def test_swaps_respect_the_budget(greedy_trap):
    # Site 0 costs 3, sites 1 and 2 cost 2.5: with a budget of 4 the better pair is too dear.
    costs = np.array([3.0, 2.5, 2.5])
    model = reduce_problem(SitingProblem(greedy_trap, costs=costs, budget=4.0))
    assert improve_by_swaps(model, [1], time_limit_s=10) == [0]  # 3 points -> 4 points
    assert improve_by_swaps(model, [0], time_limit_s=10) == [0]


def test_additions_fill_the_room_left():
    cov = CoverageMatrix(matrix_from_sets(3, [[0], [1], [2]]), np.array([1.0, 2.0, 3.0]))
    model = reduce_problem(SitingProblem(cov, n_sites=2))
    assert improve_by_swaps(model, [], time_limit_s=10) == [1, 2]


def test_rounding_takes_the_largest_values_that_fit(greedy_trap):
    model = reduce_problem(SitingProblem(greedy_trap, n_sites=2))
    assert select_by_value(model, np.array([0.5, 0.9, 0.5])) == [0, 1]  # tie: lowest index
    costs = np.array([3.0, 2.0, 2.0])
    budgeted = reduce_problem(SitingProblem(greedy_trap, costs=costs, budget=4.0))
    assert select_by_value(budgeted, np.array([0.9, 0.8, 0.7])) == [0]  # 3 + 2 > 4
