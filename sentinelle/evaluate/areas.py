"""Evaluation areas from the registry: what each camera site sees, its buffer ring, its controls.

- **Treated areas.** Each camera's visible ground (`camera_viewsheds`): the visibility
  polygons of the coverage engine (occlusion by buildings) when a base map is stored, otherwise
  a circle of ``radius_m`` around the camera. Cameras installed the same month and standing
  within ``merge_m`` of each other (chains included) form one treated area (a site), treated
  from that month.
  An area treated later loses the parts already treated earlier.
- **Buffer rings.** The ring of ``buffer_m`` around each treated area, minus every treated
  area: where displaced crime (or a diffusion of benefits) would show.
- **Control areas.** Given by the user (polygons), or matched: square cells of ``cell_m`` over
  the incidents' extent, away from every treated area and buffer (and from cameras with no
  known installation date), chosen for each treated area among cells of the same zone type
  (in a QPV or not) with the nearest number of incidents per month before the first
  installation (nearest neighbour on ``log(1 + rate)``, without replacement).

Then `panel_from_incidents` counts incidents per area and month, the input of
`estimate_staggered`, and `before_after_counts` gives the before/after table of `effects`,
`displacement` and `power`.

Cameras with no known installation date can be neither treated nor control: their areas and
buffers are left out, and the notes name them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from sentinelle.errors import InputError
from sentinelle.evaluate._rows import month_label
from sentinelle.evaluate.counts import CountsTable
from sentinelle.evaluate.incidents import IncidentSet
from sentinelle.evaluate.panel import Panel
from sentinelle.geo.crs import MetricFrame
from sentinelle.registry.camera import Camera

DEFAULT_RADIUS_M = 60.0
DEFAULT_BUFFER_M = 150.0
DEFAULT_MERGE_M = 150.0
DEFAULT_CELL_M = 200.0
DEFAULT_CONTROLS_PER_AREA = 3
TREATED, BUFFER, CONTROL = "treated", "buffer", "control"


@dataclass(frozen=True)
class EvaluationArea:
    """One area of the evaluation, in the metric frame.

    ``site`` is the treated area it belongs to (for a buffer) or that it serves as control for;
    ``treated_from`` is the month index of installation (a buffer carries its site's month; a
    control has None).
    """

    name: str
    role: str
    geometry: shapely.Geometry
    site: str
    treated_from: int | None = None
    camera_ids: tuple[str, ...] = ()
    zone_type: str | None = None


@dataclass(frozen=True)
class AreaSet:
    """The areas of one evaluation, how they were drawn, and what was left out."""

    frame: MetricFrame
    areas: tuple[EvaluationArea, ...]
    excluded: shapely.Geometry
    viewsheds: str
    notes: tuple[str, ...] = ()
    params: dict[str, float] = field(default_factory=dict)

    def of_role(self, role: str) -> list[EvaluationArea]:
        return [a for a in self.areas if a.role == role]

    def with_controls(self, controls: Sequence[EvaluationArea], note: str | None = None
                      ) -> AreaSet:
        kept = [a for a in self.areas if a.role != CONTROL]
        notes = self.notes + ((note,) if note else ())
        return AreaSet(self.frame, tuple(kept + list(controls)), self.excluded, self.viewsheds,
                       notes, self.params)


def camera_viewsheds(
    cameras: Sequence[Camera],
    frame: MetricFrame,
    *,
    basemap: object | None = None,
    radius_m: float = DEFAULT_RADIUS_M,
) -> tuple[np.ndarray, str]:
    """Each camera's watched ground as a metric polygon, and how it was drawn.

    With a base map (`sentinelle.geo.basemap.Basemap`, same frame), the coverage engine's
    visibility polygons (heads, range and occlusion by buildings); without one, or for a camera
    whose geometry is unknown, a circle of ``radius_m`` around the camera. This is the one
    place to change when the viewshed rule changes.
    """
    x, y = frame.to_metric([c.lon for c in cameras], [c.lat for c in cameras])
    circles = shapely.buffer(shapely.points(np.column_stack([x, y])), radius_m)
    if basemap is None:
        return circles, f"cercles de {radius_m:g} m autour des caméras"
    from sentinelle.adapters.coverage_report import camera_visibility

    _, polys, _ = camera_visibility(list(cameras), basemap)  # type: ignore[arg-type]
    polys = np.asarray(polys, dtype=object)
    empty = np.array([p is None or shapely.is_empty(p) for p in polys])
    polys[empty] = circles[empty]
    how = "polygones de visibilité du moteur de couverture (occultation par le bâti)"
    if empty.any():
        how += f" ; cercles de {radius_m:g} m pour {int(empty.sum())} caméra(s) sans géométrie"
    return polys, how


def _month_of(cam: Camera) -> int | None:
    if cam.installed is None:
        return None
    return cam.installed.year * 12 + (cam.installed.month or 1) - 1


def _site_name(cams: Sequence[Camera]) -> str:
    names = []
    for c in cams:
        base = re.sub(r"\s*\(\d+/\d+\)\s*$", "", c.name or c.id)
        if base not in names:
            names.append(base)
    return " + ".join(names[:3]) + (" …" if len(names) > 3 else "")


def treated_areas(
    cameras: Sequence[Camera],
    viewsheds: np.ndarray,
    frame: MetricFrame,
    *,
    how: str = "",
    merge_m: float = DEFAULT_MERGE_M,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> AreaSet:
    """Treated areas (sites) and their buffer rings from cameras and their viewsheds.

    Parameters
    ----------
    cameras
        The cameras (installation month from ``installed``; a year-only date counts from
        January, and the notes say so).
    viewsheds
        One metric polygon per camera (`camera_viewsheds`).
    frame
        The metric frame of the polygons.
    how
        How the viewsheds were drawn (for the report).
    merge_m
        Cameras of the same month standing closer than this (in chains) form one site.
    buffer_m
        Width of the buffer ring.
    """
    notes: list[str] = []
    months = [_month_of(c) for c in cameras]
    dated = [i for i, m in enumerate(months) if m is not None]
    undated = [i for i, m in enumerate(months) if m is None]
    year_only = [cameras[i].id for i in dated if cameras[i].installed.month is None]
    if year_only:
        ids = ", ".join(year_only)
        notes.append(f"Caméras datées à l'année seulement (janvier retenu) : {ids}.")
    if undated:
        ids = ", ".join(cameras[i].id for i in undated)
        notes.append(
            f"Caméras sans date d'installation connue, exclues (ni équipées ni témoins) : {ids}."
        )
    if not dated:
        msg = "no camera has a known installation date: nothing to evaluate"
        raise InputError(msg)
    polys = np.asarray(viewsheds, dtype=object)
    x, y = frame.to_metric([cameras[i].lon for i in dated], [cameras[i].lat for i in dated])
    d_pts = shapely.points(np.column_stack([x, y]))
    tree = shapely.STRtree(d_pts)
    left, right = tree.query(d_pts, predicate="dwithin", distance=merge_m)
    same = np.array([months[dated[a]] == months[dated[b]] for a, b in zip(left, right,
                                                                          strict=True)],
                    dtype=bool)
    graph = coo_matrix((np.ones(same.sum()), (left[same], right[same])),
                       shape=(len(dated), len(dated)))
    _, label = connected_components(graph, directed=False)
    sites = []
    for k in range(label.max() + 1):
        members = [dated[j] for j in np.flatnonzero(label == k)]
        sites.append((months[members[0]], members))
    sites.sort(key=lambda s: (s[0], min(s[1])))
    areas: list[EvaluationArea] = []
    taken = shapely.Polygon()
    geoms = []
    for _, members in sites:
        geom = shapely.union_all(polys[members])
        geom = shapely.difference(geom, taken)
        taken = shapely.union(taken, geom)
        geoms.append(geom)
    all_treated = taken
    excluded = (shapely.union_all(shapely.buffer(polys[undated], buffer_m)) if undated
                else shapely.Polygon())
    used_names: set[str] = set()
    for (month, members), geom in zip(sites, geoms, strict=True):
        name = _site_name([cameras[i] for i in members])
        base, k = name, 1
        while name in used_names:
            k += 1
            name = f"{base} ({k})"
        used_names.add(name)
        ids = tuple(cameras[i].id for i in members)
        areas.append(EvaluationArea(name, TREATED, geom, name, month, ids))
        ring = shapely.difference(shapely.buffer(geom, buffer_m), all_treated)
        ring = shapely.difference(ring, excluded)
        areas.append(EvaluationArea(f"{name} — anneau", BUFFER, ring, name, month, ids))
    return AreaSet(frame, tuple(areas), excluded, how, tuple(notes),
                   {"merge_m": merge_m, "buffer_m": buffer_m})


def count_in_areas(
    incidents: IncidentSet, geometries: Sequence[shapely.Geometry], frame: MetricFrame,
    *, first_month: int, last_month: int,
) -> np.ndarray:
    """Incidents per area (rows) and month (columns, ``first_month``..``last_month``).

    Vectorised over incidents: per area, a bounding-box filter on the coordinate arrays, then
    `shapely.intersects_xy`. An incident in two overlapping areas counts in both.
    """
    n_months = last_month - first_month + 1
    counts = np.zeros((len(geometries), n_months), dtype=np.int64)
    if len(incidents) == 0 or len(geometries) == 0:
        return counts
    month = incidents.months - first_month
    keep = (month >= 0) & (month < n_months)
    xy = incidents.xy(frame)[keep]
    month = month[keep]
    for k, geom in enumerate(geometries):
        if geom is None or shapely.is_empty(geom):
            continue
        x0, y0, x1, y1 = shapely.bounds(geom)
        box = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        idx = np.flatnonzero(box)
        if idx.size == 0:
            continue
        shapely.prepare(geom)
        inside = shapely.intersects_xy(geom, xy[idx, 0], xy[idx, 1])
        counts[k] = np.bincount(month[idx[inside]], minlength=n_months)
    return counts


def grid_counts(
    incidents: IncidentSet, frame: MetricFrame, origin: tuple[float, float], cell_m: float,
    shape: tuple[int, int], *, first_month: int, last_month: int,
) -> np.ndarray:
    """Incidents per square cell of a regular grid (rows × columns, flattened row-major) over
    the months ``first_month``..``last_month`` (summed)."""
    month = incidents.months
    keep = (month >= first_month) & (month <= last_month)
    xy = incidents.xy(frame)[keep]
    col = np.floor((xy[:, 0] - origin[0]) / cell_m).astype(np.int64)
    row = np.floor((xy[:, 1] - origin[1]) / cell_m).astype(np.int64)
    ok = (col >= 0) & (col < shape[1]) & (row >= 0) & (row < shape[0])
    return np.bincount(row[ok] * shape[1] + col[ok], minlength=shape[0] * shape[1])


def candidate_cells(
    bounds: tuple[float, float, float, float],
    *,
    cell_m: float = DEFAULT_CELL_M,
    avoid: shapely.Geometry | None = None,
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Square cells of ``cell_m`` covering ``bounds`` (metric), minus those touching ``avoid``.

    Returns the kept cells, their flat indices in the grid (row-major, rows from ``ymin``)
    and the grid's shape (rows, columns).
    """
    xmin, ymin, xmax, ymax = bounds
    xs = np.arange(xmin, xmax, cell_m)
    ys = np.arange(ymin, ymax, cell_m)
    gx, gy = np.meshgrid(xs, ys)
    cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell_m, gy.ravel() + cell_m)
    flat = np.arange(cells.size)
    if avoid is not None and not shapely.is_empty(avoid):
        ok = ~shapely.intersects(cells, avoid)
        cells, flat = cells[ok], flat[ok]
    return cells, flat, (len(ys), len(xs))


def match_controls(
    area_set: AreaSet,
    incidents: IncidentSet,
    *,
    qpv: shapely.Geometry | None = None,
    cell_m: float = DEFAULT_CELL_M,
    per_area: int = DEFAULT_CONTROLS_PER_AREA,
    margin_m: float = 100.0,
) -> AreaSet:
    """Add control areas matched on pre-period incidents and zone type (module docstring).

    Parameters
    ----------
    area_set
        Treated areas and buffers (`treated_areas`).
    incidents
        The incidents (their months before the first installation are the matching period).
    qpv
        Union of the priority neighbourhoods (QPV), metric; zone type "QPV" / "hors QPV".
    cell_m
        Side of the candidate cells.
    per_area
        Controls per treated area.
    margin_m
        Candidates keep this distance from every treated area, buffer and excluded area.
    """
    frame = area_set.frame
    treated = area_set.of_role(TREATED)
    occupied = shapely.union_all([a.geometry for a in area_set.areas] + [area_set.excluded])
    xy = incidents.xy(frame)
    bounds = (*xy.min(axis=0), *xy.max(axis=0))
    cells, flat, shape = candidate_cells(bounds, cell_m=cell_m,
                                         avoid=shapely.buffer(occupied, margin_m))
    first = int(min(a.treated_from for a in treated))
    start = int(incidents.months.min())
    if first <= start:
        msg = "no incident before the first installation: controls cannot be matched"
        raise InputError(msg)
    n_pre = first - start
    grid = grid_counts(incidents, frame, (bounds[0], bounds[1]), cell_m, shape,
                       first_month=start, last_month=first - 1)
    cell_rate = grid[flat] / n_pre
    treated_rate = count_in_areas(incidents, [a.geometry for a in treated], frame,
                                  first_month=start, last_month=first - 1).sum(axis=1) / n_pre

    def zone_type(geoms: np.ndarray) -> np.ndarray:
        if qpv is None or shapely.is_empty(qpv):
            return np.array(["hors QPV"] * len(geoms), dtype=object)
        inside = shapely.intersects(shapely.point_on_surface(geoms), qpv)
        return np.where(inside, "QPV", "hors QPV").astype(object)

    cell_type = zone_type(cells)
    t_type = zone_type(np.array([a.geometry for a in treated], dtype=object))
    used = np.zeros(len(cells), dtype=bool)
    controls: list[EvaluationArea] = []
    fallback = 0
    order = np.argsort(-treated_rate, kind="stable")  # hardest to match first
    for k in order:
        a = treated[k]
        for _ in range(per_area):
            free = ~used & (cell_rate > 0)
            pool = free & (cell_type == t_type[k])
            if not pool.any():
                pool, fallback = free, fallback + 1
            if not pool.any():
                break
            gap = np.where(pool, np.abs(np.log1p(cell_rate) - np.log1p(treated_rate[k])), np.inf)
            j = int(np.argmin(gap))
            used[j] = True
            n = sum(c.site == a.name for c in controls) + 1
            controls.append(EvaluationArea(f"{a.name} — témoin {n}", CONTROL, cells[j], a.name,
                                           None, (), str(cell_type[j])))
    note = (
        f"Zones témoins appariées : {len(controls)} carrés de {cell_m:g} m, {per_area} par zone "
        f"équipée, même type de zone (QPV ou non) et nombre de faits par mois le plus proche "
        f"avant la première installation ({month_label(start)} à {month_label(first - 1)})."
    )
    if fallback:
        note += f" {fallback} appariement(s) hors du même type de zone, faute de candidat."
    return area_set.with_controls(controls, note)


def panel_from_incidents(
    incidents: IncidentSet,
    area_set: AreaSet,
    *,
    first_month: int | None = None,
    last_month: int | None = None,
    roles: tuple[str, ...] = (TREATED, CONTROL),
) -> Panel:
    """Incidents per area and month for the areas of ``roles`` (buffers as treated, with
    ``roles=(BUFFER, CONTROL)``, measure displacement the same way)."""
    areas = [a for a in area_set.areas if a.role in roles]
    if not areas:
        msg = f"no area with role {', '.join(roles)}"
        raise InputError(msg)
    months = incidents.months
    first = int(months.min()) if first_month is None else first_month
    last = int(months.max()) if last_month is None else last_month
    counts = count_in_areas(incidents, [a.geometry for a in areas], area_set.frame,
                            first_month=first, last_month=last)
    return Panel.from_arrays(
        counts,
        treated_from=[a.treated_from if a.role != CONTROL else None for a in areas],
        first_month=first,
        areas=[a.name for a in areas],
        source=f"{incidents.source} × {len(areas)} zones",
        synthetic=incidents.synthetic,
    )


def before_after_counts(
    incidents: IncidentSet, area_set: AreaSet, *, months: int = 12
) -> CountsTable:
    """The before/after table (`effects`, `displacement`, `power`): per treated area, the
    ``months`` before installation and the ``months`` from it, in the area, its matched controls
    (summed), its buffer and, as the buffer's control, the same controls."""
    records = []
    frame = area_set.frame
    for a in area_set.of_role(TREATED):
        assert a.treated_from is not None
        lo, hi = a.treated_from - months, a.treated_from + months - 1
        # A control with no site (chosen by the user) serves every treated area.
        controls = [c.geometry for c in area_set.of_role(CONTROL) if c.site in (a.name, "")]
        buffers = [b.geometry for b in area_set.of_role(BUFFER) if b.site == a.name]
        if not controls:
            continue
        geoms = [a.geometry, shapely.union_all(controls), *buffers]
        c = count_in_areas(incidents, geoms, frame, first_month=lo, last_month=hi)
        before, after = c[:, :months].sum(axis=1), c[:, months:].sum(axis=1)
        rec = {"area": a.name, "treated_before": int(before[0]), "treated_after": int(after[0]),
               "control_before": int(before[1]), "control_after": int(after[1])}
        if buffers:
            rec |= {"buffer_before": int(before[2]), "buffer_after": int(after[2]),
                    "buffer_control_before": int(before[1]),
                    "buffer_control_after": int(after[1])}
        if sum(v for k, v in rec.items() if k != "area") > 0:
            records.append(rec)
    return CountsTable.from_records(records, source=f"{incidents.source} (±{months} mois)")


def chosen_controls(zones: Sequence[Any], names: str | Sequence[str], frame: MetricFrame
                    ) -> list[EvaluationArea]:
    """Control areas chosen by the user: registry zones named in `names` (comma-separated
    text or a list), projected to `frame`. Each serves every treated area (empty ``site``).
    Unknown names raise `InputError` listing the valid ones."""
    wanted = [n.strip() for n in (names.split(",") if isinstance(names, str) else names)
              if n.strip()]
    by_name = {z.name: z for z in zones}
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        valid = ", ".join(sorted(by_name)) or "(no zones in the registry)"
        msg = f"--control-zones: unknown zone(s) {', '.join(unknown)}; zones: {valid}"
        raise InputError(msg)
    return [
        EvaluationArea(f"{n} (témoin choisi)", CONTROL, frame.project(by_name[n].geometry), "",
                       zone_type=by_name[n].kind.value)
        for n in wanted
    ]
