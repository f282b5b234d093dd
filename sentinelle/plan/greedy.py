"""Greedy siting: fast, reproducible answers and the warm start of the exact solver.

* Cardinality (at most K new sites): the lazy greedy of Minoux (1978). Marginal gains of a
  coverage function only shrink as sites are added, so a gain computed earlier is an upper
  bound; the best site is found by re-evaluating only the top of a heap. Same picks as the
  plain greedy, with ties going to the lowest column index. Guarantee: at least (1 - 1/e) of
  the optimum (Nemhauser, Wolsey & Fisher 1978).
* Budget: the cost-benefit greedy (gain per unit of cost, lazily as well), compared with the
  best single affordable site; the better of the two is at least (1 - 1/e)/2 of the optimum
  (Khuller, Moss & Naor 1999).
* Group minimums: first a phase that picks sites by the shortfall they remove (the truncated
  coverage of the groups below their minimum, also submodular), then the usual phase. This is
  a heuristic: when it cannot meet the minimums, the result says so (`feasible` is False).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sentinelle.plan.coverage_matrix import CoverageMatrix
from sentinelle.plan.problem import SitingProblem, group_slack
from sentinelle.plan.reduction import ReducedModel, reduce_problem

__all__ = ["GreedyResult", "greedy_on_model", "greedy_siting", "greedy_upper_bound"]


@dataclass(frozen=True)
class GreedyResult:
    """What a greedy run chose.

    Attributes
    ----------
    selected
        New sites (original column indices), sorted.
    order
        The same sites in the order they were picked.
    objective
        Covered weight, fixed sites included.
    feasible
        Whether the choice meets every group minimum (always True without groups).
    """

    selected: tuple[int, ...]
    order: tuple[int, ...]
    objective: float
    feasible: bool


def greedy_siting(
    coverage: CoverageMatrix,
    *,
    n_sites: int | None = None,
    fixed: Sequence[int] | np.ndarray = (),
    costs: np.ndarray | None = None,
    budget: float | None = None,
    groups: np.ndarray | None = None,
    group_min_share: np.ndarray | None = None,
) -> GreedyResult:
    """Choose new sites greedily (lazy greedy, or cost-benefit greedy under a budget).

    Parameters
    ----------
    coverage
        Demand × candidate coverage with the demand weights.
    n_sites
        Maximum number of new sites; optional when a budget is given.
    fixed
        Column indices of sites already equipped (always selected, not counted, free).
    costs
        Cost of each candidate site; with `budget`.
    budget
        Maximum total cost of the new sites; with `costs`.
    groups
        Group of each demand row, -1 for none; with `group_min_share`.
    group_min_share
        Minimum covered share of each group's weight.

    Returns
    -------
    GreedyResult
        The chosen sites and their covered weight.
    """
    problem = SitingProblem(
        coverage,
        n_sites=n_sites,
        fixed=fixed,
        costs=costs,
        budget=budget,
        groups=groups,
        group_min_share=group_min_share,
    )
    return greedy_on_model(reduce_problem(problem))


def greedy_on_model(model: ReducedModel) -> GreedyResult:
    """Run the greedy on a reduced model.

    Parameters
    ----------
    model
        The reduced model.

    Returns
    -------
    GreedyResult
        Picks mapped back to original column indices.
    """
    state = _State(model)
    if model.n_groups and np.any(model.group_need > 0):
        state.run(state.shortfall_scores(), state.shortfall_gain, until_met=True)
    feasible = not np.any(state.shortfall() > 0)
    phase1 = list(state.picked)
    state.run(state.coverage_scores(), state.coverage_gain)
    picks = state.picked
    best_value = state.value
    if model.costs is not None:
        single = _best_single_after(model, phase1)
        if single is not None and single[1] > best_value:
            picks, best_value = [*phase1, single[0]], single[1]
    order = tuple(int(model.columns[p]) for p in picks)
    return GreedyResult(
        selected=tuple(sorted(order)),
        order=order,
        objective=model.constant + best_value,
        feasible=feasible,
    )


def greedy_upper_bound(model: ReducedModel, positions: Sequence[int]) -> float:
    """An upper bound on the optimum, from any set of sites (Minoux's online bound).

    For a coverage function f and any set S, the optimum is at most f(S) plus the best sum of
    marginal gains over S that the limits allow: the K largest gains, or the fractional
    knapsack of gains under the budget (the smaller of the two when both limits apply), and
    never more than all the coverable weight. Group minimums only lower the optimum.

    Parameters
    ----------
    model
        The reduced model.
    positions
        Positions (reduced columns) of the sites in S.

    Returns
    -------
    float
        The bound, fixed sites' weight included.
    """
    covered = np.zeros(model.n_rows, dtype=bool)
    indptr, indices = model.matrix.indptr, model.matrix.indices
    for p in positions:
        covered[indices[indptr[p] : indptr[p + 1]]] = True
    value = float(model.weights[covered].sum())
    gains = model.matrix.T @ np.where(covered, 0.0, model.weights)
    extra = float(gains.sum())
    if model.n_sites is not None:
        top = np.sort(gains)[::-1][: model.n_sites]
        extra = min(extra, float(top.sum()))
    if model.costs is not None and model.budget is not None:
        extra = min(extra, _fractional_knapsack(gains, model.costs, model.budget))
    return model.constant + min(value + extra, float(model.weights.sum()))


def _fractional_knapsack(values: np.ndarray, costs: np.ndarray, budget: float) -> float:
    free = costs <= 0
    total = float(values[free].sum())
    vals, cst = values[~free], costs[~free]
    order = np.argsort(-(vals / cst), kind="stable")
    spent = np.cumsum(cst[order])
    whole = spent <= budget
    total += float(vals[order][whole].sum())
    rest = np.flatnonzero(~whole)
    if rest.size:
        k = rest[0]
        left = budget - (spent[k - 1] if k > 0 else 0.0)
        total += float(vals[order][k]) * max(left, 0.0) / float(cst[order][k])
    return total


def _best_single_after(model: ReducedModel, picks: list[int]) -> tuple[int, float] | None:
    """Best affordable single site added to `picks`: (position, value of picks + it)."""
    spent = float(model.costs[picks].sum()) if picks else 0.0  # type: ignore[index]
    if model.n_sites is not None and len(picks) >= model.n_sites:
        return None
    covered = np.zeros(model.n_rows, dtype=bool)
    indptr, indices = model.matrix.indptr, model.matrix.indices
    for p in picks:
        covered[indices[indptr[p] : indptr[p + 1]]] = True
    base = float(model.weights[covered].sum())
    gains = model.matrix.T @ np.where(covered, 0.0, model.weights)
    affordable = model.costs <= model.budget - spent + 1e-12 * max(1.0, model.budget)  # type: ignore[operator]
    affordable[picks] = False
    if not affordable.any():
        return None
    gains = np.where(affordable, gains, -1.0)
    best = int(np.argmax(gains))  # first maximum: lowest column index
    return best, base + float(gains[best])


class _State:
    """Coverage so far, capacity left, and the lazy heap machinery."""

    def __init__(self, model: ReducedModel) -> None:
        self.model = model
        self.indptr = model.matrix.indptr
        self.indices = model.matrix.indices
        self.uncovered_w = model.weights.astype(np.float64).copy()
        self.value = 0.0
        self.picked: list[int] = []
        self.chosen = np.zeros(model.n_columns, dtype=bool)
        self.spent = 0.0
        self.deficit = model.group_need.astype(np.float64).copy()
        self.group_tol = group_slack(model.group_need)

    # --- scores -------------------------------------------------------------------------
    def coverage_gain(self, p: int) -> float:
        return float(self.uncovered_w[self.indices[self.indptr[p] : self.indptr[p + 1]]].sum())

    def shortfall_gain(self, p: int) -> float:
        rows = self.indices[self.indptr[p] : self.indptr[p + 1]]
        groups = self.model.row_group[rows]
        member = groups >= 0
        by_group = np.bincount(
            groups[member], weights=self.uncovered_w[rows][member], minlength=self.deficit.size
        )
        return float(np.minimum(self.deficit, by_group).sum())

    def coverage_scores(self) -> np.ndarray:
        return np.asarray(self.model.matrix.T @ self.uncovered_w, dtype=np.float64)

    def shortfall_scores(self) -> np.ndarray:
        gw = self.model.group_weight_matrix() @ sparse.diags_array(
            (self.uncovered_w > 0).astype(np.float64)
        )
        by_group = (self.model.matrix.T.astype(np.float64) @ gw.T).toarray()  # columns × groups
        return np.minimum(self.deficit[None, :], by_group).sum(axis=1)

    def shortfall(self) -> np.ndarray:
        return np.where(self.deficit > self.group_tol, self.deficit, 0.0)

    # --- capacity -----------------------------------------------------------------------
    def has_room(self) -> bool:
        return self.model.n_sites is None or len(self.picked) < self.model.n_sites

    def fits(self, p: int) -> bool:
        if self.model.costs is None:
            return True
        slack = 1e-12 * max(1.0, float(self.model.budget))  # type: ignore[arg-type]
        return self.spent + float(self.model.costs[p]) <= self.model.budget + slack  # type: ignore[operator]

    def ratio(self, p: int, gain: float) -> float:
        if self.model.costs is None or gain <= 0:
            return gain
        cost = float(self.model.costs[p])
        return np.inf if cost <= 0 else gain / cost

    # --- picking ------------------------------------------------------------------------
    def take(self, p: int) -> None:
        rows = self.indices[self.indptr[p] : self.indptr[p + 1]]
        gained = self.uncovered_w[rows]
        self.value += float(gained.sum())
        if self.deficit.size:
            groups = self.model.row_group[rows]
            member = groups >= 0
            by_group = np.bincount(
                groups[member], weights=gained[member], minlength=self.deficit.size
            )
            self.deficit = np.maximum(self.deficit - by_group, 0.0)
        self.uncovered_w[rows] = 0.0
        self.picked.append(p)
        self.chosen[p] = True
        if self.model.costs is not None:
            self.spent += float(self.model.costs[p])

    def run(
        self, scores: np.ndarray, gain: Callable[[int], float], *, until_met: bool = False
    ) -> None:
        """Lazy greedy: pick while the best score is positive and there is room.

        With `until_met`, stop as soon as every group minimum is met.
        """
        heap = [
            (-self.ratio(p, float(s)), p)
            for p, s in enumerate(scores)
            if s > 0 and not self.chosen[p]
        ]
        heapq.heapify(heap)
        while heap and self.has_room():
            if until_met and not np.any(self.shortfall() > 0):
                return
            _, p = heapq.heappop(heap)
            if not self.fits(p):
                continue  # the budget left only shrinks: it will never fit again
            fresh = self.ratio(p, gain(p))
            if fresh <= 0:
                continue  # gains only shrink: it will never help again
            if not heap or (-fresh, p) <= heap[0]:
                self.take(p)
            else:
                heapq.heappush(heap, (-fresh, p))
