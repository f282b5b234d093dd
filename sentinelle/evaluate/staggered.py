r"""Difference-in-differences robust to staggered adoption: Poisson imputation with an event study.

Cameras arrive in waves, so areas are treated at different months. A two-way fixed-effects
regression with a single "has cameras" dummy is biased in that setting when effects vary over
time or between waves: already-treated areas serve as controls (Goodman-Bacon 2021; Sun &
Abraham 2021). The estimator here avoids those comparisons.

What is implemented
-------------------
Counts :math:`y_{it}` of area :math:`i` in month :math:`t`, area :math:`i` treated from month
:math:`g_i` (never for control areas). Without cameras, expected counts follow a multiplicative
two-way model

.. math::

    \mathbb E[y_{it}(0)] = \exp(\alpha_i + \gamma_t),

that is, parallel trends on the log scale: every area's crime moves by the same proportion from
month to month (a city-wide fall of 10 % is 10 % everywhere), which suits counts from areas of
very different sizes better than parallel trends in levels.

1. **Fit on untreated cells only.** :math:`\alpha, \gamma` are the Poisson maximum-likelihood
   estimates on the cells :math:`\Omega_0 = \{(i, t): t < g_i\}`: never-treated areas and the
   not-yet-treated months of areas treated later both serve as controls. Two-way Poisson
   fixed effects on an incomplete table are found by iterative proportional fitting (each
   area's fitted total equals its observed total, and each month's too).
2. **Impute** the counterfactual of every treated cell, :math:`\hat\mu^0_{it} =
   \exp(\hat\alpha_i + \hat\gamma_t)`, :math:`t \ge g_i`.
3. **Effects as ratios of totals**: for a set :math:`S` of treated cells,

   .. math::

       \widehat{RR}_S = \frac{\sum_{S} y_{it}}{\sum_{S} \hat\mu^0_{it}},

   the incidents observed with cameras over those expected without them. ``att`` uses every
   treated cell (the average effect on the treated, as a rate ratio); the event study uses the
   cells ``k`` months after installation (or bins of months). ``RR < 1`` means fewer incidents
   than without cameras; percent change ``(RR − 1) × 100``. In the two-area, two-month case
   :math:`RR = 1/OR` of `sentinelle.evaluate.effects`.

This is the imputation estimator of Borusyak, Jaravel & Spiess (2024) in its Poisson form,
which Wooldridge (2023) shows equal to a Poisson regression with area and month effects and a
separate effect for every treated cohort and month (his "extended TWFE"). It is robust to
effects that differ between waves and over time since installation, because treated cells
never act as controls.

Inference. The variance is cluster-robust by area (areas are independent; months within an
area may be correlated; counts may be overdispersed): by the delta method on the stacked
estimating equations, each area contributes

.. math::

    \phi_i = \frac{A_i}{A} - \frac{B_i}{B} - g^\top H^{+} s_i, \qquad
    \widehat{\operatorname{var}}(\ln \widehat{RR}) = \frac{G}{G-1}\sum_i \phi_i^2,

with :math:`A_i, B_i` area :math:`i`'s observed and imputed totals in :math:`S`, :math:`s_i`
its score in the Poisson fit, :math:`H` the Poisson information, :math:`g` the gradient of
:math:`\ln B` in :math:`(\alpha, \gamma)` and :math:`G` the number of areas. Wald intervals on
the log scale.

Pre-trend test (Borusyak, Jaravel & Spiess 2024, test of parallel trends and no anticipation):
on the untreated cells only, the same Poisson model plus one dummy per bin of the ``pre`` months
before installation is fitted (`fit_poisson_fe`: the same fit as statsmodels' Poisson GLM with
dummies, checked against it in the tests, but fast enough for simulations), with a covariance
clustered by area, and the dummies are tested jointly equal to zero: Wald statistic, as an F
test with (K, G − K) degrees of freedom when there are more treated areas than bins
plus one (the usual small-sample form for clustered tests; the dummies vary only within
treated areas, so those set G). With fewer treated areas, the joint covariance is singular:
a single ramp regressor over the window (a linear pre-trend) is tested instead, F(1, G − 1),
and ``kind`` says ``"slope"``. The pre-installation points of the
event study are those dummies: how incidents in the treated areas moved in the months before
cameras, relative to their earlier months and to the controls. Treated areas with no month
before the test window are left out of the test.

Assumptions: parallel trends on the log scale; no anticipation (cameras change nothing before
their installation month); installation months are known; areas do not affect each other (no
displacement between treated and control areas: see `displacement`). With few areas (below
about 30) clustered intervals are too narrow; the result says so.

References
----------
Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs: robust and
efficient estimation. *Review of Economic Studies* 91, 3253–3285.
Wooldridge, J. M. (2023). Simple approaches to nonlinear difference-in-differences with panel
data. *The Econometrics Journal* 26, C31–C66.
Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time periods.
*Journal of Econometrics* 225, 200–230.
Sun, L. & Abraham, S. (2021). Estimating dynamic treatment effects in event studies with
heterogeneous treatment effects. *Journal of Econometrics* 225, 175–199.
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
*Journal of Econometrics* 225, 254–277.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from scipy import stats

from sentinelle.errors import InputError
from sentinelle.evaluate._rows import month_label
from sentinelle.evaluate.effects import EffectEstimate, check_alpha, z_critical
from sentinelle.evaluate.panel import NEVER, Panel

DEFAULT_PRE_MONTHS = 12
DEFAULT_POST_MONTHS = 24
FEW_AREAS = 30
_IPF_TOL = 1e-10
_IPF_MAX_ITER = 20_000


@dataclass(frozen=True)
class RatioEstimate:
    """An effect as a rate ratio (incidents with cameras / expected without), on the log scale.

    Attributes
    ----------
    label
        What the estimate is (``"att"``, or the months since installation).
    log_ratio
        ln RR.
    variance
        var(ln RR), cluster-robust by area.
    alpha
        1 − confidence level.
    n_areas
        Treated areas that contribute to it.
    observed, expected
        Incidents observed in the treated cells and expected there without cameras (imputed);
        ``None`` for the pre-installation points of the event study.
    """

    label: str
    log_ratio: float
    variance: float
    alpha: float = 0.05
    n_areas: int = 0
    observed: float | None = None
    expected: float | None = None

    @property
    def se(self) -> float:
        return math.sqrt(self.variance)

    @property
    def ratio(self) -> float:
        return math.exp(self.log_ratio)

    @property
    def ci_low(self) -> float:
        return math.exp(self.log_ratio - z_critical(self.alpha) * self.se)

    @property
    def ci_high(self) -> float:
        return math.exp(self.log_ratio + z_critical(self.alpha) * self.se)

    @property
    def percent_change(self) -> float:
        """(RR − 1) × 100: negative when there were fewer incidents than without cameras."""
        return (self.ratio - 1.0) * 100.0

    @property
    def percent_change_interval(self) -> tuple[float, float]:
        return (self.ci_low - 1.0) * 100.0, (self.ci_high - 1.0) * 100.0

    @property
    def p_value(self) -> float:
        """Two-sided p-value of RR = 1."""
        return float(2.0 * stats.norm.sf(abs(self.log_ratio) / self.se))

    @property
    def significant(self) -> bool:
        return self.ci_low > 1.0 or self.ci_high < 1.0

    def to_effect_estimate(self) -> EffectEstimate:
        """The same estimate in the convention of `effects` (OR = 1/RR, OR > 1: crime fell), to
        draw it next to before/after estimates."""
        return EffectEstimate(self.label, -self.log_ratio, self.variance, alpha=self.alpha,
                              method="panel")


@dataclass(frozen=True)
class EventTimeEstimate:
    """One point of the event study: ``rel_period`` bins of months since installation (0: the
    installation month's bin; negative: before)."""

    rel_period: int
    estimate: RatioEstimate
    pre: bool


@dataclass(frozen=True)
class PretrendTest:
    """The joint test that incidents in treated areas did not move before installation."""

    p_value: float | None
    statistic: float | None
    df: tuple[int, int] | int | None
    kind: str  # "F" (joint), "slope" (linear pre-trend) or "unavailable"
    areas_left_out: tuple[str, ...] = ()
    reason: str | None = None
    n_treated: int = 0
    n_bins: int = 0


@dataclass(frozen=True)
class StaggeredResult:
    """Average effect on the treated, event study and pre-trend test of a staggered design.

    ``att`` and every event-study point are rate ratios (`RatioEstimate`); ``notes`` lists what
    was left out and why, and the caveats that apply.
    """

    att: RatioEstimate
    event_study: tuple[EventTimeEstimate, ...]
    pretrend: PretrendTest
    alpha: float
    bin_months: int
    pre_months: int
    post_months: int
    n_areas: int
    n_treated: int
    n_never_treated: int
    cohorts: dict[str, int]
    first_month: str
    last_month: str
    notes: tuple[str, ...] = ()
    synthetic: bool = False
    source: str = ""
    excluded_areas: tuple[str, ...] = field(default_factory=tuple)

    @property
    def pretrend_p(self) -> float | None:
        return self.pretrend.p_value

    @property
    def few_areas(self) -> bool:
        return self.n_areas < FEW_AREAS

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``sentinelle evaluate panel --json``.

        The keys of the contract come first (``att, ci_low, ci_high, event_study,
        pretrend_p``); ``att`` and the event study's ``estimate`` are rate ratios.
        """
        return {
            "att": self.att.ratio,
            "ci_low": self.att.ci_low,
            "ci_high": self.att.ci_high,
            "event_study": [
                {
                    "rel_period": e.rel_period,
                    "estimate": e.estimate.ratio,
                    "ci_low": e.estimate.ci_low,
                    "ci_high": e.estimate.ci_high,
                }
                for e in self.event_study
            ],
            "pretrend_p": self.pretrend.p_value,
            "scale": "rate_ratio",
            "percent_change": self.att.percent_change,
            "alpha": self.alpha,
            "bin_months": self.bin_months,
            "n_areas": self.n_areas,
            "n_treated": self.n_treated,
            "n_never_treated": self.n_never_treated,
            "cohorts": self.cohorts,
            "synthetic": self.synthetic,
            "notes": list(self.notes),
        }


class TwoWayFit(NamedTuple):
    """Poisson two-way fixed effects fitted on a subset of cells."""

    alpha: np.ndarray  # per area, -inf where the area's total is zero
    gamma: np.ndarray  # per month, -inf where the month's total is zero or has no cell
    iterations: int


def fit_two_way(
    y: np.ndarray,
    cells: np.ndarray,
    *,
    offset: np.ndarray | None = None,
    gamma0: np.ndarray | None = None,
) -> TwoWayFit:
    """Poisson MLE of ``log E[y_it] = alpha_i + gamma_t (+ offset_it)`` on the ``cells`` of an
    areas × months table, by iterative proportional fitting.

    At the optimum each area's and each month's fitted total over ``cells`` equals its observed
    total (the Poisson likelihood equations). Areas or months with a zero total get ``-inf``
    (fitted counts of zero).

    Parameters
    ----------
    y
        Counts, shape (areas, months).
    cells
        Boolean mask of the cells to fit, same shape.
    offset
        A known term added to the linear predictor (default none).
    gamma0
        Starting month effects (a warm start).
    """
    y = np.asarray(y, dtype=float)
    w = np.asarray(cells, dtype=bool).astype(float)
    if offset is not None:
        w = w * np.exp(offset)
    yw = np.where(cells, y, 0.0)
    row_tot, col_tot = yw.sum(axis=1), yw.sum(axis=0)
    gamma = np.zeros(y.shape[1]) if gamma0 is None else np.where(np.isfinite(gamma0), gamma0, 0)
    alpha = np.zeros(y.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        log_row, log_col = np.log(row_tot), np.log(col_tot)
        for it in range(1, _IPF_MAX_ITER + 1):  # noqa: B007 (returned)
            alpha = log_row - np.log(w @ np.exp(gamma))
            ea = np.where(np.isfinite(alpha), np.exp(alpha), 0.0)
            gamma = log_col - np.log(ea @ w)
            eg = np.where(np.isfinite(gamma), np.exp(gamma), 0.0)
            fitted_rows = ea * (w @ eg)
            gap = np.abs(fitted_rows - row_tot) / np.maximum(row_tot, 1.0)
            if np.all(gap < _IPF_TOL):
                break
        else:  # pragma: no cover - the two-way table always converges, if slowly
            warnings.warn("iterative proportional fitting did not converge", stacklevel=2)
    alpha = np.where(np.isfinite(alpha), alpha, -np.inf)
    gamma = np.where(np.isfinite(gamma), gamma, -np.inf)
    return TwoWayFit(alpha, gamma, it)


class PoissonFit(NamedTuple):
    """Poisson regression with area and month fixed effects: coefficients and their
    cluster-robust (by area) covariance."""

    coef: np.ndarray
    cov: np.ndarray
    fit: TwoWayFit
    n_clusters: int


def _solve_information(
    mu: np.ndarray, rows: np.ndarray, cols: np.ndarray, rhs: np.ndarray
) -> np.ndarray:
    """``H^- rhs`` for the Poisson information ``H`` of the two-way effects over the active
    areas ``rows`` and months ``cols`` (``rhs`` has shape (len(rows) + len(cols), K)).

    The area block of ``H`` is diagonal, so the areas are eliminated first (Schur complement
    on the months). ``H`` is singular along one direction (adding a constant to every area
    effect and removing it from every month effect); the last month effect is held at zero,
    which gives a generalised inverse. Every quantity computed with it here (scores, gradients
    of totals) is orthogonal to that direction, so the result does not depend on the choice.
    """
    m = mu[np.ix_(rows, cols)]
    na = len(rows)
    d = m.sum(axis=1)
    c = m.sum(axis=0)
    b_a, b_g = rhs[:na], rhs[na:]
    schur = np.diag(c) - m.T @ (m / d[:, None])
    rhs_g = b_g - m.T @ (b_a / d[:, None])
    x_g = np.zeros_like(b_g)
    try:
        x_g[:-1] = np.linalg.solve(schur[:-1, :-1], rhs_g[:-1])
    except np.linalg.LinAlgError:  # disconnected design: fall back on least squares
        x_g[:-1] = np.linalg.lstsq(schur[:-1, :-1], rhs_g[:-1], rcond=None)[0]
    x_a = (b_a - m @ x_g) / d[:, None]
    return np.concatenate([x_a, x_g])


def fit_poisson_fe(
    y: np.ndarray, cells: np.ndarray, z: np.ndarray, *, max_iter: int = 100
) -> PoissonFit:
    """Poisson regression ``log E[y_it] = alpha_i + gamma_t + sum_k delta_k z_kit`` on ``cells``,
    clustered by area.

    Newton steps on the profiled likelihood of ``delta`` (the fixed effects are solved exactly by
    `fit_two_way` at each step, as fixest and ppmlhdfe do by other means); the covariance is the
    sandwich ``P^-1 (G/(G-1) sum_i psi_i psi_i') P^-1`` with ``P`` the profiled information and
    ``psi_i`` area ``i``'s profiled score. Equal to statsmodels' GLM with dummies (tested).

    Parameters
    ----------
    y
        Counts, shape (areas, months).
    cells
        Boolean mask of the cells to fit.
    z
        Regressors, shape (K, areas, months).
    max_iter
        Newton iterations at most.
    """
    y = np.asarray(y, dtype=float)
    z = np.asarray(z, dtype=float)
    k = z.shape[0]
    delta = np.zeros(k)
    fit = fit_two_way(y, cells)
    zc = z * cells[None]
    for _ in range(max_iter):
        off = np.tensordot(delta, z, axes=1)
        fit = fit_two_way(y, cells, offset=off, gamma0=fit.gamma)
        rows, cols = np.flatnonzero(np.isfinite(fit.alpha)), np.flatnonzero(np.isfinite(fit.gamma))
        mu = np.zeros_like(y)
        mu[np.ix_(rows, cols)] = np.exp(
            fit.alpha[rows][:, None] + fit.gamma[cols][None, :] + off[np.ix_(rows, cols)]
        )
        mu *= cells
        resid = np.where(cells, y - mu, 0.0)
        zmu = zc * mu[None]
        h_dt = np.concatenate([zmu.sum(axis=2)[:, rows], zmu.sum(axis=1)[:, cols]], axis=1)
        h_dd = np.einsum("kit,lit->kl", zc, zmu)
        proj = _solve_information(mu, rows, cols, h_dt.T).T
        profiled = h_dd - proj @ h_dt.T
        score = (zc * resid[None]).sum(axis=(1, 2))
        step = np.linalg.solve(profiled, score)
        delta = delta + step
        if np.max(np.abs(step)) < 1e-9:
            break
    # Per-area scores: delta part minus its projection on the fixed effects.
    s_delta = (zc * resid[None]).sum(axis=2).T  # (areas, K)
    s_theta = np.zeros((y.shape[0], len(rows) + len(cols)))
    s_theta[rows, np.arange(len(rows))] = resid[rows].sum(axis=1)
    s_theta[:, len(rows):] = resid[:, cols]
    psi = (s_delta - s_theta @ proj.T)[rows]
    g = len(rows)
    meat = g / max(g - 1, 1) * psi.T @ psi
    bread = np.linalg.inv(profiled)
    return PoissonFit(delta, bread @ meat @ bread, fit, g)


def _ratio_estimates(
    y: np.ndarray,
    omega0: np.ndarray,
    fit: TwoWayFit,
    targets: np.ndarray,
    *,
    alpha: float,
    labels: list[str],
) -> list[RatioEstimate]:
    """Ratios of observed to imputed totals over each target mask, with cluster-robust
    variances (module docstring). ``targets`` has shape (K, areas, months)."""
    rows = np.isfinite(fit.alpha)
    cols = np.isfinite(fit.gamma)
    mu = np.exp(np.where(rows, fit.alpha, 0.0)[:, None] + np.where(cols, fit.gamma, 0.0)[None, :])
    mu = mu * rows[:, None] * cols[None, :]
    w0 = omega0 & rows[:, None] & cols[None, :]
    resid = np.where(w0, y - mu, 0.0)
    mu0 = np.where(w0, mu, 0.0)

    # Information matrix over the active alphas and gammas.
    ra, ca = np.flatnonzero(rows), np.flatnonzero(cols)
    na = len(ra)

    t = targets.astype(float)
    a_i = (t * y[None]).sum(axis=2)  # (K, areas)
    b_cells = t * mu[None]
    b_i = b_cells.sum(axis=2)
    a_tot, b_tot = a_i.sum(axis=1), b_i.sum(axis=1)
    corrected = a_tot == 0
    a_tot = np.where(corrected, 0.5, a_tot)
    grad = np.concatenate([b_i[:, ra], b_cells.sum(axis=1)[:, ca]], axis=1) / b_tot[:, None]
    u = _solve_information(mu0, ra, ca, grad.T).T  # (K, active areas + months)
    score_alpha = np.zeros((len(targets), y.shape[0]))
    score_alpha[:, ra] = u[:, :na] * resid[ra].sum(axis=1)[None, :]
    score_gamma = u[:, na:] @ resid[:, ca].T  # (K, areas)
    phi = a_i / a_tot[:, None] - b_i / b_tot[:, None] - score_alpha - score_gamma
    n_clusters = int(rows.sum())
    factor = n_clusters / max(n_clusters - 1, 1)
    var = factor * (phi[:, rows] ** 2).sum(axis=1)
    contributing = (targets.any(axis=2)).sum(axis=1)
    out = []
    for k, label in enumerate(labels):
        out.append(
            RatioEstimate(
                label=label,
                log_ratio=float(np.log(a_tot[k] / b_tot[k])),
                variance=float(max(var[k], 1e-300)),
                alpha=alpha,
                n_areas=int(contributing[k]),
                observed=float((t[k] * y).sum()),
                expected=float(b_tot[k]),
            )
        )
    return out


def pretrend_test(
    panel: Panel,
    *,
    keep: np.ndarray | None = None,
    pre_months: int = DEFAULT_PRE_MONTHS,
    bin_months: int = 1,
    alpha: float = 0.05,
) -> tuple[PretrendTest, list[EventTimeEstimate]]:
    """Joint test of no pre-trend, and the pre-installation points of the event study.

    On untreated cells, a Poisson regression with area and month effects plus one dummy per bin
    of the ``pre_months`` before installation (`fit_poisson_fe`, clustered by area); Wald test
    of all dummies at zero (module docstring).

    Parameters
    ----------
    panel
        The counts.
    keep
        Boolean per area: areas allowed in the test (default: all).
    pre_months
        Length of the window before installation, in months.
    bin_months
        Months per bin.
    alpha
        1 − confidence level of the pre-installation points.
    """
    y = panel.counts.astype(float)
    n, t_len = y.shape
    g = np.where(panel.is_ever_treated, panel.treated_from - panel.first_month, NEVER)
    t_idx = np.arange(t_len)
    keep = np.ones(n, dtype=bool) if keep is None else keep.copy()
    treated_in_panel = panel.is_ever_treated & (g < t_len)
    short = treated_in_panel & (g <= pre_months) & keep
    left_out = tuple(panel.areas[i] for i in np.flatnonzero(short))
    keep &= ~short
    omega0 = (t_idx[None, :] < g[:, None]) & keep[:, None]
    rel = t_idx[None, :] - np.where(treated_in_panel, g, NEVER // 2)[:, None]
    in_window = omega0 & treated_in_panel[:, None] & (rel >= -pre_months) & (rel < 0)
    bin_of = np.where(in_window, -((-rel - 1) // bin_months) - 1, 0)  # -1 … -n_bins
    in_window &= omega0
    treated_used = np.flatnonzero(in_window.any(axis=1) & (np.where(omega0, y, 0).sum(axis=1) > 0))
    if len(treated_used) == 0:
        reason = (
            "no treated area has more than "
            f"{pre_months} months of data before its cameras: the pre-trend cannot be tested"
        )
        return PretrendTest(None, None, None, "unavailable", left_out, reason), []
    bins_present = sorted({int(b) for b in bin_of[in_window]}, reverse=False)
    z = np.stack([(in_window & (bin_of == b)).astype(float) for b in bins_present])
    if np.any((z * y[None]).sum(axis=(1, 2)) == 0):
        reason = "a month before installation has no incident in any treated area"
        return PretrendTest(None, None, None, "unavailable", left_out, reason), []
    res = fit_poisson_fe(y, omega0, z)
    delta, cov = res.coef, res.cov
    n_b = len(bins_present)
    wald = float(delta @ np.linalg.pinv(cov) @ delta)
    points = []
    for k, b in enumerate(bins_present):
        treated_in_bin = int(z[k].any(axis=1).sum())
        points.append(
            EventTimeEstimate(
                b,
                RatioEstimate(f"{b}", float(delta[k]), float(max(cov[k, k], 1e-300)), alpha,
                              treated_in_bin),
                pre=True,
            )
        )
    # The dummies vary only within treated areas: those are the clusters that carry the
    # information, so they set the F test's denominator degrees of freedom (conservative).
    clusters = min(res.n_clusters, len(treated_used))
    if clusters <= n_b + 1:
        # A clustered covariance of K coefficients from K or fewer areas is singular: test a
        # linear pre-trend instead (one coefficient: a ramp over the window), F(1, G - 1).
        if clusters < 3:
            reason = f"{clusters} treated area(s) with months before the window: too few to test"
            return PretrendTest(None, None, None, "unavailable", left_out, reason, clusters,
                                n_b), points
        ramp = np.where(in_window, (rel + pre_months + 1) / pre_months, 0.0)
        slope = fit_poisson_fe(y, omega0, ramp[None])
        t2 = float(slope.coef[0] ** 2 / slope.cov[0, 0])
        p = float(stats.f.sf(t2, 1, clusters - 1))
        reason = (
            f"{clusters} treated areas for {n_b} bins: joint test impossible, linear pre-trend "
            "tested instead"
        )
        test = PretrendTest(p, t2, (1, clusters - 1), "slope", left_out, reason, clusters, n_b)
        return test, points
    f_stat = wald / n_b * (clusters - n_b) / (clusters - 1)
    p = float(stats.f.sf(f_stat, n_b, clusters - n_b))
    test = PretrendTest(p, f_stat, (n_b, clusters - n_b), "F", left_out, None, clusters, n_b)
    return test, points


def estimate_staggered(
    panel: Panel,
    *,
    alpha: float = 0.05,
    pre_months: int = DEFAULT_PRE_MONTHS,
    post_months: int = DEFAULT_POST_MONTHS,
    bin_months: int = 1,
) -> StaggeredResult:
    """Average effect of the cameras on the treated areas, event study and pre-trend test.

    Method, assumptions and references are in the module docstring.

    Parameters
    ----------
    panel
        Area × month counts with installation months (`read_panel`).
    alpha
        1 − confidence level of every interval.
    pre_months
        Months before installation shown in the event study and tested for a pre-trend.
    post_months
        Months after installation shown in the event study (``att`` uses every treated month).
    bin_months
        Months per event-study bin (3: quarters); ``rel_period`` counts bins.

    Returns
    -------
    StaggeredResult

    Raises
    ------
    InputError
        No area is treated within the panel, no area is ever untreated, or an option is out of
        range.

    Examples
    --------
    Two areas, two months, cameras in the first area from the second month: the rate ratio is
    the ratio of the two changes, 1/OR of `effects`.

    >>> p = Panel.from_arrays([[100, 80], [200, 200]], treated_from=[1, None], first_month=0)
    >>> round(estimate_staggered(p, pre_months=1, post_months=1).att.ratio, 3)
    0.8
    """
    alpha = check_alpha(alpha)
    for name, value, low in (("pre_months", pre_months, 1), ("post_months", post_months, 1),
                             ("bin_months", bin_months, 1)):
        if not isinstance(value, int) or value < low:
            msg = f"`{name}` must be a whole number >= {low}, got {value!r}"
            raise InputError(msg)
    y = panel.counts.astype(float)
    n, t_len = y.shape
    g = np.where(panel.is_ever_treated, panel.treated_from - panel.first_month, NEVER)
    t_idx = np.arange(t_len)
    notes: list[str] = []
    if panel.filled_zeros:
        notes.append(f"{panel.filled_zeros} area-months absent from the input were read as zero.")

    always = panel.is_ever_treated & (g <= 0)
    later = panel.is_ever_treated & (g >= t_len)
    if later.any():
        notes.append(
            f"{int(later.sum())} area(s) got cameras after the panel's last month and serve as "
            "controls."
        )
    active = ~always
    if always.any():
        names = ", ".join(panel.areas[i] for i in np.flatnonzero(always))
        notes.append(f"Left out (cameras from the panel's first month, no month before): {names}.")
    treated_cells = (t_idx[None, :] >= g[:, None]) & active[:, None]
    omega0 = ~treated_cells & active[:, None]
    if not treated_cells.any():
        msg = (
            f"{panel.source}: no area gets cameras within the panel "
            f"({month_label(panel.first_month)} to {month_label(panel.first_month + t_len - 1)});"
            " give treated_from for the equipped areas"
        )
        raise InputError(msg)
    fit = fit_two_way(y, omega0)
    zero_pre = active & panel.is_ever_treated & ~later & ~np.isfinite(fit.alpha)
    if zero_pre.any():
        names = ", ".join(panel.areas[i] for i in np.flatnonzero(zero_pre))
        notes.append(f"Left out (no incident before the cameras, nothing to compare): {names}.")
        treated_cells &= ~zero_pre[:, None]
    no_control = treated_cells & ~np.isfinite(fit.gamma)[None, :]
    if no_control.any():
        months = sorted({int(t) for t in np.nonzero(no_control)[1]})
        notes.append(
            f"{int(no_control.sum())} treated area-months left out: no untreated area in "
            f"{len(months)} month(s) from {month_label(panel.first_month + months[0])} "
            "(every area already had cameras)."
        )
        treated_cells &= ~no_control
    if not treated_cells.any():
        msg = f"{panel.source}: no treated area-month can be compared with an untreated area"
        raise InputError(msg)

    rel = t_idx[None, :] - np.where(g < NEVER, g, 0)[:, None]
    n_post = -(-post_months // bin_months)
    targets = [treated_cells]
    labels = ["att"]
    post_bins = []
    for b in range(n_post):
        mask = treated_cells & (rel >= b * bin_months) & (rel < (b + 1) * bin_months)
        if mask.any():
            targets.append(mask)
            labels.append(str(b))
            post_bins.append(b)
    estimates = _ratio_estimates(y, omega0, fit, np.stack(targets), alpha=alpha, labels=labels)
    att = estimates[0]
    post_points = [
        EventTimeEstimate(b, e, pre=False) for b, e in zip(post_bins, estimates[1:], strict=True)
    ]
    usable = active & ~zero_pre
    pretrend, pre_points = pretrend_test(
        panel, keep=usable, pre_months=pre_months, bin_months=bin_months, alpha=alpha
    )
    if pretrend.areas_left_out:
        notes.append(
            f"Pre-trend test without {len(pretrend.areas_left_out)} area(s) that have "
            f"{pre_months} months or less of data before their cameras."
        )
    if pretrend.reason:
        notes.append(f"Pre-trend test: {pretrend.reason}.")
    n_active = int(usable.sum())
    if n_active < FEW_AREAS:
        notes.append(
            f"Only {n_active} areas: clustered intervals are too narrow below about {FEW_AREAS} "
            "areas; read them as optimistic."
        )
    if estimates and any(e.observed == 0 for e in estimates):
        notes.append("A bin with no incident in any treated area: 0.5 used instead of 0.")
    treated_used = usable & panel.is_ever_treated & ~later
    cohorts: dict[str, int] = {}
    for i in np.flatnonzero(treated_used):
        key = month_label(int(panel.treated_from[i]))
        cohorts[key] = cohorts.get(key, 0) + 1
    return StaggeredResult(
        att=att,
        event_study=tuple([*pre_points, *post_points]),
        pretrend=pretrend,
        alpha=alpha,
        bin_months=bin_months,
        pre_months=pre_months,
        post_months=post_months,
        n_areas=n_active,
        n_treated=int(treated_used.sum()),
        n_never_treated=int((usable & (~panel.is_ever_treated | later)).sum()),
        cohorts=dict(sorted(cohorts.items())),
        first_month=month_label(panel.first_month),
        last_month=month_label(panel.first_month + t_len - 1),
        notes=tuple(notes),
        synthetic=panel.synthetic,
        source=panel.source,
        excluded_areas=tuple(panel.areas[i] for i in np.flatnonzero(~usable)),
    )
