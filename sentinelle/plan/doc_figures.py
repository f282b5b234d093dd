"""Maps and charts of the Schéma Directeur, drawn for paper (A4, 8 pt text at least).

Every function returns a matplotlib `Figure` (no pyplot state); `document` embeds them as PNG
data URIs. Maps are drawn from our own base map (streets, zones), in the metric frame, with a
scale bar and a north arrow.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import numpy as np
import shapely
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon as MplPolygon
from numpy.typing import NDArray

from sentinelle.plan.masterplan import MasterPlan

__all__ = [
    "budget_chart",
    "coverage_bars",
    "existing_map",
    "phasing_chart",
    "priority_map",
    "sites_map",
    "zone_zooms",
]

FONT = 8.5
QPV_COLOUR = "#6a1b9a"
EXISTING_COLOUR = "#1565c0"
NEW_COLOUR = "#e65100"
YEAR_COLOURS = ["#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf"]

matplotlib.rcParams.update({
    "font.size": FONT,
    "font.family": "DejaVu Sans",
    "axes.titlesize": FONT + 1.5,
    "axes.labelsize": FONT,
    "legend.fontsize": FONT,
    "xtick.labelsize": FONT,
    "ytick.labelsize": FONT,
})


def _segments(lines: NDArray) -> list[NDArray]:
    lines = np.asarray(lines, dtype=object)
    if lines.size == 0:
        return []
    parts = shapely.get_parts(lines)
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    splits = np.flatnonzero(np.diff(idx)) + 1
    return np.split(coords, splits)


def _polygon_patches(polys: NDArray) -> list[MplPolygon]:
    out = []
    for g in shapely.get_parts(np.asarray(polys, dtype=object)):
        if g is None or g.is_empty or g.geom_type != "Polygon":
            continue
        out.append(MplPolygon(np.asarray(g.exterior.coords), closed=True))
    return out


def _base(ax, mp: MasterPlan, *, street_colour: str = "#c8c8c8", lw: float = 0.35) -> None:
    ax.add_collection(LineCollection(_segments(mp.basemap.public_streets), colors=street_colour,
                                     linewidths=lw, zorder=1))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(False)


def _zones(ax, mp: MasterPlan, kind: str = "qpv", *, labels: bool = True,
           colour: str = QPV_COLOUR) -> None:
    polys = [z.geometry for z in mp.zones if z.kind.value == kind]
    if not polys:
        return
    metric = mp.basemap.frame.project(np.array(polys, dtype=object))
    for g in shapely.get_parts(metric):
        ax.plot(*np.asarray(g.exterior.coords).T, color=colour, lw=1.2, ls=(0, (4, 2)),
                zorder=4)
    if labels:
        for z, g in zip([z for z in mp.zones if z.kind.value == kind], metric, strict=True):
            p = g.representative_point()
            b = g.bounds
            ax.text(p.x, b[3] + 60, z.name, color=colour, fontsize=FONT, ha="center",
                    va="bottom", weight="bold", zorder=6,
                    bbox={"facecolor": "white", "alpha": 0.75, "pad": 1, "edgecolor": "none"})


def _frame(ax, mp: MasterPlan, bounds: Sequence[float] | None = None, *, bar_m: float = 1000.0
           ) -> None:
    if bounds is None:
        bounds = _city_bounds(mp)
    x0, y0, x1, y1 = bounds
    pad = 0.02 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    # scale bar, bottom left
    bx, by = x0 + pad, y0 + pad
    ax.plot([bx, bx + bar_m], [by, by], color="black", lw=2.5, zorder=7, solid_capstyle="butt")
    label = f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:g} m"
    ax.text(bx + bar_m / 2, by + pad * 0.6, label, ha="center", va="bottom", fontsize=FONT,
            zorder=7)
    # north arrow, top right (grid north ≈ true north within a degree here)
    nx, ny = x1 - pad, y1 - 3 * pad
    ax.annotate("N", xy=(nx, ny + 2.2 * pad), xytext=(nx, ny), ha="center", va="center",
                fontsize=FONT + 1, weight="bold", zorder=7,
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2})


def _legend_below(ax, *, ncols: int, title: str | None = None) -> None:
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncols=ncols, frameon=False,
              title=title)


def _city_bounds(mp: MasterPlan) -> NDArray:
    """Bounds of the zones (the city) when there are any, else of the streets."""
    if mp.zones:
        polys = mp.basemap.frame.project(np.array([z.geometry for z in mp.zones], dtype=object))
        return shapely.total_bounds(polys)
    return shapely.total_bounds(mp.basemap.public_streets)


def _views(ax, polys: NDArray, colour: str, alpha: float = 0.45) -> None:
    patches = _polygon_patches(polys)
    if patches:
        ax.add_collection(PatchCollection(patches, facecolor=colour, edgecolor=colour,
                                          linewidths=0.3, alpha=alpha, zorder=3))


def _xy(mp: MasterPlan, cols: Sequence[int]) -> tuple[NDArray, NDArray]:
    c = mp.candidates
    p = c.place[np.asarray(cols, dtype=int)]
    return c.places.x[p], c.places.y[p]


def existing_map(mp: MasterPlan) -> Figure:
    """The existing network: cameras, what they see, and the QPV."""
    fig = Figure(figsize=(7.0, 6.4))
    ax = fig.add_subplot()
    _base(ax, mp)
    ex = list(range(mp.candidates.n_existing))
    _views(ax, mp.coverage.visibility[ex], EXISTING_COLOUR, 0.8)
    x, y = _xy(mp, ex)
    ax.scatter(x, y, s=28, marker="s", c=EXISTING_COLOUR, edgecolors="white", linewidths=0.6,
               zorder=5, label=f"Caméra existante ({len(ex)})")
    _zones(ax, mp)
    _frame(ax, mp)
    ax.plot([], [], color=QPV_COLOUR, ls=(0, (4, 2)), lw=1.2, label="Quartier prioritaire (QPV)")
    _legend_below(ax, ncols=2)
    return fig


def priority_map(mp: MasterPlan) -> Figure:
    """Demand weight of each street cell (per 25 m), darker = higher priority."""
    fig = Figure(figsize=(7.0, 6.8))
    ax = fig.add_subplot()
    _base(ax, mp, street_colour="#e4e4e4")
    d = mp.demand
    w = d.weights / np.maximum(d.length_m / mp.scenario.demand.cell_length_m, 1e-9)
    order = np.argsort(w)
    segs = _segments(d.cells[order])
    vmax = float(np.quantile(w, 0.99)) if w.size else 1.0
    lc = LineCollection(segs, array=w[order], cmap="YlOrRd", linewidths=1.3, zorder=2)
    lc.set_clim(0, vmax)
    ax.add_collection(lc)
    for name, geoms in d.sensitive.items():
        if name == "metro" and geoms.size:
            ax.scatter(shapely.get_x(geoms), shapely.get_y(geoms), s=22, marker="D",
                       c="#1a1a1a", zorder=5, label="Station de métro")
    _zones(ax, mp)
    _frame(ax, mp)
    cb = fig.colorbar(lc, ax=ax, orientation="horizontal", fraction=0.04, pad=0.02)
    cb.set_label("Priorité d'un tronçon de rue (poids pour 25 m)")
    ax.plot([], [], color=QPV_COLOUR, ls=(0, (4, 2)), lw=1.2, label="QPV")
    ax.legend(loc="upper left", framealpha=0.9)
    return fig


def _year_colour(mp: MasterPlan) -> dict[int | None, str]:
    years = [y.year for y in mp.programme.years]
    out: dict[int | None, str] = {y: YEAR_COLOURS[k % len(YEAR_COLOURS)]
                                  for k, y in enumerate(years)}
    out[None] = "#555555"
    return out


def sites_map(mp: MasterPlan) -> Figure:
    """Existing cameras and proposed sites coloured by programme year."""
    fig = Figure(figsize=(7.0, 6.8))
    ax = fig.add_subplot()
    _base(ax, mp)
    ex = list(range(mp.candidates.n_existing))
    _views(ax, mp.coverage.visibility[ex], EXISTING_COLOUR, 0.7)
    _views(ax, mp.coverage.visibility[mp.new_sites], NEW_COLOUR, 0.7)
    x, y = _xy(mp, ex)
    ax.scatter(x, y, s=30, marker="s", c="#111111", edgecolors="white", linewidths=0.6,
               zorder=7, label=f"Existante ({len(ex)})")
    colours = _year_colour(mp)
    year_of = mp.year_of()
    for yr, col in colours.items():
        cols = [j for j in mp.new_sites if year_of[j] == yr]
        if not cols:
            continue
        x, y = _xy(mp, cols)
        label = f"{yr} ({len(cols)})" if yr is not None else f"Hors programme ({len(cols)})"
        ax.scatter(x, y, s=26, marker="o", c=col, edgecolors="black", linewidths=0.4, zorder=6,
                   label=label)
    _zones(ax, mp)
    _frame(ax, mp)
    ax.plot([], [], color=QPV_COLOUR, ls=(0, (4, 2)), lw=1.2, label="QPV")
    _legend_below(ax, ncols=4, title="Caméras : existantes et nouvelles par année de mise en "
                  "service")
    return fig


def zone_zooms(mp: MasterPlan, kind: str = "qpv") -> Figure | None:
    """One zoomed map per zone of `kind`, sites numbered by their rank in the programme."""
    zones = [z for z in mp.zones if z.kind.value == kind]
    if not zones:
        return None
    n = len(zones)
    cols = 2 if n > 1 else 1
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(7.2, 3.3 * rows))
    metric = mp.basemap.frame.project(np.array([z.geometry for z in zones], dtype=object))
    rank = {j: k + 1 for k, j in enumerate(mp.programme.order)}
    colours = _year_colour(mp)
    year_of = mp.year_of()
    c = mp.candidates
    for k, (z, g) in enumerate(zip(zones, metric, strict=True)):
        ax = fig.add_subplot(rows, cols, k + 1)
        _base(ax, mp, lw=0.8)
        b = shapely.bounds(g)
        x0, y0, x1, y1 = b[0] - 150, b[1] - 150, b[2] + 150, b[3] + 150
        ex = list(range(c.n_existing))
        _views(ax, mp.coverage.visibility[ex], EXISTING_COLOUR, 0.55)
        _views(ax, mp.coverage.visibility[mp.new_sites], NEW_COLOUR, 0.55)
        ax.plot(*np.asarray(shapely.get_parts(g)[0].exterior.coords).T, color=QPV_COLOUR,
                lw=1.4, ls=(0, (4, 2)), zorder=4)
        for part in shapely.get_parts(g)[1:]:
            ax.plot(*np.asarray(part.exterior.coords).T, color=QPV_COLOUR, lw=1.4,
                    ls=(0, (4, 2)), zorder=4)
        x, y = _xy(mp, ex)
        inside = (x > x0) & (x < x1) & (y > y0) & (y < y1)
        ax.scatter(x[inside], y[inside], s=30, marker="s", c="#111111",
                   edgecolors="white", linewidths=0.6, zorder=7)
        for j in mp.new_sites:
            px, py = _xy(mp, [j])
            if not (x0 < px[0] < x1 and y0 < py[0] < y1):
                continue
            ax.scatter(px, py, s=30, c=colours[year_of[j]], edgecolors="black",
                       linewidths=0.4, zorder=6)
            ax.annotate(str(rank.get(j, "")), (px[0], py[0]), xytext=(3, 3),
                        textcoords="offset points", fontsize=FONT - 1, zorder=7,
                        bbox={"facecolor": "white", "alpha": 0.8, "pad": 0.5,
                              "edgecolor": "none"})
        span = max(x1 - x0, y1 - y0)
        _frame(ax, mp, (x0, y0, x1, y1), bar_m=200.0 if span < 2500 else 500.0)
        ax.set_title(z.name, color=QPV_COLOUR, weight="bold")
    fig.tight_layout()
    return fig


def coverage_bars(mp: MasterPlan, kind: str = "qpv") -> Figure:
    """Street coverage (%) of each zone of `kind`, before and after."""
    before = {z["name"]: z for z in mp.before["zones"] if z["kind"] == kind}
    after = {z["name"]: z for z in mp.after["zones"] if z["kind"] == kind}
    names = [n for n in before if before[n]["street_m"] > 0]
    fig = Figure(figsize=(7.0, 0.45 * max(len(names), 2) + 1.0))
    ax = fig.add_subplot()
    y = np.arange(len(names))
    b = [before[n]["covered_pct"] for n in names]
    a = [after[n]["covered_pct"] for n in names]
    ax.barh(y + 0.2, b, height=0.38, color="#90a4ae", label="Avant")
    ax.barh(y - 0.2, a, height=0.38, color=NEW_COLOUR, label="Après")
    for yy, v in zip(y - 0.2, a, strict=True):
        ax.text(v + 0.4, yy, f"{v:.1f} %", va="center", fontsize=FONT)
    for yy, v in zip(y + 0.2, b, strict=True):
        ax.text(v + 0.4, yy, f"{v:.1f} %", va="center", fontsize=FONT, color="#455a64")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel("Part des rues couvertes (longueur vue, %)")
    ax.set_xlim(0, max([*a, *b, 1.0]) * 1.18)
    ax.legend(loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def phasing_chart(mp: MasterPlan) -> Figure:
    """New cameras per year and the share of the demand weight covered at each year's end."""
    years = [y.year for y in mp.programme.years]
    added = [len(y.sites) for y in mp.programme.years]
    total = mp.demand.weights.sum()
    base = mp.result.objective - sum(mp.programme.gains) if mp.result.objective else 0.0
    share = []
    acc = base
    for y in mp.programme.years:
        acc += y.gained_weight
        share.append(100 * acc / total if total else 0.0)
    fig = Figure(figsize=(7.0, 2.9))
    ax = fig.add_subplot()
    ax.bar(years, added, color=NEW_COLOUR, width=0.6, label="Nouvelles caméras")
    for x, v in zip(years, added, strict=True):
        ax.text(x, v, str(v), ha="center", va="bottom", fontsize=FONT)
    ax.set_ylabel("Caméras mises en service")
    ax.set_xticks(years)
    ax2 = ax.twinx()
    ax2.plot(years, share, color="black", marker="o", label="Priorité couverte (%)")
    ax2.set_ylabel("Part du poids de priorité couverte (%)")
    ax2.set_ylim(0, max(share + [1.0]) * 1.25)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2,
              frameon=False)
    ax.set_ylim(0, max(added + [1]) * 1.2)
    ax.spines[["top"]].set_visible(False)
    fig.tight_layout()
    return fig


def budget_chart(mp: MasterPlan) -> Figure:
    """Capital and operating costs per year (k€), stacked."""
    rows = mp.budget["years"]
    years = [r["year"] for r in rows]
    parts = [
        ("capex_eur", "Investissement", "#37474f"),
        ("maintenance_eur", "Maintenance", "#8d6e63"),
        ("transmission_eur", "Transmission", "#26a69a"),
        ("staffing_eur", "Opérateurs CSU", "#ffa726"),
    ]
    fig = Figure(figsize=(7.0, 3.0))
    ax = fig.add_subplot()
    bottom = np.zeros(len(years))
    for key, label, col in parts:
        v = np.array([r[key] for r in rows]) / 1000
        ax.bar(years, v, bottom=bottom, color=col, width=0.6, label=label)
        bottom += v
    for x, v in zip(years, bottom, strict=True):
        ax.text(x, v, f"{v:,.0f}".replace(",", " "), ha="center", va="bottom", fontsize=FONT)
    ax.set_ylabel("k€ par an")
    ax.set_xticks(years)
    ax.set_ylim(0, bottom.max() * 1.15 if bottom.size else 1)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
