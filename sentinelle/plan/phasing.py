"""Phasing: a multi-year programme under a yearly capital budget.

Order of the new sites: the cost-benefit greedy over the sites the siting chose, starting from
what the existing cameras already cover — at each step the site that adds the most covered
weight per euro (ties to the lowest column). So the first years gain the most coverage.

Each year, in this order:

1. replacements of existing cameras that reach `replacement_age_years` that year (or are
   already older at the start), oldest first, at ``replacement_share`` of a new camera's
   cost; a replacement that does not fit the budget left waits for the next year;
2. new sites in the greedy order, each taken when it fits the budget left (first fit: a site
   too dear for what is left waits, cheaper ones after it may still go in).

Without a yearly budget, the new sites are spread in order over the years, as evenly as the
count allows, and replacements go in their due year. Sites the horizon cannot fund are listed
as left over, never silently dropped. A year's spend never exceeds its budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sentinelle.plan.coverage_matrix import CoverageMatrix

__all__ = ["Programme", "YearPlan", "gain_order", "phase_programme"]


@dataclass
class YearPlan:
    """What one year of the programme does.

    Attributes
    ----------
    year
        Calendar year.
    budget_eur
        The year's capital budget (None: none set).
    sites
        New sites (columns) equipped this year, in order.
    replacements
        Existing cameras (indices) replaced this year.
    spent_eur
        Capital spent (sites and replacements).
    gained_weight
        Covered weight the year's new sites add.
    """

    year: int
    budget_eur: float | None
    sites: list[int] = field(default_factory=list)
    replacements: list[int] = field(default_factory=list)
    spent_eur: float = 0.0
    gained_weight: float = 0.0


@dataclass(frozen=True)
class Programme:
    """The years, what is left over, and the order the sites were ranked in.

    Attributes
    ----------
    years
        One plan per year.
    order
        All new sites, in the cost-benefit greedy order.
    gains
        Covered weight each site in `order` adds after those before it.
    left_over
        New sites no year could fund.
    replacements_left
        Existing cameras due for replacement that no year could fund.
    unknown_age
        Existing cameras whose installation year is unknown (not scheduled).
    """

    years: list[YearPlan]
    order: list[int]
    gains: list[float]
    left_over: list[int]
    replacements_left: list[int]
    unknown_age: list[int]


def gain_order(
    coverage: CoverageMatrix, sites: Sequence[int], base: Sequence[int], costs: NDArray
) -> tuple[list[int], list[float]]:
    """Sites by decreasing covered weight added per euro, after the `base` sites.

    Parameters
    ----------
    coverage
        Cells × columns, with the cells' weights.
    sites
        The columns to order.
    base
        Columns already in service (their coverage counts from the start).
    costs
        Cost of each column (a cost of 0 ranks first).

    Returns
    -------
    order, gains
        The columns in order and the weight each adds when its turn comes.
    """
    mat = coverage.matrix
    covered = coverage.covered_rows(list(base)) if len(base) else np.zeros(coverage.n_demand, bool)
    uncovered_w = np.where(covered, 0.0, coverage.weights)
    left = sorted(int(s) for s in sites)
    order: list[int] = []
    gains: list[float] = []
    while left:
        best, best_score, best_gain = -1, -np.inf, 0.0
        for j in left:
            rows = mat.indices[mat.indptr[j] : mat.indptr[j + 1]]
            gain = float(uncovered_w[rows].sum())
            cost = float(costs[j])
            score = np.inf if cost <= 0 and gain > 0 else (gain / cost if cost > 0 else 0.0)
            if score > best_score:
                best, best_score, best_gain = j, score, gain
        rows = mat.indices[mat.indptr[best] : mat.indptr[best + 1]]
        uncovered_w[rows] = 0.0
        order.append(best)
        gains.append(best_gain)
        left.remove(best)
    return order, gains


def phase_programme(
    order: Sequence[int],
    gains: Sequence[float],
    site_cost: NDArray,
    *,
    start_year: int,
    years: int,
    yearly_budget_eur: float | None,
    installed_year: Sequence[int | None],
    replacement_age_years: int,
    replacement_cost_eur: NDArray,
) -> Programme:
    """Spread new sites and replacements over the years under the yearly budget.

    Parameters
    ----------
    order, gains
        New sites in priority order and the weight each adds (from `gain_order`).
    site_cost
        Cost of each column in the programme (indexed by column).
    start_year, years
        The programme's first year and length.
    yearly_budget_eur
        Capital budget per year; None for no limit.
    installed_year
        Installation year of each existing camera (None when unknown).
    replacement_age_years
        Age at which an existing camera is replaced.
    replacement_cost_eur
        Cost of replacing each existing camera.

    Returns
    -------
    Programme
        The yearly plans; a year's `spent_eur` never exceeds its budget.
    """
    plans = [YearPlan(start_year + k, yearly_budget_eur) for k in range(years)]
    last = start_year + years - 1
    unknown = [i for i, y in enumerate(installed_year) if y is None]
    due = sorted(
        ((max(int(y) + replacement_age_years, start_year), int(y), i)
         for i, y in enumerate(installed_year) if y is not None
         and int(y) + replacement_age_years <= last),
    )
    gain_of = dict(zip(order, gains, strict=True))
    waiting_repl: list[int] = []
    queue = list(order)
    if yearly_budget_eur is None:
        per_year = np.array_split(np.asarray(queue, int), years)
    for k, plan in enumerate(plans):
        left = np.inf if yearly_budget_eur is None else float(yearly_budget_eur)
        slack = 1e-9 * max(1.0, left) if np.isfinite(left) else 0.0
        waiting_repl += [i for (d, _, i) in due if d == plan.year]
        still: list[int] = []
        for i in waiting_repl:
            c = float(replacement_cost_eur[i])
            if c <= left + slack:
                plan.replacements.append(i)
                plan.spent_eur += c
                left -= c
            else:
                still.append(i)
        waiting_repl = still
        candidates = [int(j) for j in per_year[k]] if yearly_budget_eur is None else queue
        taken: list[int] = []
        for j in candidates:
            c = float(site_cost[j])
            if c <= left + slack:
                taken.append(j)
                plan.spent_eur += c
                plan.gained_weight += gain_of[j]
                left -= c
        plan.sites = taken
        if yearly_budget_eur is not None:
            queue = [j for j in queue if j not in set(taken)]
    left_over = queue if yearly_budget_eur is not None else []
    return Programme(
        years=plans,
        order=list(order),
        gains=list(gains),
        left_over=left_over,
        replacements_left=waiting_repl,
        unknown_age=unknown,
    )
