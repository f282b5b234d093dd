r"""The maximal covering location problem as a HiGHS model, its exact solve and its LP bound.

Model (Church & ReVelle 1974), on the reduced model of `sentinelle.plan.reduction`:

.. math::

    \max \sum_i w_i y_i \quad \text{s.t.} \quad
    y_i \le \sum_{j \in N(i)} x_j \;\forall i,\quad
    \sum_j x_j \le K,\quad
    \sum_j c_j x_j \le B,\quad
    \sum_{i \in g} w_i y_i \ge \mathrm{need}_g \;\forall g,\quad
    \sum_{j \in h} x_j \le \mathrm{max}_h \;\forall h,\quad
    x_j \in \{0, 1\},\; 0 \le y_i \le 1

where :math:`N(i)` is the set of candidates covering demand row :math:`i` and :math:`h` a site
group (a zone's candidates); the count, budget, group and site-group rows appear only when asked
for. Integrality of :math:`x` suffices: for a fixed choice of
sites the best :math:`y_i` is 1 exactly on the covered rows.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from scipy import sparse

from sentinelle.errors import SolverError
from sentinelle.plan.reduction import ReducedModel

__all__ = ["MipOutcome", "build_lp", "lp_bound", "solve_mip"]

ABS_TOLERANCE = 1e-6
"""Absolute gap below which a bound and an objective count as equal."""
REL_TOLERANCE = 1e-7
"""Relative gap below which a bound and an objective with non-integral weights count as equal
(the solvers' own bounds are exact only to about this)."""

_STOPPED = (
    highspy.HighsModelStatus.kTimeLimit,
    highspy.HighsModelStatus.kInterrupt,
    highspy.HighsModelStatus.kSolutionLimit,
    highspy.HighsModelStatus.kIterationLimit,
    highspy.HighsModelStatus.kUnknown,
)


@dataclass(frozen=True)
class MipOutcome:
    """How a HiGHS run ended.

    Attributes
    ----------
    state
        ``optimal``, ``infeasible`` or ``stopped`` (time limit or another early stop).
    incumbent
        Selected positions of HiGHS's best solution, None when it has none.
    bound
        Proven upper bound, fixed sites' weight included (infinity when none).
    """

    state: str
    incumbent: list[int] | None
    bound: float


def integral_weights(model: ReducedModel) -> bool:
    """Whether every reduced weight is an integer (then every objective value is one)."""
    return bool(np.all(model.weights == np.round(model.weights)))


def build_lp(model: ReducedModel, *, integer: bool = True) -> highspy.HighsLp:
    """The MCLP of the reduced model as a HiGHS model: columns x (sites) then y (rows).

    Parameters
    ----------
    model
        The reduced model.
    integer
        Whether the site variables are integer (False: the LP relaxation).
    """
    n, m = model.n_columns, model.n_rows
    cov = sparse.csc_array(model.matrix, dtype=np.float64)
    blocks: list[list[Any]] = [[-cov, sparse.eye_array(m, format="csc")]]
    row_lower = [np.full(m, -np.inf)]
    row_upper = [np.zeros(m)]
    if model.n_sites is not None:
        blocks.append([sparse.csc_array(np.ones((1, n))), None])
        row_lower.append(np.array([-np.inf]))
        row_upper.append(np.array([float(model.n_sites)]))
    if model.costs is not None and model.budget is not None:
        blocks.append([sparse.csc_array(model.costs.reshape(1, n)), None])
        row_lower.append(np.array([-np.inf]))
        row_upper.append(np.array([model.budget]))
    needy = np.flatnonzero(model.group_need > 0)
    if needy.size:
        blocks.append([None, model.group_weight_matrix()[needy]])
        row_lower.append(model.group_need[needy])
        row_upper.append(np.full(needy.size, np.inf))
    if model.column_group is not None and model.column_group_max is not None:
        member = np.flatnonzero(model.column_group >= 0)
        capped = np.unique(model.column_group[member])
        if capped.size:
            row_of = np.full(model.column_group_max.size, -1, dtype=np.int64)
            row_of[capped] = np.arange(capped.size)
            caps = sparse.csc_array(
                (np.ones(member.size), (row_of[model.column_group[member]], member)),
                shape=(capped.size, n),
            )
            blocks.append([caps, None])
            row_lower.append(np.full(capped.size, -np.inf))
            row_upper.append(model.column_group_max[capped].astype(np.float64))
    a = sparse.csc_array(sparse.block_array(blocks, format="csc"))
    a.sort_indices()

    lp = highspy.HighsLp()
    lp.num_col_ = n + m
    lp.num_row_ = a.shape[0]
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([np.zeros(n), model.weights])
    lp.col_lower_ = np.zeros(n + m)
    lp.col_upper_ = np.ones(n + m)
    lp.row_lower_ = np.concatenate(row_lower)
    lp.row_upper_ = np.concatenate(row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [
            highspy.HighsVarType.kContinuous
        ] * m
    return lp


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance.

    HiGHS's C++ constructor prints a banner on the process's standard output (file descriptor
    1, out of Python's reach), which would spoil ``--json`` output: it is sent to /dev/null.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


def solve_mip(
    model: ReducedModel, *, warm_start: list[int] | None, time_limit_s: float
) -> MipOutcome:
    """Branch and bound with HiGHS.

    Parameters
    ----------
    model
        The reduced model (at least one column).
    warm_start
        A feasible selection (positions) to start from, or None.
    time_limit_s
        HiGHS's time limit.

    Raises
    ------
    SolverError
        When HiGHS fails rather than stops.
    """
    n = model.n_columns
    integral = integral_weights(model)
    h = new_highs()
    h.setOptionValue("time_limit", float(max(time_limit_s, 1e-3)))
    # With integral weights every objective value is an integer: a gap below 1 proves optimality
    # (0.999 leaves room for the rounding slack of `_integral_floor`).
    h.setOptionValue("mip_rel_gap", 0.0 if integral else REL_TOLERANCE)
    h.setOptionValue("mip_abs_gap", 0.999 if integral else ABS_TOLERANCE)
    if h.passModel(build_lp(model)) == highspy.HighsStatus.kError:
        msg = "HiGHS rejected the siting model"
        raise SolverError(msg)
    if warm_start is not None:
        x = np.zeros(n)
        x[warm_start] = 1.0
        y = (sparse.csc_array(model.matrix, dtype=np.float64) @ x > 0).astype(np.float64)
        warm = highspy.HighsSolution()
        warm.col_value = np.concatenate([x, y]).tolist()
        warm.value_valid = True
        h.setSolution(warm)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return MipOutcome("infeasible", None, math.inf)
    if status != highspy.HighsModelStatus.kOptimal and status not in _STOPPED:
        msg = f"HiGHS could not solve the siting model: {h.modelStatusToString(status)}"
        raise SolverError(msg)
    info = h.getInfo()
    incumbent = None
    if info.primal_solution_status == 2:  # kSolutionStatusFeasible
        values = np.asarray(h.getSolution().col_value[:n])
        incumbent = [int(p) for p in np.flatnonzero(values > 0.5)]
    bound = _integral_floor(float(info.mip_dual_bound), integral)
    state = "optimal" if status == highspy.HighsModelStatus.kOptimal else "stopped"
    if state == "optimal" and incumbent is None:
        msg = "HiGHS reported an optimum but returned no solution"
        raise SolverError(msg)
    return MipOutcome(state, incumbent, model.constant + bound)


def lp_bound(model: ReducedModel, *, time_limit_s: float) -> tuple[str, float, np.ndarray | None]:
    """A proven upper bound from the LP relaxation, solved by interior point without crossover.

    Interior-point duals are only nearly optimal, so the bound is not read from the solver: it
    is recomputed from the duals by weak duality. For any row multipliers p,

        max c·z  (rl <= A z <= ru, 0 <= z <= 1)
        <= sum_r (p_r ru_r if p_r > 0 else p_r rl_r) + sum_j max(0, c_j - (A^T p)_j),

    whatever p is, so the bound holds even if the solver stopped early.

    Parameters
    ----------
    model
        The reduced model.
    time_limit_s
        Limit for the interior-point run.

    Returns
    -------
    state : str
        ``infeasible`` when the relaxation (hence the problem) is infeasible, else ``done``.
    bound : float
        The bound, fixed sites' weight included; infinity when no duals came back.
    x : numpy.ndarray or None
        The relaxation's site values (for rounding), None when none came back.
    """
    lp = build_lp(model, integer=False)
    h = new_highs()
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    h.setOptionValue("time_limit", float(max(time_limit_s, 1e-3)))
    h.passModel(lp)
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", math.inf, None
    solution = h.getSolution()
    x = np.asarray(solution.col_value[: model.n_columns]) if solution.value_valid else None
    if not solution.dual_valid:
        return "done", math.inf, x
    p = np.asarray(solution.row_dual, dtype=np.float64)
    a = sparse.csc_array(
        (
            np.asarray(lp.a_matrix_.value_),
            np.asarray(lp.a_matrix_.index_),
            np.asarray(lp.a_matrix_.start_),
        ),
        shape=(lp.num_row_, lp.num_col_),
    )
    cost = np.asarray(lp.col_cost_)
    rl, ru = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    best = math.inf
    for mult in (p, -p):  # the sign convention does not matter: both are valid bounds
        mult = np.where(((mult > 0) & np.isinf(ru)) | ((mult < 0) & np.isinf(rl)), 0.0, mult)
        rows = np.where(mult > 0, mult * np.where(np.isinf(ru), 0.0, ru), 0.0)
        rows += np.where(mult < 0, mult * np.where(np.isinf(rl), 0.0, rl), 0.0)
        reduced = cost - a.T @ mult
        best = min(best, float(rows.sum() + np.maximum(reduced, 0.0).sum()))
    return "done", model.constant + _integral_floor(best, integral_weights(model)), x


def _integral_floor(bound: float, integral: bool) -> float:
    """With integral weights the optimum is an integer, so a bound can be rounded down.

    A small slack (1e-6 + 1e-9 of the value) absorbs the solver's floating-point error, so the
    rounding never cuts below an integer the bound only misses by noise.
    """
    if integral and math.isfinite(bound):
        return float(math.floor(bound + 1e-6 + 1e-9 * abs(bound)))
    return bound
