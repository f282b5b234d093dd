from __future__ import annotations

import numpy as np

from sentinelle.plan import CoverageMatrix, SitingProblem
from sentinelle.plan.reduction import reduce_problem
from tests.plan.conftest import matrix_from_sets, random_instance


def test_reductions_by_hand():
    # rows:      0  1  2  3  4  5  6
    weights = [1.0, 2, 4, 8, 16, 0, 32]
    sites = [
        [0, 1, 2, 5],  # site 0: fixed
        [2, 3, 4],  # site 1
        [3, 4, 5],  # site 2
        [],  # site 3 covers nothing
    ]
    # row 6 is covered by no site; row 5 weighs 0; rows 0-2 are covered by the fixed site;
    # rows 3 and 4 are both covered by exactly sites 1 and 2, so they merge into one row.
    cov = CoverageMatrix(matrix_from_sets(7, sites), np.array(weights))
    model = reduce_problem(SitingProblem(cov, n_sites=1, fixed=[0]))
    assert model.constant == 1 + 2 + 4
    assert model.n_rows == 1
    assert model.weights.tolist() == [24.0]
    assert model.columns.tolist() == [1, 2]
    assert model.value([0]) == 7 + 24
    assert model.value([]) == 7


def test_rows_merge_only_within_a_group():
    cov = CoverageMatrix(matrix_from_sets(3, [[0, 1, 2]]), np.array([1.0, 2.0, 4.0]))
    model = reduce_problem(
        SitingProblem(
            cov, n_sites=1, groups=np.array([0, 1, 0]), group_min_share=np.array([0.5, 0.0])
        )
    )
    assert sorted(model.weights.tolist()) == [2.0, 5.0]
    assert model.group_need.tolist() == [2.5, 0.0]
    assert model.group_reach.tolist() == [5.0, 2.0]


def test_reduction_keeps_every_choice_value():
    cov = random_instance(11, n_demand=300, n_sites=30, side_m=800, radius_m=150)
    fixed = [3, 7]
    model = reduce_problem(SitingProblem(cov, n_sites=5, fixed=fixed))
    assert model.n_rows < 300
    rng = np.random.default_rng(0)
    for _ in range(20):
        positions = rng.choice(model.n_columns, size=5, replace=False)
        columns = model.columns[positions].tolist()
        assert model.value(positions) == cov.covered_weight(fixed + columns)
