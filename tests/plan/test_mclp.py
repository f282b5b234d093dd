from __future__ import annotations

import numpy as np

from sentinelle.plan import CoverageMatrix, SitingProblem, SitingStatus, solve_siting
from sentinelle.plan.mclp import lp_bound, solve_mip
from sentinelle.plan.reduction import reduce_problem
from tests.plan.conftest import matrix_from_sets

# The Fano plane: 7 points, 7 lines of 3 points, any two lines meet in exactly one point.
FANO = [[0, 1, 2], [0, 3, 4], [0, 5, 6], [1, 3, 5], [1, 4, 6], [2, 3, 6], [2, 4, 5]]


def fano() -> CoverageMatrix:
    return CoverageMatrix(matrix_from_sets(7, FANO), np.ones(7))


def test_lp_bound_of_the_fano_plane():
    # Two lines cover 3 + 3 - 1 = 5 points. The relaxation puts 2/7 on every line: each point
    # lies on 3 lines, so it is covered 6/7, and the LP value is 7 * 6/7 = 6.
    model = reduce_problem(SitingProblem(fano(), n_sites=2))
    state, bound, x = lp_bound(model, time_limit_s=10)
    assert state == "done"
    assert bound == 6
    assert x is not None and np.allclose(x, 2 / 7, atol=1e-4)


def test_lp_bound_without_integral_weights_is_a_true_bound():
    cov = CoverageMatrix(matrix_from_sets(7, FANO), np.full(7, 0.5))
    model = reduce_problem(SitingProblem(cov, n_sites=2))
    _, bound, _ = lp_bound(model, time_limit_s=10)
    assert 3.0 - 1e-6 <= bound <= 3.0 + 1e-4


def test_mip_closes_the_gap_of_the_fano_plane():
    model = reduce_problem(SitingProblem(fano(), n_sites=2))
    outcome = solve_mip(model, warm_start=None, time_limit_s=10)
    assert outcome.state == "optimal"
    assert outcome.bound == 5
    assert model.value(outcome.incumbent) == 5
    result = solve_siting(fano(), n_sites=2)
    assert (result.status, result.objective, result.bound) == (SitingStatus.optimal, 5, 5)
    assert result.selected == (0, 1)  # the greedy's choice: lowest indices among optima


def test_mip_detects_infeasible_group_minimums():
    cov = CoverageMatrix(matrix_from_sets(2, [[0], [1]]), np.ones(2))
    problem = SitingProblem(
        cov, n_sites=1, groups=np.array([0, 1]), group_min_share=np.array([1.0, 1.0])
    )
    outcome = solve_mip(reduce_problem(problem), warm_start=None, time_limit_s=10)
    assert outcome.state == "infeasible"
