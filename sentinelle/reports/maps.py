"""Static maps for print: polygons, lines and points in a metric frame, with a scale bar.

Drawn with matplotlib's object API (no display, no tiles from the internet): the base map comes
from our own data (streets, buildings) passed as a layer like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from numpy.typing import ArrayLike

from sentinelle.reports.typography import fr_number


@dataclass(frozen=True)
class MapLayer:
    """Geometries of one kind and how to draw them.

    ``geoms`` are shapely geometries in a metric CRS (polygons, lines or points, mixed
    allowed). ``label`` goes to the legend (None: not in the legend). ``labels`` optionally
    names each geometry on the map (at its representative point).
    """

    geoms: ArrayLike
    label: str | None = None
    facecolor: str = "none"
    edgecolor: str = "#333333"
    linewidth: float = 0.8
    alpha: float = 1.0
    markersize: float = 12.0
    zorder: int = 2
    labels: Sequence[str] | None = field(default=None)


def _polygon_path(poly: shapely.Polygon) -> MplPath:
    rings = [np.asarray(poly.exterior.coords)] + [np.asarray(r.coords) for r in poly.interiors]
    verts = np.concatenate(rings)
    codes = np.concatenate(
        [[MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2) + [MplPath.CLOSEPOLY] for r in rings]
    )
    return MplPath(verts, codes)


def _parts(geoms: np.ndarray) -> tuple[list, list, list]:
    polys, lines, points = [], [], []
    flat = shapely.get_parts(geoms[~shapely.is_empty(geoms)]) if len(geoms) else geoms
    for g in flat:
        kind = g.geom_type
        if kind == "Polygon":
            polys.append(g)
        elif kind in ("LineString", "LinearRing"):
            lines.append(np.asarray(g.coords))
        elif kind == "Point":
            points.append((g.x, g.y))
        elif kind == "GeometryCollection":  # pragma: no cover - rare
            p, ln, pt = _parts(np.array(list(g.geoms), dtype=object))
            polys += p
            lines += ln
            points += pt
    return polys, lines, points


def _scale_bar(ax, width_m: float) -> None:
    nice = [10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000]
    length = max([n for n in nice if n <= width_m / 4] or [nice[0]])
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x = x0 + 0.04 * (x1 - x0)
    y = y0 + 0.04 * (y1 - y0)
    ax.plot([x, x + length], [y, y], color="black", linewidth=3, solid_capstyle="butt", zorder=10)
    text = f"{fr_number(length / 1000, 1 if length % 1000 else 0)} km" if length >= 1000 else (
        f"{length} m")
    ax.text(x + length / 2, y + 0.015 * (y1 - y0), text, ha="center", va="bottom", fontsize=8,
            zorder=10)
    ax.annotate("N", xy=(x1 - 0.04 * (x1 - x0), y1 - 0.05 * (y1 - y0)),
                xytext=(x1 - 0.04 * (x1 - x0), y1 - 0.13 * (y1 - y0)),
                arrowprops={"arrowstyle": "-|>", "color": "black"}, ha="center", va="center",
                fontsize=9, fontweight="bold", zorder=10)


def static_map(
    layers: Sequence[MapLayer],
    *,
    title: str | None = None,
    attribution: str | None = None,
    extent: tuple[float, float, float, float] | None = None,
    size_in: tuple[float, float] = (9.0, 7.0),
    legend_loc: str = "upper left",
) -> Figure:
    """Draw layers (first at the bottom) on a map with a scale bar and a north arrow.

    Parameters
    ----------
    layers
        What to draw.
    title
        Above the map.
    attribution
        Data credits, bottom right (required by OpenStreetMap's licence when its data shows).
    extent
        ``(xmin, ymin, xmax, ymax)`` in metres; default: the bounds of every layer but the first
        (the first is taken as the base map), with a margin.
    size_in
        Figure size in inches.
    legend_loc
        Where the legend goes.

    Returns
    -------
    Figure
        The matplotlib figure (save it, or embed it with `figure_img`).
    """
    fig = Figure(figsize=size_in)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.05, 0.98, 0.86 if title else 0.93))
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = []
    all_bounds = []
    for k, layer in enumerate(layers):
        geoms = np.asarray(layer.geoms, dtype=object).ravel()
        polys, lines, points = _parts(geoms)
        if polys:
            patches = [PathPatch(_polygon_path(p)) for p in polys]
            ax.add_collection(PatchCollection(
                patches, facecolor=layer.facecolor, edgecolor=layer.edgecolor,
                linewidth=layer.linewidth, alpha=layer.alpha, zorder=layer.zorder))
        if lines:
            ax.add_collection(LineCollection(
                lines, colors=layer.edgecolor, linewidths=layer.linewidth, alpha=layer.alpha,
                zorder=layer.zorder))
        if points:
            pts = np.array(points)
            ax.scatter(pts[:, 0], pts[:, 1], s=layer.markersize, c=layer.facecolor
                       if layer.facecolor != "none" else layer.edgecolor,
                       edgecolors=layer.edgecolor, linewidths=0.5, alpha=layer.alpha,
                       zorder=layer.zorder)
        if layer.labels is not None:
            reps = shapely.point_on_surface(geoms)
            for g, text in zip(reps, layer.labels, strict=True):
                if g is not None and not g.is_empty and text:
                    ax.text(g.x, g.y, text, fontsize=7.5, ha="center", va="center",
                            zorder=layer.zorder + 5,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                                  "alpha": 0.75})
        if layer.label:
            handles.append(Patch(facecolor=layer.facecolor if layer.facecolor != "none"
                                 else "white", edgecolor=layer.edgecolor, alpha=layer.alpha,
                                 label=layer.label))
        if (k > 0 or len(layers) == 1) and len(geoms):
            b = shapely.total_bounds(geoms)
            if np.all(np.isfinite(b)):
                all_bounds.append(b)
    if extent is None and all_bounds:
        b = np.array(all_bounds)
        xmin, ymin = b[:, 0].min(), b[:, 1].min()
        xmax, ymax = b[:, 2].max(), b[:, 3].max()
        pad = 0.06 * max(xmax - xmin, ymax - ymin, 100.0)
        extent = (xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    if extent is not None:
        # Keep the figure's aspect: widen the shorter side.
        xmin, ymin, xmax, ymax = extent
        box_w, box_h = ax.get_position().width * size_in[0], ax.get_position().height * size_in[1]
        w, h = xmax - xmin, ymax - ymin
        if w / h < box_w / box_h:
            extra = (h * box_w / box_h - w) / 2
            xmin, xmax = xmin - extra, xmax + extra
        else:
            extra = (w * box_h / box_w - h) / 2
            ymin, ymax = ymin - extra, ymax + extra
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        _scale_bar(ax, xmax - xmin)
    if handles:
        ax.legend(handles=handles, loc=legend_loc, fontsize=8, framealpha=0.9)
    if title:
        fig.text(0.01, 0.975, title, fontsize=12, fontweight="bold", va="top")
    if attribution:
        fig.text(0.99, 0.01, attribution, fontsize=6.5, ha="right", va="bottom", color="#555555")
    return fig
