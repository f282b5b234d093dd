"""Forest plot of relative effect sizes, in French, for a reader who is not a statistician.

One line per area (square sized by its weight, horizontal line for its interval), the pooled
estimates as diamonds, a vertical line at 1 (no effect) and, under the axis, which side means
that crime fell. Drawn with matplotlib's object API on the Agg canvas, so no display is needed.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import FixedLocator, NullLocator

from sentinelle.evaluate.effects import EffectEstimate, EffectsResult
from sentinelle.evaluate.staggered import StaggeredResult

# Intervals beyond these bounds are cut at the edge and drawn with an arrow.
_X_FLOOR = 0.05
_X_CEIL = 20.0
_CANDIDATE_TICKS = (0.05, 0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 10, 20)
_AREA_COLOUR = "#1f4e79"
_POOLED_COLOUR = "#b03a2e"


def _fr(x: float, digits: int = 2) -> str:
    """A number written the French way: decimal comma, minus sign, thin space for thousands."""
    text = f"{x:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "\u2212")


def _fr_or(x: float) -> str:
    """An odds ratio: two decimals, or two significant digits below 0.1."""
    if 0 < x < 0.1:
        return _fr(x, max(2, 1 - math.floor(math.log10(x))))
    return _fr(x)


def _pct(x: float) -> str:
    return f"{'+' if x > 0 else ''}{_fr(x, 0)} %"


def _row_text(e: EffectEstimate) -> str:
    return f"{_fr_or(e.odds_ratio)} [{_fr_or(e.ci_low)} ; {_fr_or(e.ci_high)}]"


def _ticks(x_min: float, x_max: float) -> list[float]:
    """Candidate ticks inside the range, at least 1/11 of the log range apart, 1 always kept."""
    gap = math.log(x_max / x_min) / 11
    inside = [t for t in _CANDIDATE_TICKS if x_min <= t <= x_max]
    kept = [1.0]
    for t in sorted(inside, key=lambda t: abs(math.log(t))):
        if all(abs(math.log(t / k)) >= gap for k in kept):
            kept.append(t)
    return sorted(kept)


def forest_plot(
    result: EffectsResult,
    *,
    path: str | Path | None = None,
    title: str = "Effet relatif de la vidéoprotection, zone par zone",
    dpi: int = 150,
) -> Figure:
    """Draw (and optionally save) the forest plot of an `EffectsResult`.

    Parameters
    ----------
    result
        Per-area and pooled estimates (`estimate_effects`).
    path
        Where to write the figure (PNG, or any format matplotlib knows by the extension).
    title
        The title at the top.
    dpi
        Resolution of the saved file.

    Returns
    -------
    Figure
        The matplotlib figure (not attached to pyplot).
    """
    areas = list(result.areas)
    n = len(areas)
    pct = int(round((1 - result.alpha) * 100))
    labels = [e.label + (" *" if e.continuity_correction else "") for e in areas]
    pooled_labels = ["Ensemble : effet fixe", "Ensemble : effets aléatoires"]

    # Layout in inches: labels | plot | columns of figures; title above, caption below.
    left_in = 0.35 + 0.085 * max(len(t) for t in [*labels, *pooled_labels])
    plot_in, columns_in = 5.2, 3.8
    top_in, rows_in, bottom_in = 1.45, 0.34 * (n + 3.4), 2.0
    width, height = left_in + plot_in + columns_in, top_in + rows_in + bottom_in
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((left_in / width, bottom_in / height, plot_in / width, rows_in / height))

    # Rows from the top: areas, a gap, then the two pooled estimates.
    y_areas = np.arange(n, 0, -1) + 2.5
    y_fixed, y_random = 1.5, 0.5
    lows = [e.ci_low for e in [*areas, result.fixed, result.random]]
    highs = [e.ci_high for e in [*areas, result.fixed, result.random]]
    x_min = max(_X_FLOOR, min(min(lows), 0.8) / 1.15)
    x_max = min(_X_CEIL, max(max(highs), 1.25) * 1.15)
    ax.set_xscale("log")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(-0.2, n + 3.2)

    # Side shading: right of 1 the treated area did better than its control.
    ax.axvspan(1.0, x_max, color="#e8f3e8", zorder=0)
    ax.axvspan(x_min, 1.0, color="#f8ecec", zorder=0)
    ax.axvline(1.0, color="black", linewidth=1.2, zorder=1)
    ax.axhline(2.0, color="grey", linewidth=0.6, linestyle=":", zorder=1)

    weights = np.array([e.weight_pct or 0.0 for e in areas])
    sizes = 30 + 250 * weights / max(weights.max(), 1e-9)
    for e, y, s in zip(areas, y_areas, sizes, strict=True):
        lo, hi = max(e.ci_low, x_min), min(e.ci_high, x_max)
        ax.plot([lo, hi], [y, y], color=_AREA_COLOUR, linewidth=1.6, zorder=2)
        if e.ci_low < x_min:
            ax.plot(lo, y, marker="<", color=_AREA_COLOUR, markersize=6, zorder=3)
        if e.ci_high > x_max:
            ax.plot(hi, y, marker=">", color=_AREA_COLOUR, markersize=6, zorder=3)
        if x_min <= e.odds_ratio <= x_max:
            ax.scatter([e.odds_ratio], [y], s=s, marker="s", color=_AREA_COLOUR, zorder=3)

    for e, y in ((result.fixed, y_fixed), (result.random, y_random)):
        lo, hi = max(e.ci_low, x_min), min(e.ci_high, x_max)
        diamond = Polygon(
            [(lo, y), (e.odds_ratio, y + 0.3), (hi, y), (e.odds_ratio, y - 0.3)],
            closed=True,
            facecolor=_POOLED_COLOUR,
            edgecolor=_POOLED_COLOUR,
            zorder=3,
        )
        ax.add_patch(diamond)
    ax.axvline(result.random.odds_ratio, color=_POOLED_COLOUR, linewidth=0.8, linestyle="--")

    ax.set_yticks([*y_areas, y_fixed, y_random])
    ax.set_yticklabels([*labels, *pooled_labels], fontsize=10)
    for tick in ax.get_yticklabels()[n:]:
        tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    ticks = _ticks(x_min, x_max)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([_fr(t, 2).rstrip("0").rstrip(",") for t in ticks], fontsize=9)
    ax.set_xlabel(f"Rapport de cotes relatif (RC), intervalle de confiance à {pct} %", fontsize=10)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)

    # Columns of figures on the right, placed in inches from the plot's right edge.
    tx = ax.get_yaxis_transform()
    col_or, col_pct, col_w = (1 + x / plot_in for x in (0.2, 2.05, 2.85))
    top = n + 2.95
    for x, head in ((col_or, f"RC [IC {pct} %]"), (col_pct, "Évolution"), (col_w, "Poids")):
        ax.text(x, top, head, transform=tx, fontsize=9.5, fontweight="bold")
    for e, y in zip(areas, y_areas, strict=True):
        ax.text(col_or, y, _row_text(e), transform=tx, va="center", fontsize=9)
        ax.text(col_pct, y, _pct(e.percent_change), transform=tx, va="center", fontsize=9)
        weight = f"{_fr(e.weight_pct or 0.0, 1)} %"
        ax.text(col_w, y, weight, transform=tx, va="center", fontsize=9)
    for e, y in ((result.fixed, y_fixed), (result.random, y_random)):
        for x, text in ((col_or, _row_text(e)), (col_pct, _pct(e.percent_change))):
            ax.text(x, y, text, transform=tx, va="center", fontsize=9, fontweight="bold")

    # Which side is which, under the axis, on each side of the line at 1.
    below = -0.55 / rows_in
    ax.annotate(
        "← la délinquance a augmenté\ndans la zone équipée",
        xy=(1.0, below),
        xycoords=("data", "axes fraction"),
        xytext=(-6, 0),
        textcoords="offset points",
        ha="right",
        va="top",
        multialignment="right",
        fontsize=9.5,
        fontweight="bold",
        color="#8b2323",
    )
    ax.annotate(
        "la délinquance a baissé →\ndans la zone équipée",
        xy=(1.0, below),
        xycoords=("data", "axes fraction"),
        xytext=(6, 0),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=9.5,
        fontweight="bold",
        color="#1e6b1e",
    )

    fig.text(0.15 / width, 1 - 0.3 / height, title, fontsize=14, fontweight="bold", va="top")
    r = result.random
    lo, hi = r.percent_change_interval
    verdict = (
        "La baisse est significative."
        if r.ci_low > 1
        else "La hausse est significative : la délinquance a augmenté dans les zones équipées."
        if r.ci_high < 1
        else "L'intervalle contient l'absence d'effet : ces données ne permettent pas de conclure."
    )
    scope = f"Ensemble des {n} zones (effets aléatoires)" if n > 1 else "Une seule zone"
    subtitle = (
        f"{scope} : {_pct(r.percent_change)} dans les zones équipées par rapport aux zones "
        f"témoins (IC {pct} % : {_pct(lo)} à {_pct(hi)}).\n{verdict}"
    )
    fig.text(0.15 / width, 1 - 0.68 / height, subtitle, fontsize=10.5, va="top", linespacing=1.5)
    i2 = "non défini (une seule zone)" if result.i2 is None else f"{_fr(result.i2, 0)} %"
    caption = [
        "Lecture : RC > 1 (à droite, en vert) : la délinquance a baissé dans la zone équipée par "
        "rapport à sa zone témoin ; RC < 1 (à gauche) : elle a augmenté.",
        "Une ligne horizontale qui traverse la ligne verticale 1 ne permet pas de conclure pour "
        "cette zone. Carrés : une zone (taille selon son poids).",
        "RC = (zone équipée avant × zone témoin après) / (zone équipée après × zone témoin "
        "avant) ; « Évolution » = (1/RC − 1) × 100.",
        "Losanges : estimations d'ensemble (effet fixe ; effets aléatoires de DerSimonian–Laird). "
        f"Hétérogénéité entre zones : I² = {i2}, τ² = {_fr(result.tau2, 3)}.",
    ]
    if result.overdispersion != 1.0:
        caption.append(
            "Variances multipliées par un facteur de surdispersion "
            f"D = {_fr(result.overdispersion)}."
        )
    if result.any_continuity_correction:
        caption.append(
            "* Zone avec un compte nul : 0,5 ajouté aux quatre comptes (estimation fragile)."
        )
    fig.text(
        0.15 / width,
        0.12 / height,
        "\n".join(caption),
        fontsize=8.5,
        va="bottom",
        ha="left",
        color="#333333",
    )

    if path is not None:
        fig.savefig(Path(path), dpi=dpi)
    return fig


MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)


def month_fr(label: str) -> str:
    """``"2013-11"`` → ``"novembre 2013"``."""
    year, month = label.split("-")
    return f"{MONTHS_FR[int(month) - 1]} {year}"


SYNTHETIC_BANNER_FR = (
    "DONNÉES SYNTHÉTIQUES : faits simulés pour la démonstration, "
    "ils ne décrivent pas la délinquance réelle."
)


def event_study_plot(
    result: StaggeredResult,
    *,
    path: str | Path | None = None,
    title: str = "Évolution des faits autour de l'installation des caméras",
    dpi: int = 150,
) -> Figure:
    """Draw (and optionally save) the event study of a `StaggeredResult`, in French.

    Each point is the change in incidents in the equipped areas, in percent, against what the
    control areas say would have happened without cameras, with its interval; points before
    installation (grey) check that equipped and control areas moved alike beforehand.

    Parameters
    ----------
    result
        The staggered difference-in-differences (`estimate_staggered`).
    path
        Where to write the figure (PNG, or any format matplotlib knows by the extension).
    title
        The title at the top.
    dpi
        Resolution of the saved file.

    Returns
    -------
    Figure
        The matplotlib figure (not attached to pyplot).
    """
    pct = int(round((1 - result.alpha) * 100))
    units, unit_one = {
        1: ("mois", "mois"),
        3: ("trimestres", "trimestre"),
        12: ("années", "année"),
    }.get(result.bin_months, (f"périodes de {result.bin_months} mois", "période"))
    width, height = 11.0, 7.4
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.09, 0.27, 0.86, 0.51))
    points = list(result.event_study)
    x = np.array([p.rel_period for p in points], dtype=float)
    est = np.array([p.estimate.percent_change for p in points])
    lo = np.array([p.estimate.percent_change_interval[0] for p in points])
    hi = np.array([p.estimate.percent_change_interval[1] for p in points])
    pre = np.array([p.pre for p in points])
    span = max(np.max(np.abs(np.concatenate([lo, hi, [30.0]]))), 30.0)
    y_lim = min(span * 1.1, 150.0)
    ax.axhspan(-y_lim * 2, 0, color="#e8f3e8", zorder=0)
    ax.axhspan(0, y_lim * 2, color="#f8ecec", zorder=0)
    ax.axhline(0, color="black", linewidth=1.1, zorder=1)
    ax.axvline(-0.5, color="#555555", linewidth=1.2, linestyle="--", zorder=1)
    for mask, colour, label in (
        (pre, "#7f7f7f", "avant l'installation (contrôle des tendances)"),
        (~pre, _AREA_COLOUR, "après l'installation"),
    ):
        if mask.any():
            # Estimates and bars beyond the axis are drawn clipped at its edge.
            shown = np.clip(est[mask], -y_lim, y_lim)
            ax.errorbar(
                x[mask],
                shown,
                yerr=[np.maximum(shown - np.maximum(lo[mask], -y_lim), 0),
                      np.maximum(np.minimum(hi[mask], y_lim) - shown, 0)],
                fmt="o",
                color=colour,
                ecolor=colour,
                elinewidth=1.2,
                capsize=2.5,
                markersize=4.5,
                label=label,
                zorder=3,
            )
    att = result.att
    ax.axhline(att.percent_change, xmin=0.0, xmax=1.0, color=_POOLED_COLOUR, linewidth=1.0,
               linestyle=":", zorder=2, label=f"effet moyen : {_pct(att.percent_change)}")
    ax.set_ylim(-y_lim, y_lim)
    if len(x):
        ax.set_xlim(x.min() - 1, x.max() + 1)
    ax.yaxis.set_major_formatter(lambda v, _pos: _pct(v))
    ax.set_ylabel("Écart à la situation\nsans caméras", fontsize=10)
    ax.set_xlabel(
        f"{units.capitalize()} depuis l'installation (0 = {unit_one} de l'installation)",
        fontsize=10,
    )
    ax.text(-0.6, y_lim * 0.93, "installation ", ha="right", va="top", fontsize=9, color="#555555")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.13), ncol=3, fontsize=9, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    top = 0.975
    if result.synthetic:
        fig.text(0.02, 0.985, SYNTHETIC_BANNER_FR, fontsize=9, color="#b03a2e", va="top",
                 fontweight="bold")
        top = 0.95
    fig.text(0.02, top, title, fontsize=14, fontweight="bold", va="top")
    lo_att, hi_att = att.percent_change_interval
    if att.ci_high < 1:
        verdict = "La baisse est significative."
    elif att.ci_low > 1:
        verdict = "La hausse est significative."
    else:
        verdict = (
            "L'intervalle contient l'absence d'effet : ces données ne permettent pas de conclure."
        )
    slope = result.pretrend.kind == "slope"
    if result.pretrend.p_value is None:
        trend = "Tendances avant installation : test impossible avec ces données."
    elif result.pretrend.p_value < 0.05:
        trend = (
            "Attention : avant l'installation, les zones équipées évoluaient déjà autrement que "
            f"les zones témoins (p = {_fr(result.pretrend.p_value, 3)}) ; "
            "l'effet estimé est douteux."
        )
    else:
        trend = (
            "Avant l'installation, zones équipées et zones témoins évoluaient de façon comparable "
            f"(test de pré-tendance{' linéaire' if slope else ''} : "
            f"p = {_fr(result.pretrend.p_value, 2)})."
        )
    subtitle = (
        f"Effet moyen sur les {result.n_treated} zones équipées : {_pct(att.percent_change)} de "
        f"faits par rapport à la situation sans caméras (IC {pct} % : {_pct(lo_att)} à "
        f"{_pct(hi_att)}).\n{verdict}\n{trend}"
    )
    fig.text(0.02, top - 0.055, subtitle, fontsize=10, va="top", linespacing=1.5, wrap=True)
    caption = [
        "Lecture : sous la ligne 0 (en vert), moins de faits que sans caméras ; au-dessus (en "
        "rouge), davantage. Une barre qui traverse 0 ne permet pas de conclure.",
        f"Barres : intervalles de confiance à {pct} %. La situation sans caméras est estimée à "
        "partir des zones sans caméras et des zones pas encore équipées",
        "(différence de différences échelonnée, imputation de Poisson ; Borusyak, Jaravel & "
        "Spiess 2024 ; Wooldridge 2023).",
        f"{result.n_areas} zones, dont {result.n_never_treated} jamais équipées, de "
        f"{month_fr(result.first_month)} à {month_fr(result.last_month)}.",
    ]
    if result.few_areas:
        caption.append(
            "Peu de zones : les intervalles sont probablement trop étroits ; à lire avec prudence."
        )
    fig.text(0.02, 0.015, "\n".join(caption), fontsize=8.3, va="bottom", color="#333333")
    if path is not None:
        fig.savefig(Path(path), dpi=dpi)
    return fig
