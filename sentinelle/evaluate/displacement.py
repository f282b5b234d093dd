r"""Displacement of crime to the surroundings: the weighted displacement difference and quotient.

Cameras may push crime round the corner (displacement) or protect the surroundings too (diffusion
of benefits). Both are measured in a buffer ring around the treated area, against control areas.
Counts come per row: the treated area T, its control C, the buffer B and the buffer's control BC,
before (0) and after (1).

Weighted displacement difference (Wheeler & Ratcliffe 2018)
------------------------------------------------------------

.. math::

    WDD = (T_1 - T_0) - (C_1 - C_0) + (B_1 - B_0) - (BC_1 - BC_0), \qquad
    \operatorname{var}(WDD) = T_0 + T_1 + C_0 + C_1 + B_0 + B_1 + BC_0 + BC_1

under the assumption that every count is an independent Poisson variable (its variance is its
mean, estimated by the count). A negative WDD is a net fall in crime, buffer included, relative to
the controls; ``z = WDD / sqrt(var)`` and the interval is ``WDD ± z_{1-α/2} sqrt(var)``.
Without buffer columns the last two terms are left out.

Weights, applied to every count :math:`x` of an area :math:`g` in a period :math:`p`:

- time weights ``(pre, post)``, the lengths of the two periods: :math:`x / \ell_p` in the
  difference and :math:`x / \ell_p^2` in the variance (rates per unit of time when the periods
  differ in length);
- area weights ``(T, C, B, BC)``: :math:`x / a_g` in the difference and :math:`x / a_g^2` in the
  variance (for example areas in km², or numbers of street segments);
- a row's ``harm_weight`` :math:`h` multiplies that row's difference by :math:`h` and its
  variance by :math:`h^2` (crime-harm weighting when rows are crime types).

Rows are summed, difference and variance alike.

Weighted displacement quotient (Bowers & Johnson 2003)
------------------------------------------------------

.. math::

    WDQ = \frac{B_1/C_1 - B_0/C_0}{T_1/C_1 - T_0/C_0}

with the control area C as comparison for both the treated area and the buffer. It is read only
when the denominator (the "success measure") is negative, that is when the treated area improved
relative to its control: WDQ > 0 is a diffusion of benefits (greater than the direct effect above
1); WDQ < 0 is displacement, which cancels more than the direct effect below −1. The WDQ has no
simple variance (one reason Wheeler & Ratcliffe proposed the WDD). It is computed on the counts
summed over rows, each multiplied by its harm weight; time weights cancel in its ratios, and area
weights are not applied, so that −1 keeps its meaning of displaced crimes equal in number to
prevented ones.

References
----------
Bowers, K. J. & Johnson, S. D. (2003). Measuring the geographical displacement and diffusion of
benefit effects of crime prevention activity. *Journal of Quantitative Criminology* 19, 275–301.
Wheeler, A. P. & Ratcliffe, J. H. (2018). A simple weighted displacement difference test to
evaluate place based crime interventions. *Crime Science* 7, 11.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from sentinelle.errors import InputError
from sentinelle.evaluate.counts import CountsTable
from sentinelle.evaluate.effects import check_alpha, z_critical


class WDDArrays(NamedTuple):
    """WDD summed over the last axis, and the per-row terms it sums."""

    wdd: np.ndarray
    variance: np.ndarray
    row_wdd: np.ndarray
    row_variance: np.ndarray


def _check_weights(values: Sequence[float], n: int, name: str) -> tuple[float, ...]:
    vals = tuple(float(v) for v in values)
    if len(vals) != n or not all(math.isfinite(v) and v > 0 for v in vals):
        msg = f"`{name}` must be {n} positive numbers, got {tuple(values)!r}"
        raise InputError(msg)
    return vals


def weighted_displacement_difference(
    treated_before: ArrayLike,
    treated_after: ArrayLike,
    control_before: ArrayLike,
    control_after: ArrayLike,
    buffer_before: ArrayLike | None = None,
    buffer_after: ArrayLike | None = None,
    buffer_control_before: ArrayLike | None = None,
    buffer_control_after: ArrayLike | None = None,
    *,
    time_weights: Sequence[float] = (1.0, 1.0),
    area_weights: Sequence[float] = (1.0, 1.0, 1.0, 1.0),
    harm_weights: ArrayLike | None = None,
) -> WDDArrays:
    """The WDD and its Poisson variance, summed over rows (the last axis).

    Vectorised: leading axes (for example simulation repetitions) are kept. Formula and weights
    in the module docstring.

    Parameters
    ----------
    treated_before, treated_after, control_before, control_after
        Counts of the treated area and its control, rows on the last axis.
    buffer_before, buffer_after, buffer_control_before, buffer_control_after
        Counts of the buffer and of its control: all four or none.
    time_weights
        Lengths of the before and after periods.
    area_weights
        Weights of the treated, control, buffer and buffer-control areas.
    harm_weights
        One weight per row (default 1).
    """
    pre, post = _check_weights(time_weights, 2, "time_weights")
    w_t, w_c, w_b, w_bc = _check_weights(area_weights, 4, "area_weights")
    buffers = (buffer_before, buffer_after, buffer_control_before, buffer_control_after)
    n_buffers = sum(x is not None for x in buffers)
    if n_buffers not in (0, 4):
        msg = "buffer counts come as a set of four (buffer and buffer control, before and after)"
        raise InputError(msg)

    def term(before: ArrayLike, after: ArrayLike, area_w: float) -> tuple[np.ndarray, np.ndarray]:
        b0 = np.asarray(before, dtype=float) / (area_w * pre)
        b1 = np.asarray(after, dtype=float) / (area_w * post)
        var = (
            np.asarray(before, dtype=float) / (area_w * pre) ** 2
            + np.asarray(after, dtype=float) / (area_w * post) ** 2
        )
        return b1 - b0, var

    dt, vt = term(treated_before, treated_after, w_t)
    dc, vc = term(control_before, control_after, w_c)
    row = dt - dc
    row_var = vt + vc
    if n_buffers == 4:
        db, vb = term(buffer_before, buffer_after, w_b)  # type: ignore[arg-type]
        dbc, vbc = term(buffer_control_before, buffer_control_after, w_bc)  # type: ignore[arg-type]
        row = row + db - dbc
        row_var = row_var + vb + vbc
    if harm_weights is not None:
        h = np.asarray(harm_weights, dtype=float)
        if np.any(~np.isfinite(h)) or np.any(h <= 0):
            msg = "harm weights must be positive numbers"
            raise InputError(msg)
        row = row * h
        row_var = row_var * h**2
    return WDDArrays(row.sum(axis=-1), row_var.sum(axis=-1), row, row_var)


def weighted_displacement_quotient(
    treated_before: ArrayLike,
    treated_after: ArrayLike,
    control_before: ArrayLike,
    control_after: ArrayLike,
    buffer_before: ArrayLike,
    buffer_after: ArrayLike,
) -> np.ndarray:
    """WDQ = (B1/C1 − B0/C0) / (T1/C1 − T0/C0), elementwise (Bowers & Johnson 2003).

    Returns ``nan`` where a control count or the denominator is zero (undefined quotient).
    Sum rows before calling (the WDQ of summed counts is not the sum of WDQs).
    """
    t0, t1, c0, c1, b0, b1 = (
        np.asarray(x, dtype=float)
        for x in (
            treated_before,
            treated_after,
            control_before,
            control_after,
            buffer_before,
            buffer_after,
        )
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        success = t1 / c1 - t0 / c0
        buffer = b1 / c1 - b0 / c0
        wdq = buffer / success
    undefined = (c0 == 0) | (c1 == 0) | (success == 0)
    return np.where(undefined, np.nan, wdq)


class WDQReading(StrEnum):
    """How to read a WDQ (Bowers & Johnson 2003)."""

    undefined = "undefined"  # a control count or the success measure is zero
    no_success = "no_success"  # the treated area did not improve relative to control
    diffusion_greater_than_effect = "diffusion_greater_than_effect"  # WDQ > 1
    diffusion = "diffusion"  # 0 < WDQ <= 1
    no_displacement = "no_displacement"  # WDQ = 0
    displacement = "displacement"  # -1 <= WDQ < 0
    displacement_greater_than_effect = "displacement_greater_than_effect"  # WDQ < -1


WDQ_TEXT: dict[WDQReading, str] = {
    WDQReading.undefined: "undefined (a control count or the treated area's change is zero)",
    WDQReading.no_success: (
        "not interpretable: crime did not fall in the treated area relative to its control"
    ),
    WDQReading.diffusion_greater_than_effect: (
        "diffusion of benefits to the buffer, larger than the effect in the treated area"
    ),
    WDQReading.diffusion: "diffusion of benefits to the buffer",
    WDQReading.no_displacement: "neither displacement nor diffusion",
    WDQReading.displacement: "displacement to the buffer, smaller than the effect it offsets",
    WDQReading.displacement_greater_than_effect: (
        "displacement to the buffer larger than the fall in the treated area (net harm)"
    ),
}


@dataclass(frozen=True)
class DisplacementRow:
    """One row's contribution to the WDD (after harm and other weights)."""

    area: str
    wdd: float
    variance: float


@dataclass(frozen=True)
class DisplacementResult:
    """WDD with its test and interval, and the WDQ when there is a buffer.

    Attributes
    ----------
    wdd
        The weighted displacement difference, summed over rows (negative: net fall).
    variance
        Its Poisson variance.
    alpha
        1 − confidence level.
    rows
        Per-row contributions.
    has_buffer
        Whether buffer counts were given.
    wdq
        The weighted displacement quotient of the summed counts (None without a buffer or when
        undefined).
    success_measure
        The WDQ's denominator T1/C1 − T0/C0 (negative: the treated area improved).
    wdq_reading
        How to read the WDQ, or None without a buffer.
    time_weights, area_weights
        The weights used.
    """

    wdd: float
    variance: float
    alpha: float
    rows: tuple[DisplacementRow, ...]
    has_buffer: bool
    wdq: float | None
    success_measure: float | None
    wdq_reading: WDQReading | None
    time_weights: tuple[float, float]
    area_weights: tuple[float, float, float, float]

    @property
    def se(self) -> float:
        return math.sqrt(self.variance)

    @property
    def z(self) -> float:
        return self.wdd / self.se

    @property
    def p_value(self) -> float:
        """Two-sided p-value of the test WDD = 0."""
        return float(2.0 * stats.norm.sf(abs(self.z)))

    @property
    def ci_low(self) -> float:
        return self.wdd - z_critical(self.alpha) * self.se

    @property
    def ci_high(self) -> float:
        return self.wdd + z_critical(self.alpha) * self.se

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``sentinelle evaluate displacement --json``."""
        return {
            "wdd": self.wdd,
            "variance": self.variance,
            "z": self.z,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "wdq": self.wdq,
            "p_value": self.p_value,
            "alpha": self.alpha,
            "wdq_reading": None if self.wdq_reading is None else self.wdq_reading.value,
            "success_measure": self.success_measure,
            "time_weights": list(self.time_weights),
            "area_weights": list(self.area_weights),
            "rows": [{"area": r.area, "wdd": r.wdd, "variance": r.variance} for r in self.rows],
        }


def read_wdq(wdq: float, success_measure: float) -> WDQReading:
    """Bowers & Johnson's reading of a WDQ given its success measure (denominator)."""
    if not math.isfinite(wdq) or not math.isfinite(success_measure):
        return WDQReading.undefined
    if success_measure >= 0:
        return WDQReading.no_success
    if wdq > 1:
        return WDQReading.diffusion_greater_than_effect
    if wdq > 0:
        return WDQReading.diffusion
    if wdq == 0:
        return WDQReading.no_displacement
    if wdq >= -1:
        return WDQReading.displacement
    return WDQReading.displacement_greater_than_effect


def estimate_displacement(
    counts: CountsTable,
    *,
    alpha: float = 0.05,
    time_weights: Sequence[float] = (1.0, 1.0),
    area_weights: Sequence[float] = (1.0, 1.0, 1.0, 1.0),
) -> DisplacementResult:
    """The weighted displacement difference over all rows, and the WDQ when there is a buffer.

    Formulas, weights and references are in the module docstring. Rows carry their
    ``harm_weight`` (1 when the column is absent).

    Parameters
    ----------
    counts
        Validated counts (`read_counts`), with or without the four buffer columns.
    alpha
        1 − confidence level of the interval.
    time_weights
        Lengths of the before and after periods (any unit, e.g. months).
    area_weights
        Weights of the treated, control, buffer and buffer-control areas.

    Examples
    --------
    >>> from sentinelle.evaluate.counts import CountsTable
    >>> t = CountsTable.from_records([{"area": "A", "treated_before": 30, "treated_after": 20,
    ...     "control_before": 50, "control_after": 50}])
    >>> r = estimate_displacement(t)
    >>> r.wdd, r.variance, r.wdq is None
    (-10.0, 150.0, True)
    """
    alpha = check_alpha(alpha)
    tw = _check_weights(time_weights, 2, "time_weights")
    aw = _check_weights(area_weights, 4, "area_weights")
    if len(counts) == 0:
        msg = f"{counts.source}: no rows to estimate"
        raise InputError(msg)
    col = counts.column
    harm = col("harm_weight")
    buffers: tuple[np.ndarray | None, ...] = (None, None, None, None)
    if counts.has_buffer:
        buffers = (
            col("buffer_before"),
            col("buffer_after"),
            col("buffer_control_before"),
            col("buffer_control_after"),
        )
    arrays = weighted_displacement_difference(
        col("treated_before"),
        col("treated_after"),
        col("control_before"),
        col("control_after"),
        *buffers,
        time_weights=tw,
        area_weights=aw,
        harm_weights=harm,
    )
    rows = tuple(
        DisplacementRow(r.area, float(arrays.row_wdd[i]), float(arrays.row_variance[i]))
        for i, r in enumerate(counts.rows)
    )
    wdq: float | None = None
    success: float | None = None
    reading: WDQReading | None = None
    if counts.has_buffer:
        totals = [
            float((harm * col(name)).sum())
            for name in (
                "treated_before",
                "treated_after",
                "control_before",
                "control_after",
                "buffer_before",
                "buffer_after",
            )
        ]
        t0, t1, c0, c1 = totals[:4]
        value = float(weighted_displacement_quotient(*totals))
        success = t1 / c1 - t0 / c0 if c0 > 0 and c1 > 0 else None
        reading = read_wdq(value, success if success is not None else math.nan)
        wdq = None if math.isnan(value) else value
    return DisplacementResult(
        wdd=float(arrays.wdd),
        variance=float(arrays.variance),
        alpha=alpha,
        rows=rows,
        has_buffer=counts.has_buffer,
        wdq=wdq,
        success_measure=success,
        wdq_reading=reading,
        time_weights=(tw[0], tw[1]),
        area_weights=(aw[0], aw[1], aw[2], aw[3]),
    )
