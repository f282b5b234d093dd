"""A siting problem: the coverage matrix and what the planner asks of it, checked at the door.

How many new sites, which sites are already equipped, what each new site costs and the budget,
and the minimum share of each group's weight (each QPV, say) that must end up covered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sentinelle.errors import InputError
from sentinelle.plan.coverage_matrix import CoverageMatrix

__all__ = ["SitingProblem", "group_slack"]


def group_slack(need: np.ndarray | float) -> np.ndarray:
    """Weight by which a group may miss its minimum and still meet it: floating-point noise.

    Parameters
    ----------
    need
        The weight each group must reach.
    """
    return 1e-6 + 1e-9 * np.abs(np.asarray(need, dtype=np.float64))


@dataclass(frozen=True, eq=False)
class SitingProblem:
    """What to choose, under which limits.

    Parameters
    ----------
    coverage
        Demand × candidate coverage with the demand weights.
    n_sites
        Maximum number of NEW sites (fixed sites are not counted). Required unless a budget is
        given, in which case it is an optional extra cap.
    fixed
        Column indices of sites already equipped: always selected, free, not counted.
    costs
        Cost of each candidate site (one per column, >= 0); only new sites are charged.
    budget
        Maximum total cost of the new sites; given together with `costs`.
    groups
        Group index of each demand row (0 .. n_groups - 1), or -1 for a row in no group.
    group_min_share
        For each group, the minimum share (0 to 1) of its weight that must be covered.

    Raises
    ------
    InputError
        When an input has the wrong shape, a value is out of range, or the inputs that go in
        pairs (costs and budget, groups and group minimums) do not come together.
    """

    coverage: CoverageMatrix
    n_sites: int | None = None
    fixed: np.ndarray | Sequence[int] = ()
    costs: np.ndarray | None = None
    budget: float | None = None
    groups: np.ndarray | None = None
    group_min_share: np.ndarray | None = None

    def __post_init__(self) -> None:
        cov = self.coverage
        if not isinstance(cov, CoverageMatrix):
            msg = f"coverage: expected a CoverageMatrix, got {type(cov).__name__}"
            raise InputError(msg)
        fixed = cov.check_sites(self.fixed, name="fixed")
        object.__setattr__(self, "fixed", fixed)
        n_free = cov.n_sites - fixed.size
        self._check_pairs()
        if self.n_sites is None:
            if self.budget is None:
                msg = "sites: the number of new sites is required unless a budget is given"
                raise InputError(msg)
        else:
            if isinstance(self.n_sites, bool) or not isinstance(self.n_sites, int | np.integer):
                msg = f"sites: expected an integer number of new sites, got {self.n_sites!r}"
                raise InputError(msg)
            if self.n_sites < 0:
                msg = f"sites: the number of new sites must be >= 0, got {self.n_sites}"
                raise InputError(msg)
            if self.n_sites > n_free:
                msg = (
                    f"sites: asked for {self.n_sites} new sites but there are only {n_free} "
                    f"candidate sites ({cov.n_sites} columns, {fixed.size} of them fixed)"
                )
                raise InputError(msg)
            object.__setattr__(self, "n_sites", int(self.n_sites))
        if self.costs is not None:
            object.__setattr__(self, "costs", self._checked_costs())
            budget = float(self.budget)  # type: ignore[arg-type]
            if not np.isfinite(budget) or budget < 0:
                msg = f"budget: expected a finite amount >= 0, got {self.budget}"
                raise InputError(msg)
            object.__setattr__(self, "budget", budget)
        if self.groups is not None:
            groups, shares = self._checked_groups()
            object.__setattr__(self, "groups", groups)
            object.__setattr__(self, "group_min_share", shares)

    def _check_pairs(self) -> None:
        if (self.costs is None) != (self.budget is None):
            given, missing = ("costs", "budget") if self.costs is not None else ("budget", "costs")
            msg = f"{missing}: required when {given} is given (costs and budget go together)"
            raise InputError(msg)
        if (self.groups is None) != (self.group_min_share is None):
            given, missing = (
                ("groups", "group_min_share")
                if self.groups is not None
                else ("group_min_share", "groups")
            )
            msg = f"{missing}: required when {given} is given (groups and minimums go together)"
            raise InputError(msg)

    def _checked_costs(self) -> np.ndarray:
        costs = np.asarray(self.costs)
        n = self.coverage.n_sites
        if costs.ndim != 1 or costs.shape[0] != n:
            msg = f"costs: expected one cost per candidate site, shape ({n},), got {costs.shape}"
            raise InputError(msg)
        if not np.issubdtype(costs.dtype, np.integer) and not np.issubdtype(
            costs.dtype, np.floating
        ):
            msg = f"costs: expected real numbers, got dtype {costs.dtype}"
            raise InputError(msg)
        costs = costs.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(costs) | (costs < 0))
        if bad.size:
            msg = f"costs: column {bad[0]} has cost {costs[bad[0]]}; costs must be finite and >= 0"
            raise InputError(msg)
        costs.setflags(write=False)
        return costs

    def _checked_groups(self) -> tuple[np.ndarray, np.ndarray]:
        groups = np.asarray(self.groups)
        shares = np.asarray(self.group_min_share)
        n = self.coverage.n_demand
        if groups.ndim != 1 or groups.shape[0] != n:
            msg = (
                f"groups: expected one group index per coverage row, shape ({n},), "
                f"got {groups.shape}"
            )
            raise InputError(msg)
        if groups.size and not np.issubdtype(groups.dtype, np.integer):
            if not np.issubdtype(groups.dtype, np.floating) or not np.all(
                groups == np.round(groups)
            ):
                msg = f"groups: expected integer group indices, got dtype {groups.dtype}"
                raise InputError(msg)
        groups = groups.astype(np.int64)
        if shares.ndim != 1:
            msg = f"group_min_share: expected one share per group (1-D), got shape {shares.shape}"
            raise InputError(msg)
        if not np.issubdtype(shares.dtype, np.integer) and not np.issubdtype(
            shares.dtype, np.floating
        ):
            msg = f"group_min_share: expected numbers between 0 and 1, got dtype {shares.dtype}"
            raise InputError(msg)
        shares = shares.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(shares) | (shares < 0) | (shares > 1))
        if bad.size:
            msg = (
                f"group_min_share: group {bad[0]} has minimum share {shares[bad[0]]}; "
                "shares must lie between 0 and 1"
            )
            raise InputError(msg)
        out = np.flatnonzero((groups < -1) | (groups >= shares.size))
        if out.size:
            msg = (
                f"groups: row {out[0]} has group {groups[out[0]]}, outside -1..{shares.size - 1} "
                f"({shares.size} group minimums given; -1 means no group)"
            )
            raise InputError(msg)
        groups.setflags(write=False)
        shares.setflags(write=False)
        return groups, shares

    @property
    def n_groups(self) -> int:
        """Number of groups with a minimum share (0 without groups)."""
        return 0 if self.group_min_share is None else int(self.group_min_share.size)

    @property
    def n_free(self) -> int:
        """Number of candidate sites that are not fixed."""
        return self.coverage.n_sites - int(np.asarray(self.fixed).size)

    def group_weights(self, covered: np.ndarray | None = None) -> np.ndarray:
        """Weight of each group, in all or restricted to the rows flagged in `covered`.

        Parameters
        ----------
        covered
            Optional boolean mask over demand rows.
        """
        if self.groups is None:
            return np.zeros(0)
        w = self.coverage.weights if covered is None else self.coverage.weights * covered
        member = self.groups >= 0
        return np.bincount(self.groups[member], weights=w[member], minlength=self.n_groups)
