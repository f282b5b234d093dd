"""Where the next cameras go: the best new sites on a coverage matrix, with a proven bound.

`solve_siting` runs, within one time limit, a sequence of steps that each either improve the
answer or tighten the proven upper bound, and stops as soon as the two meet:

1. reduction of the model (`sentinelle.plan.reduction`), exact;
2. lazy greedy, or cost-benefit greedy under a budget (`sentinelle.plan.greedy`), with its
   online bound;
3. swap local search from the greedy answer (`sentinelle.plan.local_search`);
4. LP relaxation by interior point: a bound proven by weak duality, and a rounding of its
   solution improved by local search (`sentinelle.plan.mclp`);
5. branch and bound with HiGHS, warm-started with the best answer so far.

Steps 3 and 4's rounding are skipped when group minimums still need coverage (only HiGHS
handles those). The answer is the best of all; the bound is the smallest. ``status`` is
``optimal`` only when they meet, so a time-limited run can never claim an optimum it has not
proven.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from sentinelle.errors import InputError
from sentinelle.plan.coverage_matrix import CoverageMatrix
from sentinelle.plan.greedy import greedy_on_model, greedy_upper_bound
from sentinelle.plan.local_search import improve_by_swaps, select_by_value
from sentinelle.plan.mclp import ABS_TOLERANCE, REL_TOLERANCE, lp_bound, solve_mip
from sentinelle.plan.problem import SitingProblem, group_slack
from sentinelle.plan.reduction import ReducedModel, reduce_problem

__all__ = ["SitingResult", "SitingStatus", "solve_siting"]

LOCAL_SEARCH_SHARE = 0.1
"""At most this share of the time limit goes to each local search."""
LP_SHARE = 0.4
"""At most this share of the time left goes to the LP relaxation."""


class SitingStatus(StrEnum):
    """How far the answer is proven."""

    optimal = "optimal"
    time_limit = "time_limit"
    infeasible = "infeasible"


@dataclass(frozen=True)
class SitingResult:
    """The answer to a siting problem. Every field always exists.

    Attributes
    ----------
    status
        ``optimal`` (proven: bound equals objective, to 1e-6 or a relative 1e-7; exactly with
        integer weights), ``time_limit`` (stopped before the proof;
        `gap` says how far the answer can be from the optimum) or ``infeasible``.
    objective
        Covered weight of the answer, fixed sites included; None when no answer meeting the
        group minimums is known.
    bound
        Proven upper bound on the best covered weight; None when infeasible.
    gap
        (bound - objective) / bound, 0 when the bound is 0; None without objective or bound.
    seconds
        Wall-clock time of the whole solve (checks, reduction, heuristics, HiGHS).
    selected
        New sites (column indices), sorted. Sites that add no covered weight are left out.
    greedy_objective
        Covered weight of the lazy greedy's answer (cost-benefit greedy under a budget); None
        when it does not meet the group minimums.
    fixed
        Sites already equipped (column indices), sorted.
    total_weight
        Weight of all demand rows, covered or not.
    cost
        Total cost of the new sites, None without costs.
    group_shares
        Covered share of each group's weight (empty without groups).
    source
        Which step gave the answer: ``greedy``, ``local_search``, ``lp_rounding``, ``solver``,
        or ``none``.
    message
        One sentence on how the run ended.
    model_rows, model_columns
        Size of the reduced model (rows after dropping and merging, candidates kept).
    """

    status: SitingStatus
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    selected: tuple[int, ...]
    greedy_objective: float | None
    fixed: tuple[int, ...]
    total_weight: float
    cost: float | None
    group_shares: tuple[float, ...]
    source: str
    message: str
    model_rows: int
    model_columns: int

    @property
    def covered_share(self) -> float | None:
        """Share of the total weight the answer covers."""
        if self.objective is None:
            return None
        return self.objective / self.total_weight if self.total_weight > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (the CLI's ``--json`` output)."""
        return {
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "status": self.status.value,
            "seconds": round(self.seconds, 4),
            "selected": list(self.selected),
            "greedy_objective": self.greedy_objective,
            "fixed": list(self.fixed),
            "total_weight": self.total_weight,
            "covered_share": self.covered_share,
            "cost": self.cost,
            "group_shares": list(self.group_shares),
            "source": self.source,
            "message": self.message,
            "model_rows": self.model_rows,
            "model_columns": self.model_columns,
        }


def solve_siting(
    coverage: CoverageMatrix,
    *,
    n_sites: int | None = None,
    fixed: Sequence[int] | np.ndarray = (),
    costs: np.ndarray | None = None,
    budget: float | None = None,
    groups: np.ndarray | None = None,
    group_min_share: np.ndarray | None = None,
    site_groups: np.ndarray | None = None,
    site_group_max: np.ndarray | None = None,
    time_limit_s: float = 60.0,
) -> SitingResult:
    """Choose new camera sites that cover the most demand weight, with a proven bound.

    Parameters
    ----------
    coverage
        Demand × candidate coverage with the demand weights.
    n_sites
        Maximum number of new sites (fixed ones not counted); optional when a budget is given.
    fixed
        Column indices of sites already equipped: always selected, free, not counted.
    costs
        Cost of each candidate site; with `budget`.
    budget
        Maximum total cost of the new sites; with `costs`.
    groups
        Group index of each demand row, -1 for none; with `group_min_share`.
    group_min_share
        Minimum share (0 to 1) of each group's weight to cover.
    site_groups
        Site group of each candidate site (e.g. its zone), -1 for none; with `site_group_max`.
    site_group_max
        Maximum number of new sites in each site group.
    time_limit_s
        Wall-clock limit for the whole solve. When it runs out, the best answer found so far is
        returned with status ``time_limit`` and its proven gap.

    Returns
    -------
    SitingResult
        The answer. Group minimums that cannot be met give status ``infeasible`` and a message
        naming the cause, not an exception.

    Raises
    ------
    InputError
        When an input is malformed (shapes, negative weights, more sites than candidates…).
    SolverError
        When HiGHS fails (rather than stops on the time limit).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> cov = CoverageMatrix(sparse.csc_array(np.array([[1, 0], [1, 1], [0, 1]])), np.ones(3))
    >>> result = solve_siting(cov, n_sites=1)
    >>> result.status.value, result.objective, result.selected
    ('optimal', 2.0, (0,))
    """
    started = time.perf_counter()
    if isinstance(time_limit_s, bool) or not (
        isinstance(time_limit_s, int | float) and math.isfinite(time_limit_s) and time_limit_s >= 0
    ):
        msg = f"time_limit_s: expected a finite number of seconds >= 0, got {time_limit_s!r}"
        raise InputError(msg)
    problem = SitingProblem(
        coverage,
        n_sites=n_sites,
        fixed=fixed,
        costs=costs,
        budget=budget,
        groups=groups,
        group_min_share=group_min_share,
        site_groups=site_groups,
        site_group_max=site_group_max,
    )
    search = _Search(problem, reduce_problem(problem), started, float(time_limit_s))
    return search.run()


class _Search:
    """The best answer and the best bound so far, and the steps that improve them."""

    def __init__(
        self, problem: SitingProblem, model: ReducedModel, started: float, limit_s: float
    ) -> None:
        self.problem = problem
        self.model = model
        self.started = started
        self.limit_s = limit_s
        self.fixed = tuple(int(j) for j in np.asarray(problem.fixed))
        self.best: tuple[float, str, list[int]] | None = None
        self.bound = math.inf
        self.greedy_objective: float | None = None
        self.proof = ""

    # --- bookkeeping --------------------------------------------------------------------
    def left_s(self) -> float:
        return self.limit_s - (time.perf_counter() - self.started)

    def offer(self, source: str, positions: list[int]) -> None:
        """Keep `positions` if it meets the group minimums and beats the best so far."""
        kept = _prune(self.model, positions)
        value = self.model.value(kept)
        if not self.model.meets_groups(kept):
            return
        if self.best is None or value > self.best[0]:  # ties keep the earlier answer
            self.best = (value, source, kept)

    def tighten(self, bound: float, proof: str) -> None:
        if bound < self.bound:
            self.bound, self.proof = bound, proof

    def proven(self) -> bool:
        if self.best is None:
            return False
        slack = self.bound - self.best[0]
        return slack <= max(ABS_TOLERANCE, REL_TOLERANCE * abs(self.bound))

    # --- steps --------------------------------------------------------------------------
    def run(self) -> SitingResult:
        model = self.model
        short = model.group_reach < model.group_need - group_slack(model.group_need)
        unreachable = np.flatnonzero(short)
        if unreachable.size:
            return self._infeasible(self._unreachable_message(unreachable))

        greedy = greedy_on_model(model)
        start = _positions(model, greedy.selected)
        if greedy.feasible:
            self.greedy_objective = greedy.objective
            self.offer("greedy", start)
        self.tighten(greedy_upper_bound(model, start), "the greedy's online bound")
        if model.n_columns == 0:
            self.offer("greedy", [])
            return self._finish("no candidate site can add covered weight")
        searchable = not np.any(model.group_need > 0)

        if searchable and not self.proven() and self.left_s() > 0:
            ls_s = min(LOCAL_SEARCH_SHARE * self.limit_s, self.left_s())
            self.offer("local_search", improve_by_swaps(model, start, time_limit_s=ls_s))

        if not self.proven() and self.left_s() > 0:
            state, bound, x = lp_bound(model, time_limit_s=LP_SHARE * self.left_s())
            if state == "infeasible":
                return self._infeasible(self._infeasible_message())
            self.tighten(bound, "the LP relaxation")
            if x is not None and searchable and not self.proven() and self.left_s() > 0:
                rounded = select_by_value(model, x)
                ls_s = min(LOCAL_SEARCH_SHARE * self.limit_s, self.left_s())
                self.offer("lp_rounding", improve_by_swaps(model, rounded, time_limit_s=ls_s))

        # HiGHS stops a little after its limit: keep a margin for that and the final checks.
        mip_s = self.left_s() - min(1.0, 0.02 * self.limit_s)
        if not self.proven() and mip_s > 0:
            warm = None if self.best is None else self.best[2]
            outcome = solve_mip(model, warm_start=warm, time_limit_s=mip_s)
            if outcome.state == "infeasible":
                return self._infeasible(self._infeasible_message())
            if outcome.incumbent is not None:
                self.offer("solver", outcome.incumbent)
            self.tighten(outcome.bound, "HiGHS")
        return self._finish("")

    # --- results ------------------------------------------------------------------------
    def _base(self) -> dict[str, Any]:
        return {
            "fixed": self.fixed,
            "total_weight": self.problem.coverage.total_weight,
            "model_rows": self.model.n_rows,
            "model_columns": self.model.n_columns,
            "greedy_objective": self.greedy_objective,
            "seconds": time.perf_counter() - self.started,
        }

    def _infeasible(self, message: str) -> SitingResult:
        return SitingResult(
            status=SitingStatus.infeasible,
            objective=None,
            bound=None,
            gap=None,
            selected=(),
            cost=None,
            group_shares=(),
            source="none",
            message=message,
            **self._base(),
        )

    def _finish(self, why_trivial: str) -> SitingResult:
        if self.best is None:
            return SitingResult(
                status=SitingStatus.time_limit,
                objective=None,
                bound=self.bound,
                gap=None,
                selected=(),
                cost=None,
                group_shares=(),
                source="none",
                message="time limit reached before any choice meeting the group minimums",
                **self._base(),
            )
        _, source, positions = self.best
        columns = sorted(int(self.model.columns[p]) for p in positions)
        cov = self.problem.coverage
        covered = cov.covered_rows([*self.fixed, *columns])
        objective = float(cov.weights[covered].sum())
        # The solvers' bounds hold up to their tolerances: never report one below the answer.
        bound = max(self.bound, objective)
        gap = 0.0 if bound <= 0 else (bound - objective) / bound
        if self.proven():
            status = SitingStatus.optimal
            proof = why_trivial or f"the answer meets the bound from {self.proof}"
            message = f"proven optimal: {proof}"
        else:
            status = SitingStatus.time_limit
            message = (
                f"time limit reached: the answer is within {gap:.3%} of the optimum "
                f"(bound from {self.proof})"
            )
        group_total = self.problem.group_weights()
        group_cov = self.problem.group_weights(covered)
        shares = tuple(
            float(c / t) if t > 0 else 1.0 for c, t in zip(group_cov, group_total, strict=True)
        )
        cost = None
        if self.problem.costs is not None:
            cost = float(np.asarray(self.problem.costs)[columns].sum()) if columns else 0.0
        return SitingResult(
            status=status,
            objective=objective,
            bound=bound,
            gap=gap,
            selected=tuple(columns),
            cost=cost,
            group_shares=shares,
            source=source,
            message=message,
            **self._base(),
        )

    def _unreachable_message(self, groups: np.ndarray) -> str:
        problem = self.problem
        g = int(groups[0])
        everything = problem.coverage.covered_rows(np.arange(problem.coverage.n_sites))
        reach = problem.group_weights(everything)[g] / problem.group_weights()[g]
        more = f"; {groups.size} groups in all cannot be met" if groups.size > 1 else ""
        return (
            f"group {g} needs {problem.group_min_share[g]:.1%} of its weight "
            f"covered but all candidate sites together cover only {reach:.1%}{more}"
        )

    def _infeasible_message(self) -> str:
        problem = self.problem
        limits = []
        if problem.n_sites is not None:
            limits.append(f"at most {problem.n_sites} new site(s)")
        if problem.budget is not None:
            limits.append(f"a budget of {problem.budget:g}")
        return (
            f"no choice of new sites meets every group minimum at once with {' and '.join(limits)}"
        )


def _positions(model: ReducedModel, columns: Sequence[int]) -> list[int]:
    """Positions in the reduced model of original columns (columns not kept are skipped)."""
    wanted = np.asarray(columns, dtype=np.int64)
    if model.columns.size == 0 or wanted.size == 0:
        return []
    pos = np.minimum(np.searchsorted(model.columns, wanted), model.columns.size - 1)
    return [int(p) for p in pos[model.columns[pos] == wanted]]


def _prune(model: ReducedModel, positions: list[int]) -> list[int]:
    """Drop, in column order, sites whose removal loses no covered weight."""
    indptr, indices = model.matrix.indptr, model.matrix.indices
    count = np.zeros(model.n_rows, dtype=np.int64)
    for p in positions:
        count[indices[indptr[p] : indptr[p + 1]]] += 1
    kept = []
    for p in sorted(positions):
        rows = indices[indptr[p] : indptr[p + 1]]
        if model.weights[rows[count[rows] == 1]].sum() > 0:
            kept.append(p)
        else:
            count[rows] -= 1
    return kept
