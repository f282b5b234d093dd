r"""Relative effect sizes per area and their pooling over areas (the Campbell-review method).

For each area, crimes are counted before and after the cameras in the treated area and in a
control area:

=========  ======  =====
           before  after
=========  ======  =====
treated    a       b
control    c       d
=========  ======  =====

The relative effect size (Welsh & Farrington 2002; Farrington et al. 2007) is the odds ratio

.. math::

    OR = \frac{a \, d}{b \, c}, \qquad
    \operatorname{var}(\ln OR) = D \left(\frac1a + \frac1b + \frac1c + \frac1d\right)

``OR > 1`` means crime fell in the treated area relative to its control: ``OR = 1.25`` is a
20 % relative fall, since the percent change is :math:`(1/OR - 1) \times 100`. The variance
assumes the counts are Poisson (``D = 1``); recorded crime is usually overdispersed, and a factor
``D > 1`` (Farrington et al. 2007; Marchant 2005) widens every interval accordingly. When a
count is zero, 0.5 is added to the four cells of that row (Haldane–Anscombe) and the estimate says
so (``continuity_correction``).

Areas are pooled on the log scale with inverse-variance weights :math:`w_i = 1/v_i`:

- fixed effect: :math:`\hat\theta_F = \sum w_i y_i / \sum w_i`, variance :math:`1/\sum w_i`;
- heterogeneity: :math:`Q = \sum w_i (y_i - \hat\theta_F)^2` on :math:`k - 1` degrees of freedom,
  :math:`I^2 = \max(0, (Q - (k-1))/Q)` in percent (Higgins & Thompson 2002);
- random effects (DerSimonian & Laird 1986):
  :math:`\tau^2 = \max\left(0, \frac{Q - (k-1)}{\sum w_i - \sum w_i^2 / \sum w_i}\right)`,
  weights :math:`w_i^* = 1/(v_i + \tau^2)`, estimate :math:`\sum w_i^* y_i / \sum w_i^*`,
  variance :math:`1/\sum w_i^*`.

Intervals are Wald intervals on the log scale, :math:`y \pm z_{1-\alpha/2}\sqrt{v}`, mapped back
by :math:`\exp`. With a single area, ``q = 0``, ``tau2 = 0`` and ``i2`` is undefined (``None``).

Assumptions: the control area shows what would have happened in the treated area without
cameras (parallel change), counts are independent between areas and periods, and periods have
the same length in the treated and control areas. The DerSimonian–Laird interval is known to be
too narrow when there are few areas; read it with care below about ten areas.

References
----------
Welsh, B. C. & Farrington, D. P. (2002). *Crime prevention effects of closed circuit television:
a systematic review*. Home Office Research Study 252.
Farrington, D. P., Gill, M., Waples, S. J. & Argomaniz, J. (2007). The effects of closed-circuit
television on crime: meta-analysis of an English national quasi-experimental multi-site
evaluation. *Journal of Experimental Criminology* 3, 21–38.
DerSimonian, R. & Laird, N. (1986). Meta-analysis in clinical trials. *Controlled Clinical
Trials* 7, 177–188.
Higgins, J. P. T. & Thompson, S. G. (2002). Quantifying heterogeneity in a meta-analysis.
*Statistics in Medicine* 21, 1539–1558.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from sentinelle.errors import InputError
from sentinelle.evaluate.counts import CountsTable

CONTINUITY = 0.5


def check_alpha(alpha: float) -> float:
    """Return ``alpha`` if it is a level strictly between 0 and 1, else raise `InputError`."""
    if not (isinstance(alpha, int | float) and 0.0 < float(alpha) < 1.0):
        msg = f"`alpha` must be strictly between 0 and 1 (0.05 gives 95 % intervals), got {alpha!r}"
        raise InputError(msg)
    return float(alpha)


def check_overdispersion(overdispersion: float) -> float:
    """Return the overdispersion factor ``D`` if it is finite and at least 1, else raise."""
    if not (isinstance(overdispersion, int | float) and math.isfinite(overdispersion)):
        msg = f"`overdispersion` must be a number >= 1, got {overdispersion!r}"
        raise InputError(msg)
    if overdispersion < 1.0:
        msg = (
            f"`overdispersion` must be >= 1 (1 is the Poisson assumption; recorded crime is "
            f"overdispersed, not underdispersed), got {overdispersion!r}"
        )
        raise InputError(msg)
    return float(overdispersion)


def z_critical(alpha: float) -> float:
    """The two-sided normal quantile :math:`z_{1-\\alpha/2}` (1.959964 for ``alpha = 0.05``)."""
    return float(stats.norm.ppf(1.0 - alpha / 2.0))


class LogEffects(NamedTuple):
    """Per-area log relative effects, as arrays of the broadcast shape of the counts."""

    log_or: np.ndarray
    variance: np.ndarray
    corrected: np.ndarray  # bool: 0.5 was added to the row's four cells


def log_relative_effects(
    a: ArrayLike,
    b: ArrayLike,
    c: ArrayLike,
    d: ArrayLike,
    *,
    overdispersion: float = 1.0,
) -> LogEffects:
    """ln OR = ln(a·d / (b·c)) and its variance D·(1/a + 1/b + 1/c + 1/d), elementwise.

    Vectorised: the counts may be arrays of any broadcastable shape (for example repetitions ×
    areas in a simulation). Where any of the four counts of an element is zero, 0.5 is added to
    its four counts.

    Parameters
    ----------
    a, b
        Treated area, before and after.
    c, d
        Control area, before and after.
    overdispersion
        The factor ``D`` that multiplies the Poisson variance (1: Poisson).
    """
    a, b, c, d = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (a, b, c, d)))
    corrected = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    shift = np.where(corrected, CONTINUITY, 0.0)
    a, b, c, d = a + shift, b + shift, c + shift, d + shift
    log_or = np.log(a) + np.log(d) - np.log(b) - np.log(c)
    variance = overdispersion * (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d)
    return LogEffects(log_or, variance, corrected)


class Pooled(NamedTuple):
    """Pooled log effects over the last axis; every field has the shape of the leading axes."""

    fixed: np.ndarray
    fixed_variance: np.ndarray
    random: np.ndarray
    random_variance: np.ndarray
    q: np.ndarray
    df: int
    tau2: np.ndarray
    i2: np.ndarray  # percent; nan with a single area


def pool_log_effects(log_or: ArrayLike, variance: ArrayLike) -> Pooled:
    """Fixed-effect and DerSimonian–Laird random-effects pooling over the last axis.

    Vectorised over any leading axes (formulas in the module docstring). ``tau2`` is truncated at
    0 and ``i2`` at 0 %; with one area ``q = tau2 = 0`` and ``i2`` is ``nan``; with ``q = 0`` and
    several areas ``i2 = 0``.

    Parameters
    ----------
    log_or
        Effects on the log scale, areas on the last axis.
    variance
        Their variances, same shape.
    """
    y = np.asarray(log_or, dtype=float)
    v = np.asarray(variance, dtype=float)
    if y.shape != v.shape or y.ndim == 0 or y.shape[-1] == 0:
        msg = f"effects and variances must share a non-empty shape, got {y.shape} and {v.shape}"
        raise InputError(msg)
    if np.any(~np.isfinite(v)) or np.any(v <= 0):
        msg = "every variance must be positive and finite"
        raise InputError(msg)
    k = y.shape[-1]
    w = 1.0 / v
    sw = w.sum(axis=-1)
    fixed = (w * y).sum(axis=-1) / sw
    q = (w * (y - fixed[..., None]) ** 2).sum(axis=-1)
    df = k - 1
    if k == 1:
        q = np.zeros_like(q)
        tau2 = np.zeros_like(q)
        i2 = np.full_like(q, np.nan)
    else:
        c = sw - (w**2).sum(axis=-1) / sw
        tau2 = np.maximum(0.0, (q - df) / c)
        with np.errstate(divide="ignore", invalid="ignore"):
            i2 = np.where(q > 0, np.maximum(0.0, (q - df) / q), 0.0) * 100.0
    wr = 1.0 / (v + tau2[..., None])
    swr = wr.sum(axis=-1)
    random = (wr * y).sum(axis=-1) / swr
    return Pooled(fixed, 1.0 / sw, random, 1.0 / swr, q, df, tau2, i2)


@dataclass(frozen=True)
class EffectEstimate:
    """A relative effect size (odds ratio) with its Wald interval, kept on the log scale.

    ``odds_ratio > 1`` means crime fell in the treated area relative to its control;
    ``percent_change`` is the change in the treated area relative to control, in percent.

    Attributes
    ----------
    label
        The area, or the pooling method for a pooled estimate.
    log_odds_ratio
        ln OR.
    variance
        var(ln OR), overdispersion included.
    alpha
        1 − confidence level of the interval.
    continuity_correction
        Whether 0.5 was added to the four counts because one was zero.
    method
        ``"area"``, ``"fixed"`` or ``"random"`` (DerSimonian–Laird).
    weight_pct
        The share of the pooled estimate carried by this area, in percent (per-area estimates;
        ``None`` for pooled ones). Fixed-effect weights.
    """

    label: str
    log_odds_ratio: float
    variance: float
    alpha: float = 0.05
    continuity_correction: bool = False
    method: str = "area"
    weight_pct: float | None = None

    @property
    def se(self) -> float:
        return math.sqrt(self.variance)

    @property
    def odds_ratio(self) -> float:
        return math.exp(self.log_odds_ratio)

    @property
    def ci_low(self) -> float:
        return math.exp(self.log_odds_ratio - z_critical(self.alpha) * self.se)

    @property
    def ci_high(self) -> float:
        return math.exp(self.log_odds_ratio + z_critical(self.alpha) * self.se)

    @property
    def percent_change(self) -> float:
        """(1/OR − 1) × 100: negative when crime fell in the treated area relative to control."""
        return percent_change(self.odds_ratio)

    @property
    def percent_change_interval(self) -> tuple[float, float]:
        """The interval of `percent_change` (low, high), from the interval of the OR."""
        return percent_change(self.ci_high), percent_change(self.ci_low)

    @property
    def z(self) -> float:
        return self.log_odds_ratio / self.se

    @property
    def p_value(self) -> float:
        """Two-sided p-value of the test OR = 1."""
        return float(2.0 * stats.norm.sf(abs(self.z)))

    @property
    def significant(self) -> bool:
        """Whether the interval excludes 1."""
        return self.ci_low > 1.0 or self.ci_high < 1.0


def percent_change(odds_ratio: float) -> float:
    """(1/OR − 1) × 100, the change in the treated area relative to its control, in percent."""
    return (1.0 / odds_ratio - 1.0) * 100.0


@dataclass(frozen=True)
class EffectsResult:
    """Per-area relative effects and their fixed- and random-effects pooling.

    Attributes
    ----------
    areas
        One `EffectEstimate` per row of the counts, in file order.
    fixed, random
        The pooled estimates (inverse variance; DerSimonian–Laird).
    q
        Cochran's Q.
    df
        Its degrees of freedom, k − 1.
    i2
        I² in percent, ``None`` with a single area.
    tau2
        Between-area variance of ln OR (DerSimonian–Laird, truncated at 0).
    alpha
        1 − confidence level.
    overdispersion
        The factor D applied to every variance.
    """

    areas: tuple[EffectEstimate, ...]
    fixed: EffectEstimate
    random: EffectEstimate
    q: float
    df: int
    i2: float | None
    tau2: float
    alpha: float
    overdispersion: float

    @property
    def q_p_value(self) -> float | None:
        """P-value of Cochran's Q test of homogeneity (None with a single area)."""
        if self.df == 0:
            return None
        return float(stats.chi2.sf(self.q, self.df))

    @property
    def any_continuity_correction(self) -> bool:
        return any(a.continuity_correction for a in self.areas)

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``sentinelle evaluate effects --json``."""

        def pooled(e: EffectEstimate) -> dict[str, Any]:
            return {
                "odds_ratio": e.odds_ratio,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
                "percent_change": e.percent_change,
                "p_value": e.p_value,
            }

        return {
            "areas": [
                {
                    "area": e.label,
                    "odds_ratio": e.odds_ratio,
                    "ci_low": e.ci_low,
                    "ci_high": e.ci_high,
                    "percent_change": e.percent_change,
                    "continuity_correction": e.continuity_correction,
                    "log_odds_ratio": e.log_odds_ratio,
                    "variance": e.variance,
                    "weight_pct": e.weight_pct,
                }
                for e in self.areas
            ],
            "fixed": pooled(self.fixed),
            "random": {**pooled(self.random), "tau2": self.tau2},
            "q": self.q,
            "i2": self.i2,
            "df": self.df,
            "q_p_value": self.q_p_value,
            "alpha": self.alpha,
            "overdispersion": self.overdispersion,
        }


def estimate_effects(
    counts: CountsTable,
    *,
    alpha: float = 0.05,
    overdispersion: float = 1.0,
) -> EffectsResult:
    """Relative effect size per area, pooled by fixed and random effects.

    Formulas, assumptions and references are in the module docstring.

    Parameters
    ----------
    counts
        Validated before/after counts (`read_counts`); buffer columns and harm weights are
        ignored here.
    alpha
        1 − confidence level of every interval (0.05: 95 % intervals).
    overdispersion
        The factor D (>= 1) that multiplies var(ln OR); 1 is the Poisson assumption.

    Returns
    -------
    EffectsResult
        Per-area estimates, fixed and random pooled estimates, Q, I² and τ².

    Examples
    --------
    >>> from sentinelle.evaluate.counts import CountsTable
    >>> t = CountsTable.from_records([{"area": "A", "treated_before": 100,
    ...     "treated_after": 80, "control_before": 200, "control_after": 200}])
    >>> r = estimate_effects(t)
    >>> round(r.areas[0].odds_ratio, 3), round(r.areas[0].percent_change, 1)
    (1.25, -20.0)
    """
    alpha = check_alpha(alpha)
    overdispersion = check_overdispersion(overdispersion)
    if len(counts) == 0:
        msg = f"{counts.source}: no areas to estimate"
        raise InputError(msg)
    eff = log_relative_effects(
        counts.column("treated_before"),
        counts.column("treated_after"),
        counts.column("control_before"),
        counts.column("control_after"),
        overdispersion=overdispersion,
    )
    pooled = pool_log_effects(eff.log_or, eff.variance)
    w = 1.0 / eff.variance
    weights = 100.0 * w / w.sum()
    areas = tuple(
        EffectEstimate(
            label=row.area,
            log_odds_ratio=float(eff.log_or[i]),
            variance=float(eff.variance[i]),
            alpha=alpha,
            continuity_correction=bool(eff.corrected[i]),
            weight_pct=float(weights[i]),
        )
        for i, row in enumerate(counts.rows)
    )
    fixed = EffectEstimate(
        "fixed effect",
        float(pooled.fixed),
        float(pooled.fixed_variance),
        alpha=alpha,
        method="fixed",
    )
    random = EffectEstimate(
        "random effects",
        float(pooled.random),
        float(pooled.random_variance),
        alpha=alpha,
        method="random",
    )
    i2 = float(pooled.i2)
    return EffectsResult(
        areas=areas,
        fixed=fixed,
        random=random,
        q=float(pooled.q),
        df=pooled.df,
        i2=None if math.isnan(i2) else i2,
        tau2=float(pooled.tau2),
        alpha=alpha,
        overdispersion=overdispersion,
    )
