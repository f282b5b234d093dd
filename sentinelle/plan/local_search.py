"""Swap local search: improve a set of sites by exchanging one chosen site for one unchosen.

Each round scores every exchange (site s out, candidate j in) at once with sparse products:

    delta(j, s) = gain(j) - loss(s) + shared(j, s)

where gain(j) is the uncovered weight j would cover, loss(s) the weight only s covers, and
shared(j, s) the part of that weight j covers too. Additions are scored as well while there is
room (count and budget). The best strictly improving move is applied (ties to the lowest
column indices), until none is left or the time runs out. Group minimums are not handled here:
callers use it only when no group still needs coverage.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse

from sentinelle.plan.reduction import ReducedModel

__all__ = ["improve_by_swaps"]


def improve_by_swaps(
    model: ReducedModel,
    positions: list[int],
    *,
    time_limit_s: float,
    max_rounds: int = 10_000,
) -> list[int]:
    """Improve a selection by best-improvement swaps and additions.

    Parameters
    ----------
    model
        The reduced model (its count cap and budget are respected).
    positions
        Starting selection, as positions in the reduced model.
    time_limit_s
        Stop after this many seconds (the last completed round is kept).
    max_rounds
        Stop after this many moves.

    Returns
    -------
    list[int]
        The improved selection (positions), never worse than the start.
    """
    started = time.perf_counter()
    n = model.n_columns
    if n == 0:
        return list(positions)
    mat = sparse.csc_array(model.matrix, dtype=np.float64)
    mat_t = sparse.csr_array(mat.T)
    w = model.weights
    chosen = np.zeros(n, dtype=bool)
    chosen[positions] = True
    count = np.asarray(mat @ chosen.astype(np.float64)).round().astype(np.int64)
    costs = model.costs
    spent = float(costs[chosen].sum()) if costs is not None else 0.0
    budget = model.budget if model.budget is not None else np.inf
    slack = 1e-12 * max(1.0, abs(budget)) if np.isfinite(budget) else 0.0
    threshold = 1e-9 * max(1.0, float(w.sum()))
    cap = model.n_sites if model.n_sites is not None else n

    for _ in range(max_rounds):
        if time.perf_counter() - started > time_limit_s:
            break
        gain = mat_t @ np.where(count == 0, w, 0.0)
        gain[chosen] = -np.inf
        best_delta, move = threshold, None
        # additions
        if chosen.sum() < cap:
            fits = ~chosen
            if costs is not None:
                fits &= spent + costs <= budget + slack
            add_gain = np.where(fits, gain, -np.inf)
            j = int(np.argmax(add_gain))
            if add_gain[j] > best_delta:
                best_delta, move = float(add_gain[j]), (j, None)
        # exchanges
        sel = np.flatnonzero(chosen)
        if sel.size:
            only = np.where(count == 1, w, 0.0)
            loss = mat_t[sel] @ only
            shared = (mat_t @ sparse.diags_array(only) @ mat[:, sel]).toarray()
            delta = gain[:, None] - loss[None, :] + shared
            if costs is not None:
                feasible = spent - costs[sel][None, :] + costs[:, None] <= budget + slack
                delta = np.where(feasible, delta, -np.inf)
            flat = int(np.argmax(delta))
            j, k = divmod(flat, sel.size)
            if delta[j, k] > best_delta:
                best_delta, move = float(delta[j, k]), (j, int(sel[k]))
        if move is None:
            break
        j_in, s_out = move
        rows = mat.indices[mat.indptr[j_in] : mat.indptr[j_in + 1]]
        count[rows] += 1
        chosen[j_in] = True
        if costs is not None:
            spent += float(costs[j_in])
        if s_out is not None:
            rows = mat.indices[mat.indptr[s_out] : mat.indptr[s_out + 1]]
            count[rows] -= 1
            chosen[s_out] = False
            if costs is not None:
                spent -= float(costs[s_out])
    return [int(p) for p in np.flatnonzero(chosen)]


def select_by_value(model: ReducedModel, values: np.ndarray) -> list[int]:
    """Round a fractional selection: take sites by decreasing value while they fit.

    Parameters
    ----------
    model
        The reduced model (count cap and budget are respected).
    values
        A value per column, e.g. the LP relaxation's x; ties go to the lowest column.

    Returns
    -------
    list[int]
        Positions of the chosen sites, sorted.
    """
    order = np.lexsort((np.arange(values.size), -values))
    cap = model.n_sites if model.n_sites is not None else values.size
    budget = model.budget if model.budget is not None else np.inf
    slack = 1e-12 * max(1.0, abs(budget)) if np.isfinite(budget) else 0.0
    spent = 0.0
    chosen: list[int] = []
    for p in order:
        if len(chosen) >= cap or values[p] <= 0:
            break
        cost = float(model.costs[p]) if model.costs is not None else 0.0
        if spent + cost <= budget + slack:
            chosen.append(int(p))
            spent += cost
    return sorted(chosen)
