"""Coverage matrices: which candidate site covers which demand point, and what each point weighs.

A coverage matrix is the only thing the siting solver sees: rows are demand points (street cells,
places), columns are candidate sites, and a stored entry means "this site covers this point".
The map, the fields of view and the occlusion by buildings are worked out before, in `geo`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from sentinelle.errors import InputError

__all__ = ["CoverageMatrix", "load_array", "load_coverage_npz"]


@dataclass(frozen=True, eq=False)
class CoverageMatrix:
    """A weighted, sparse demand × candidate coverage matrix.

    Parameters
    ----------
    matrix
        Any scipy.sparse matrix or array (or a dense 2-D array) of shape (n_demand, n_sites);
        a non-zero entry means that the site (column) covers the demand point (row). Stored as a
        boolean CSC array with sorted indices and no explicit zeros.
    weights
        One finite, non-negative weight per demand point (row).

    Raises
    ------
    InputError
        When the matrix is not 2-D, or the weights do not match its rows, or a weight is negative
        or not finite.
    """

    matrix: sparse.csc_array
    weights: np.ndarray

    def __post_init__(self) -> None:
        matrix = self.matrix
        if not sparse.issparse(matrix):
            matrix = np.asarray(matrix)
            if matrix.ndim != 2:
                msg = f"coverage matrix: expected a 2-D matrix, got {matrix.ndim} dimension(s)"
                raise InputError(msg)
        csc = sparse.csc_array(matrix)
        csc.eliminate_zeros()
        csc = sparse.csc_array(csc, dtype=bool)
        csc.sum_duplicates()
        csc.sort_indices()
        weights = np.asarray(self.weights)
        if weights.ndim != 1 or weights.shape[0] != csc.shape[0]:
            msg = (
                f"weights: expected one weight per coverage row, i.e. shape ({csc.shape[0]},), "
                f"got shape {weights.shape}"
            )
            raise InputError(msg)
        if not np.issubdtype(weights.dtype, np.number) or np.issubdtype(
            weights.dtype, np.complexfloating
        ):
            msg = f"weights: expected real numbers, got dtype {weights.dtype}"
            raise InputError(msg)
        weights = weights.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(weights))
        if bad.size:
            msg = f"weights: row {bad[0]} is not a finite number ({weights[bad[0]]})"
            raise InputError(msg)
        negative = np.flatnonzero(weights < 0)
        if negative.size:
            msg = (
                f"weights: row {negative[0]} is negative ({weights[negative[0]]:g}); "
                f"{negative.size} negative weight(s) in all, weights must be >= 0"
            )
            raise InputError(msg)
        weights.setflags(write=False)
        object.__setattr__(self, "matrix", csc)
        object.__setattr__(self, "weights", weights)

    @property
    def n_demand(self) -> int:
        """Number of demand points (rows)."""
        return int(self.matrix.shape[0])

    @property
    def n_sites(self) -> int:
        """Number of candidate sites (columns)."""
        return int(self.matrix.shape[1])

    @property
    def total_weight(self) -> float:
        """Sum of all demand weights, covered or not."""
        return float(self.weights.sum())

    def covered_rows(self, sites: Sequence[int] | np.ndarray) -> np.ndarray:
        """Boolean mask of the demand rows that at least one of `sites` covers.

        Parameters
        ----------
        sites
            Column indices.
        """
        columns = self.check_sites(sites, name="sites")
        covered = np.zeros(self.n_demand, dtype=bool)
        indptr, indices = self.matrix.indptr, self.matrix.indices
        for j in columns:
            covered[indices[indptr[j] : indptr[j + 1]]] = True
        return covered

    def covered_weight(self, sites: Sequence[int] | np.ndarray) -> float:
        """Total weight of the demand rows that at least one of `sites` covers.

        Parameters
        ----------
        sites
            Column indices.
        """
        return float(self.weights[self.covered_rows(sites)].sum())

    def check_sites(self, sites: Sequence[int] | np.ndarray, *, name: str) -> np.ndarray:
        """Validate column indices and return them as a sorted, duplicate-free int array.

        Parameters
        ----------
        sites
            Column indices.
        name
            Name of the input, for the error message.

        Raises
        ------
        InputError
            When an index is not an integer or lies outside ``0 .. n_sites - 1``, or repeats.
        """
        arr = np.asarray(sites)
        if arr.size == 0:
            return np.zeros(0, dtype=np.int64)
        if arr.ndim != 1:
            msg = f"{name}: expected a 1-D list of column indices, got shape {arr.shape}"
            raise InputError(msg)
        if not np.issubdtype(arr.dtype, np.integer):
            if not np.issubdtype(arr.dtype, np.floating) or not np.all(arr == np.round(arr)):
                msg = f"{name}: expected integer column indices, got dtype {arr.dtype}"
                raise InputError(msg)
        arr = arr.astype(np.int64)
        out = np.flatnonzero((arr < 0) | (arr >= self.n_sites))
        if out.size:
            msg = (
                f"{name}: entry {out[0]} is column {arr[out[0]]}, outside 0..{self.n_sites - 1} "
                f"(the coverage matrix has {self.n_sites} candidate sites)"
            )
            raise InputError(msg)
        unique = np.unique(arr)
        if unique.size != arr.size:
            values, counts = np.unique(arr, return_counts=True)
            msg = f"{name}: column {values[counts > 1][0]} is listed more than once"
            raise InputError(msg)
        return unique


def load_coverage_npz(path: str | Path, *, name: str = "coverage") -> sparse.csc_array:
    """Read a scipy.sparse matrix saved with `scipy.sparse.save_npz`.

    Parameters
    ----------
    path
        The .npz file.
    name
        Name of the input, for the error message.

    Raises
    ------
    InputError
        When the file is missing or is not a saved sparse matrix.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"{name}: file {path} does not exist"
        raise InputError(msg)
    if not zipfile.is_zipfile(path):
        msg = f"{name}: {path} is not an .npz archive (expected scipy.sparse.save_npz output)"
        raise InputError(msg)
    try:
        matrix = sparse.load_npz(path)
    except Exception as exc:  # numpy and zipfile raise many kinds
        msg = f"{name}: cannot read {path} as a scipy.sparse matrix saved with save_npz ({exc})"
        raise InputError(msg) from exc
    return sparse.csc_array(matrix)


def load_array(path: str | Path, *, name: str) -> np.ndarray:
    """Read a 1-D numpy array saved with `numpy.save` (no pickles).

    Parameters
    ----------
    path
        The .npy file.
    name
        Name of the input, for the error message.

    Raises
    ------
    InputError
        When the file is missing, unreadable, or does not hold a 1-D array.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"{name}: file {path} does not exist"
        raise InputError(msg)
    with open(path, "rb") as fh:
        magic = fh.read(6)
    if magic != b"\x93NUMPY":
        msg = f"{name}: {path} is not a .npy file (expected numpy.save output)"
        raise InputError(msg)
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as exc:  # numpy raises ValueError, OSError, EOFError…
        msg = f"{name}: cannot read {path} as a numpy array saved with numpy.save ({exc})"
        raise InputError(msg) from exc
    if arr.ndim != 1:
        msg = f"{name}: expected a 1-D array in {path}, got shape {arr.shape}"
        raise InputError(msg)
    return arr
