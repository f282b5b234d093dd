r"""Statistical power: the smallest effect that counts like these could detect.

With :math:`v = \operatorname{var}(\ln OR) = D\,(1/a + 1/b + 1/c + 1/d)` (see `effects`), a
two-sided Wald test at level :math:`\alpha` detects a true log relative effect :math:`\delta`
with power

.. math::

    1 - \beta = \Phi\left(\frac{|\delta|}{\sqrt v} - z_{1-\alpha/2}\right)
              + \Phi\left(-\frac{|\delta|}{\sqrt v} - z_{1-\alpha/2}\right),

and the minimal detectable effect with power :math:`1 - \beta` is (neglecting the second term,
which is below :math:`\alpha/2`)

.. math::

    \delta_{min} = (z_{1-\alpha/2} + z_{1-\beta}) \sqrt v, \qquad
    OR_{min} = e^{\delta_{min}}, \qquad
    \text{smallest detectable fall} = (1 - e^{-\delta_{min}}) \times 100 \%.

For 80 % power at α = 0.05, :math:`z_{0.975} + z_{0.80} = 1.960 + 0.842 = 2.802`. Pooled over
areas, :math:`v` is the variance of the pooled estimate: :math:`1/\sum_i 1/v_i` for the fixed
effect, :math:`1/\sum_i 1/(v_i + \tau^2)` for random effects with the DerSimonian–Laird
:math:`\tau^2` of the data. The verdict uses the random-effects variance (equal to the fixed one
when :math:`\tau^2 = 0`).

The variance is evaluated at the observed counts ("counts like these"): it is the precision the
design had, not a power computed after the fact from the observed effect. It ignores the
uncertainty in :math:`\tau^2` and in D.

The data "cannot answer" when the smallest detectable fall is larger than the reduction one asks
about. The default is 16 %, the average reduction over 41 evaluations in Welsh & Farrington
(2009); for city and town centres they found 7 %, not significant.

References
----------
Welsh, B. C. & Farrington, D. P. (2009). Public area CCTV and crime prevention: an updated
systematic review and meta-analysis. *Justice Quarterly* 26, 716–745.
Cohen, J. (1988). *Statistical power analysis for the behavioral sciences*, 2nd ed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats

from sentinelle.errors import InputError
from sentinelle.evaluate.counts import CountsTable
from sentinelle.evaluate.effects import (
    check_alpha,
    check_overdispersion,
    log_relative_effects,
    pool_log_effects,
    z_critical,
)

DEFAULT_POWER = 0.80
DEFAULT_TARGET_REDUCTION_PCT = 16.0  # Welsh & Farrington (2009), 41 evaluations


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


def minimal_detectable_log_or(variance: float, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """δ_min = (z_{1−α/2} + z_{power}) · sqrt(variance), on the ln OR scale."""
    return (z_critical(alpha) + float(stats.norm.ppf(power))) * math.sqrt(variance)


def power_at(log_or: float, variance: float, *, alpha: float = 0.05) -> float:
    """Power of the two-sided Wald test against a true ln OR (formula in the module docstring)."""
    z = z_critical(alpha)
    shift = abs(log_or) / math.sqrt(variance)
    return float(stats.norm.cdf(shift - z) + stats.norm.cdf(-shift - z))


def reduction_to_odds_ratio(reduction_pct: float) -> float:
    """The OR of a relative fall of ``reduction_pct`` %: 1 / (1 − r/100) (16 % → 1.190)."""
    return 1.0 / (1.0 - reduction_pct / 100.0)


@dataclass(frozen=True)
class DetectableEffect:
    """The smallest relative effect that one area (or the pooled estimate) could detect.

    Attributes
    ----------
    label
        The area, or ``"fixed effect"`` / ``"random effects"``.
    variance
        var(ln OR) of that estimate.
    alpha, power
        Test level and the power asked for.
    target_odds_ratio
        The effect asked about (as an OR > 1).
    continuity_correction
        Whether 0.5 was added to the counts because one was zero.
    """

    label: str
    variance: float
    alpha: float
    power: float
    target_odds_ratio: float
    continuity_correction: bool = False

    @property
    def mde_log_or(self) -> float:
        return minimal_detectable_log_or(self.variance, alpha=self.alpha, power=self.power)

    @property
    def mde_odds_ratio(self) -> float:
        """The smallest detectable OR above 1 (a fall in the treated area)."""
        return math.exp(self.mde_log_or)

    @property
    def mde_reduction_pct(self) -> float:
        """The smallest detectable fall, in percent of the treated area's crime."""
        return (1.0 - math.exp(-self.mde_log_or)) * 100.0

    @property
    def power_at_target(self) -> float:
        """The chance of detecting the target effect."""
        return power_at(math.log(self.target_odds_ratio), self.variance, alpha=self.alpha)

    @property
    def can_answer(self) -> bool:
        """Whether the target effect is at least the minimal detectable effect."""
        return math.log(self.target_odds_ratio) >= self.mde_log_or

    def to_json(self) -> dict[str, Any]:
        return {
            "variance": self.variance,
            "mde_log_odds_ratio": self.mde_log_or,
            "mde_odds_ratio": self.mde_odds_ratio,
            "mde_reduction_pct": self.mde_reduction_pct,
            "power_at_target": self.power_at_target,
            "can_answer": self.can_answer,
        }


@dataclass(frozen=True)
class PowerResult:
    """Minimal detectable effects per area and pooled, and whether the data can answer.

    Attributes
    ----------
    areas
        One `DetectableEffect` per row.
    fixed, random
        Pooled (random uses the DerSimonian–Laird τ² of the data).
    tau2
        That τ².
    alpha, power
        Test level and power asked for.
    target_reduction_pct
        The fall asked about, in percent.
    overdispersion
        The factor D applied to the variances.
    """

    areas: tuple[DetectableEffect, ...]
    fixed: DetectableEffect
    random: DetectableEffect
    tau2: float
    alpha: float
    power: float
    target_reduction_pct: float
    overdispersion: float

    @property
    def pooled(self) -> DetectableEffect:
        """The estimate the verdict rests on (random effects; equal to fixed when τ² = 0)."""
        return self.random

    @property
    def can_answer(self) -> bool:
        return self.pooled.can_answer

    def verdict(self) -> list[str]:
        """Plain sentences for the user, in English (the CLI prints them)."""
        p = self.pooled
        level = f"{_pct(self.power)} power, alpha = {self.alpha:g}"
        lines = [
            f"These data cannot detect an effect smaller than {p.mde_reduction_pct:.0f} % "
            f"(a fall of crime in the treated areas relative to their controls; {level}, "
            f"pooled over {len(self.areas)} area{'s' if len(self.areas) > 1 else ''}"
            + (f", between-area variance tau2 = {self.tau2:.3g}" if self.tau2 > 0 else "")
            + ")."
        ]
        target = f"{self.target_reduction_pct:g} %"
        if p.can_answer:
            lines.append(
                f"They can answer whether the cameras cut crime by {target}: "
                f"the chance of detecting such an effect is {_pct(p.power_at_target)}."
            )
        else:
            lines.append(
                f"They cannot answer whether the cameras cut crime by {target}: "
                f"the chance of detecting such an effect is only {_pct(p.power_at_target)}. "
                "A non-significant result would not show that the cameras have no effect."
            )
        alone = [a.label for a in self.areas if a.can_answer]
        if len(self.areas) > 1:
            lines.append(
                f"{len(alone)} of {len(self.areas)} areas could detect {target} on their own."
            )
        if any(a.continuity_correction for a in self.areas):
            lines.append(
                "Some areas have a zero count (0.5 was added): they are too small to say much."
            )
        return lines

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``sentinelle evaluate power --json``."""
        return {
            "alpha": self.alpha,
            "power": self.power,
            "overdispersion": self.overdispersion,
            "target_reduction_pct": self.target_reduction_pct,
            "target_odds_ratio": self.fixed.target_odds_ratio,
            "areas": [
                {
                    "area": a.label,
                    **a.to_json(),
                    "continuity_correction": a.continuity_correction,
                }
                for a in self.areas
            ],
            "fixed": self.fixed.to_json(),
            "random": {**self.random.to_json(), "tau2": self.tau2},
            "can_answer": self.can_answer,
            "verdict": self.verdict(),
        }


def detectable_effects(
    counts: CountsTable,
    *,
    alpha: float = 0.05,
    power: float = DEFAULT_POWER,
    overdispersion: float = 1.0,
    target_reduction_pct: float = DEFAULT_TARGET_REDUCTION_PCT,
) -> PowerResult:
    """Minimal detectable effect per area and pooled, for counts like these.

    Formula and assumptions in the module docstring.

    Parameters
    ----------
    counts
        Validated counts (`read_counts`).
    alpha
        Level of the two-sided test.
    power
        The power asked for (0.8: 80 %).
    overdispersion
        The factor D (>= 1) that multiplies var(ln OR).
    target_reduction_pct
        The fall of crime one wants to be able to detect, in percent (0–100, exclusive).

    Examples
    --------
    >>> from sentinelle.evaluate.counts import CountsTable
    >>> t = CountsTable.from_records([{"area": "A", "treated_before": 100,
    ...     "treated_after": 100, "control_before": 100, "control_after": 100}])
    >>> r = detectable_effects(t)
    >>> round(r.fixed.mde_log_or, 4)  # 2.8016 * sqrt(0.04)
    0.5603
    """
    alpha = check_alpha(alpha)
    overdispersion = check_overdispersion(overdispersion)
    if not (isinstance(power, int | float) and 0.0 < power < 1.0):
        msg = f"`power` must be strictly between 0 and 1 (0.8 for 80 %), got {power!r}"
        raise InputError(msg)
    if not (isinstance(target_reduction_pct, int | float) and 0.0 < target_reduction_pct < 100.0):
        msg = (
            "`target_reduction_pct` must be a percentage strictly between 0 and 100, "
            f"got {target_reduction_pct!r}"
        )
        raise InputError(msg)
    if len(counts) == 0:
        msg = f"{counts.source}: no areas"
        raise InputError(msg)
    target_or = reduction_to_odds_ratio(float(target_reduction_pct))
    eff = log_relative_effects(
        counts.column("treated_before"),
        counts.column("treated_after"),
        counts.column("control_before"),
        counts.column("control_after"),
        overdispersion=overdispersion,
    )
    pooled = pool_log_effects(eff.log_or, eff.variance)

    def make(label: str, variance: float, corrected: bool = False) -> DetectableEffect:
        return DetectableEffect(
            label=label,
            variance=variance,
            alpha=alpha,
            power=float(power),
            target_odds_ratio=target_or,
            continuity_correction=corrected,
        )

    areas = tuple(
        make(r.area, float(eff.variance[i]), bool(eff.corrected[i]))
        for i, r in enumerate(counts.rows)
    )
    return PowerResult(
        areas=areas,
        fixed=make("fixed effect", float(pooled.fixed_variance)),
        random=make("random effects", float(pooled.random_variance)),
        tau2=float(pooled.tau2),
        alpha=alpha,
        power=float(power),
        target_reduction_pct=float(target_reduction_pct),
        overdispersion=overdispersion,
    )
