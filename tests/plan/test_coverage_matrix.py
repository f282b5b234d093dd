from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from sentinelle.errors import InputError
from sentinelle.plan import CoverageMatrix, load_array, load_coverage_npz
from tests.plan.conftest import matrix_from_sets


def test_covered_weight_counts_each_row_once():
    cov = CoverageMatrix(matrix_from_sets(4, [[0, 1], [1, 2], [3]]), np.array([1.0, 2, 4, 8]))
    assert cov.n_demand == 4 and cov.n_sites == 3
    assert cov.total_weight == 15
    assert cov.covered_weight([0, 1]) == 1 + 2 + 4  # row 1 covered twice, counted once
    assert cov.covered_weight([]) == 0
    assert cov.covered_rows([2]).tolist() == [False, False, False, True]


def test_dense_input_and_explicit_zeros_are_normalised():
    dense = np.array([[0, 3], [1, 0]])
    with_zero = sparse.csc_array((np.array([1, 0]), (np.array([1, 0]), np.array([0, 0]))), (2, 2))
    assert CoverageMatrix(dense, [1, 1]).matrix.nnz == 2
    assert CoverageMatrix(with_zero, [1, 1]).matrix.nnz == 1
    assert CoverageMatrix(dense, [1, 1]).matrix.dtype == bool


@pytest.mark.parametrize(
    ("weights", "words"),
    [
        ([1.0, 2.0], "shape (3,)"),
        ([1.0, -2.0, 3.0], "row 1 is negative"),
        ([1.0, np.nan, 3.0], "row 1 is not a finite number"),
        (["a", "b", "c"], "real numbers"),
    ],
)
def test_bad_weights_are_named(weights, words):
    with pytest.raises(InputError, match="weights") as err:
        CoverageMatrix(matrix_from_sets(3, [[0], [1, 2]]), np.asarray(weights))
    assert words in str(err.value)


def test_site_indices_are_checked():
    cov = CoverageMatrix(matrix_from_sets(2, [[0], [1]]), np.ones(2))
    assert cov.check_sites([1, 0], name="fixed").tolist() == [0, 1]
    with pytest.raises(InputError, match=r"fixed: entry 0 is column 5, outside 0\.\.1"):
        cov.check_sites([5], name="fixed")
    with pytest.raises(InputError, match="column 1 is listed more than once"):
        cov.check_sites([1, 1], name="fixed")
    with pytest.raises(InputError, match="integer column indices"):
        cov.check_sites([0.5], name="fixed")


def test_loaders_name_the_file_and_the_reason(tmp_path):
    good = tmp_path / "c.npz"
    sparse.save_npz(good, sparse.csc_array(np.eye(2)))
    assert load_coverage_npz(good).shape == (2, 2)
    garbage = tmp_path / "garbage.npz"
    garbage.write_text("not a matrix")
    with pytest.raises(InputError, match=r"--coverage: .*garbage\.npz is not an \.npz archive"):
        load_coverage_npz(garbage, name="--coverage")
    with pytest.raises(InputError, match=r"missing\.npz does not exist"):
        load_coverage_npz(tmp_path / "missing.npz")
    array = tmp_path / "w.npy"
    np.save(array, np.arange(3))
    assert load_array(array, name="w").tolist() == [0, 1, 2]
    with pytest.raises(InputError, match=r"w: .*c\.npz is not a \.npy file"):
        load_array(good, name="w")
    np.save(array, np.ones((2, 2)))
    with pytest.raises(InputError, match=r"expected a 1-D array .* shape \(2, 2\)"):
        load_array(array, name="w")
    np.save(array, np.array([{"a": 1}], dtype=object))
    with pytest.raises(InputError, match="cannot read"):
        load_array(array, name="w")
