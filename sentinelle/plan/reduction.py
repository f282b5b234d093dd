"""The smaller model the solvers work on: same optimum, far fewer rows.

Four reductions, each exact:

1. rows of weight 0 are dropped (they add nothing);
2. rows already covered by a fixed site are dropped, their weight becomes a constant;
3. rows that no free candidate covers are dropped (they can never be covered);
4. rows with the same set of covering candidates (and the same group) are merged into one row
   whose weight is the sum of theirs.

Candidates that cover none of the remaining rows are dropped too. Kept columns stay in their
original order, so "lowest position" still means "lowest column index" for tie-breaking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sentinelle.plan.problem import SitingProblem, group_slack

__all__ = ["ReducedModel", "reduce_problem"]


@dataclass(frozen=True, eq=False)
class ReducedModel:
    """A reduced siting model.

    Attributes
    ----------
    columns
        Original column index of each kept candidate (increasing).
    matrix
        Boolean CSC coverage of the kept rows by the kept candidates.
    weights
        Weight of each kept (merged) row.
    row_group
        Group of each kept row, -1 for none.
    constant
        Weight covered by the fixed sites.
    group_need
        Per group, weight still to cover among the kept rows to reach the minimum share.
    group_reach
        Per group, the most weight the kept rows can add (all candidates selected).
    n_sites
        Cap on the number of new sites (None: no cap).
    costs
        Cost of each kept candidate, or None.
    budget
        Budget for the new sites, or None.
    """

    columns: np.ndarray
    matrix: sparse.csc_array
    weights: np.ndarray
    row_group: np.ndarray
    constant: float
    group_need: np.ndarray
    group_reach: np.ndarray
    n_sites: int | None
    costs: np.ndarray | None
    budget: float | None

    @property
    def n_rows(self) -> int:
        """Number of rows of the reduced model."""
        return int(self.matrix.shape[0])

    @property
    def n_columns(self) -> int:
        """Number of candidate columns of the reduced model."""
        return int(self.matrix.shape[1])

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return int(self.group_need.size)

    def covered(self, positions: list[int] | np.ndarray) -> np.ndarray:
        """Boolean mask of the reduced rows that the sites at `positions` cover."""
        mask = np.zeros(self.n_rows, dtype=bool)
        indptr, indices = self.matrix.indptr, self.matrix.indices
        for p in positions:
            mask[indices[indptr[p] : indptr[p + 1]]] = True
        return mask

    def value(self, positions: list[int] | np.ndarray) -> float:
        """Covered weight of a selection, fixed sites' weight included."""
        return self.constant + float(self.weights[self.covered(positions)].sum())

    def meets_groups(self, positions: list[int] | np.ndarray) -> bool:
        """Whether a selection covers each group's remaining need."""
        if not np.any(self.group_need > 0):
            return True
        covered = self.covered(positions)
        member = (self.row_group >= 0) & covered
        got = np.bincount(
            self.row_group[member], weights=self.weights[member], minlength=self.n_groups
        )
        return bool(np.all(got >= self.group_need - group_slack(self.group_need)))

    def group_weight_matrix(self) -> sparse.csr_array:
        """Sparse (n_groups × n_rows) weight of each reduced row in its group."""
        member = np.flatnonzero(self.row_group >= 0)
        return sparse.csr_array(
            (self.weights[member], (self.row_group[member], member)),
            shape=(self.n_groups, self.n_rows),
        )


def reduce_problem(problem: SitingProblem) -> ReducedModel:
    """Apply the exact reductions to a siting problem.

    Parameters
    ----------
    problem
        A validated siting problem.

    Returns
    -------
    ReducedModel
        The reduced model; its optimum plus `constant` is the problem's optimum.
    """
    cov = problem.coverage
    fixed = np.asarray(problem.fixed, dtype=np.int64)
    weights = cov.weights
    fixed_cover = cov.covered_rows(fixed)
    constant = float(weights[fixed_cover].sum())

    free_mask = np.ones(cov.n_sites, dtype=bool)
    free_mask[fixed] = False
    free_cols = np.flatnonzero(free_mask)
    csr = sparse.csr_array(cov.matrix[:, free_cols])
    coverable = np.diff(csr.indptr) > 0
    keep_rows = np.flatnonzero((weights > 0) & ~fixed_cover & coverable)
    csr = csr[keep_rows]
    csr.sort_indices()
    kept_weights = weights[keep_rows]
    groups = np.full(cov.n_demand, -1, dtype=np.int64) if problem.groups is None else problem.groups
    kept_groups = groups[keep_rows]

    merged_of_row, first_rows = _merge_identical_rows(csr, kept_groups)
    n_merged = first_rows.size
    merged_weights = np.bincount(merged_of_row, weights=kept_weights, minlength=n_merged)
    merged = sparse.csc_array(csr[first_rows])

    used = np.diff(merged.indptr) > 0
    columns = free_cols[used]
    merged = sparse.csc_array(merged[:, np.flatnonzero(used)])
    merged.sort_indices()
    row_group = kept_groups[first_rows]

    if problem.n_groups:
        need_total = problem.group_min_share * problem.group_weights()
        need = need_total - problem.group_weights(fixed_cover)
        member = row_group >= 0
        reach = np.bincount(
            row_group[member], weights=merged_weights[member], minlength=problem.n_groups
        )
        need = np.where(need > group_slack(need_total), need, 0.0)
    else:
        need = reach = np.zeros(0)

    costs = None if problem.costs is None else np.asarray(problem.costs)[columns]
    return ReducedModel(
        columns=columns,
        matrix=merged,
        weights=merged_weights,
        row_group=row_group,
        constant=constant,
        group_need=need,
        group_reach=reach,
        n_sites=problem.n_sites,
        costs=costs,
        budget=problem.budget,
    )


def _merge_identical_rows(
    csr: sparse.csr_array, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Label rows with the same column set and group; return labels and each label's first row."""
    indptr = csr.indptr
    raw = np.ascontiguousarray(csr.indices, dtype=np.int64).tobytes()
    seen: dict[tuple[int, bytes], int] = {}
    labels = np.empty(csr.shape[0], dtype=np.int64)
    first: list[int] = []
    for i in range(csr.shape[0]):
        key = (int(groups[i]), raw[8 * indptr[i] : 8 * indptr[i + 1]])
        label = seen.get(key)
        if label is None:
            label = len(first)
            seen[key] = label
            first.append(i)
        labels[i] = label
    return labels, np.asarray(first, dtype=np.int64)
