"""Small coverage instances whose optimum is known by hand, and a seeded random generator."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.spatial import cKDTree

from sentinelle.plan import CoverageMatrix


def matrix_from_sets(n_rows: int, site_rows: list[list[int]]) -> sparse.csc_array:
    """Coverage matrix whose column j covers the rows listed in site_rows[j]."""
    rows = [r for s in site_rows for r in s]
    cols = [j for j, s in enumerate(site_rows) for _ in s]
    data = np.ones(len(rows), dtype=bool)
    return sparse.csc_array((data, (rows, cols)), shape=(n_rows, len(site_rows)))


@pytest.fixture
def greedy_trap() -> CoverageMatrix:
    """Six points of weight 1; site 0 covers 0-3, site 1 covers 0, 1, 4, site 2 covers 2, 3, 5.

    With K = 2 the greedy takes site 0 (4), then site 1 (tie with site 2, lowest index): 5.
    The optimum is sites 1 and 2: 6.
    """
    return CoverageMatrix(matrix_from_sets(6, [[0, 1, 2, 3], [0, 1, 4], [2, 3, 5]]), np.ones(6))


def random_instance(
    seed: int, *, n_demand: int, n_sites: int, side_m: float, radius_m: float
) -> CoverageMatrix:
    """Points and candidates uniform in a square, integer weights 1-10, coverage within radius."""
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, side_m, (n_demand, 2))
    sites = rng.uniform(0, side_m, (n_sites, 2))
    weights = rng.integers(1, 11, n_demand)
    pairs = cKDTree(demand).query_ball_tree(cKDTree(sites), radius_m)
    rows = np.repeat(np.arange(n_demand), [len(p) for p in pairs])
    cols = np.concatenate([np.asarray(p, dtype=np.int64) for p in pairs])
    matrix = sparse.csc_array(
        (np.ones(rows.size, dtype=bool), (rows, cols)), shape=(n_demand, n_sites)
    )
    return CoverageMatrix(matrix, weights)
