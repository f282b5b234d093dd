"""Visible ground: each head's sector minus footprints and what they hide.

Occlusion rule (2D line of sight)
---------------------------------
A point of the ground is visible from a head when it lies in the head's sector (bearing
range and distance, see `sentinelle.geo.fov`) and the straight segment from the camera to
it crosses no obstacle footprint (building or derived block). Footprints are opaque from the
ground to the sky: a building hides everything behind it, whatever its height and the
camera's mounting height, even when the camera is higher (heights are kept in the base map
but not used; in reality a camera at height H sees the ground again beyond a wall of height
h < H from ``d·H/(H−h)`` on, so this rule under-counts visibility behind low buildings).
The footprints themselves are never visible ground. A footprint that contains the camera
point (a camera drawn on or inside the building it is fixed to) is not an obstacle for that
camera. Tilt is not used: the near blind zone under a steeply tilted camera is not removed.

Algorithm
---------
Exact angular sweep, vectorised over heads and edges with numpy: rays are cast from each
head at every bearing where the nearest obstacle may change (just either side of each
footprint vertex within range, where an edge crosses the range circle) and along the arc
every `step_deg`; each ray stops at its nearest edge or at the range. The hits, in bearing
order, are the vertices of the visibility polygon, which is exact (to 1e-5 rad at
vertices) between them because footprints are dissolved first so their edges never cross.
Candidate edges come from one bulk `STRtree.query` of all head sectors; no Python loop runs
over buildings, and heads are processed in chunks sized by the number of ray × edge pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from sentinelle.geo.crs import MetricFrame
from sentinelle.geo.fov import head_sweep, sector_polygons

__all__ = [
    "SOURCES",
    "Heads",
    "Obstacles",
    "Visibility",
    "compute_visibility",
    "preview_visibility",
    "union_by_group",
]

SOURCES = ("buildings", "derived_blocks", "mixed")
_EPS_DEG = np.degrees(1e-5)
_MAX_PAIRS = 3_000_000  # ray × edge pairs evaluated at once


@dataclass(frozen=True)
class Obstacles:
    """Opaque footprints in a metric CRS, dissolved, with their edges and spatial indexes.

    Build it with `Obstacles.from_footprints`.
    """

    polygons: NDArray  # dissolved parts, metric
    kinds: NDArray  # "buildings" or "derived_blocks", per part
    x1: NDArray
    y1: NDArray
    x2: NDArray
    y2: NDArray
    owner: NDArray  # part index of each edge
    default_source: str = "buildings"
    _edge_tree: shapely.STRtree = field(repr=False, compare=False, default=None)
    _poly_tree: shapely.STRtree = field(repr=False, compare=False, default=None)

    @classmethod
    def from_footprints(
        cls,
        buildings: ArrayLike | None = None,
        blocks: ArrayLike | None = None,
        *,
        default_source: str | None = None,
    ) -> Obstacles:
        """Dissolve building and block footprints (metric polygons) into obstacles.

        Parameters
        ----------
        buildings
            Building footprints (Polygon or MultiPolygon), metric.
        blocks
            Derived built blocks, metric.
        default_source
            Source reported where no obstacle is near a head: by default "buildings" when
            buildings were given, else "derived_blocks".
        """
        parts: list[NDArray] = []
        kinds: list[NDArray] = []
        for name, geoms in (("buildings", buildings), ("derived_blocks", blocks)):
            if geoms is None:
                continue
            g = np.asarray(geoms, dtype=object)
            g = g[~shapely.is_missing(g) & ~shapely.is_empty(g)] if g.size else g
            if g.size == 0:
                continue
            g = shapely.make_valid(g)
            dissolved = shapely.get_parts(shapely.union_all(g, grid_size=0.01))
            dissolved = dissolved[shapely.get_type_id(dissolved) == 3]  # polygons only
            parts.append(dissolved)
            kinds.append(np.full(dissolved.size, name, dtype=object))
        polys = np.concatenate(parts) if parts else np.empty(0, dtype=object)
        kind_arr = np.concatenate(kinds) if kinds else np.empty(0, dtype=object)
        if default_source is None:
            default_source = "buildings" if buildings is not None else "derived_blocks"
        rings = shapely.get_rings(polys)
        ring_owner = np.repeat(np.arange(polys.size), shapely.get_num_interior_rings(polys) + 1)
        coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
        same = ring_idx[1:] == ring_idx[:-1]
        a = coords[:-1][same]
        b = coords[1:][same]
        owner = ring_owner[ring_idx[:-1][same]] if ring_idx.size else np.empty(0, int)
        edges = shapely.linestrings(
            np.stack([a, b], axis=1).reshape(-1, 2), indices=np.repeat(np.arange(len(a)), 2)
        ) if len(a) else np.empty(0, dtype=object)
        return cls(
            polygons=polys,
            kinds=kind_arr,
            x1=a[:, 0].copy() if len(a) else np.empty(0),
            y1=a[:, 1].copy() if len(a) else np.empty(0),
            x2=b[:, 0].copy() if len(b) else np.empty(0),
            y2=b[:, 1].copy() if len(b) else np.empty(0),
            owner=np.asarray(owner, int),
            default_source=default_source,
            _edge_tree=shapely.STRtree(edges),
            _poly_tree=shapely.STRtree(polys),
        )

    @property
    def n_edges(self) -> int:
        return int(self.x1.size)

    def nearest_kind(self, points: NDArray) -> NDArray:
        """Kind of the nearest obstacle to each point (`default_source` when none)."""
        out = np.full(len(points), self.default_source, dtype=object)
        if self.polygons.size and len(points):
            idx = self._poly_tree.query_nearest(points, return_distance=False, all_matches=False)
            out[idx[0]] = self.kinds[idx[1]]
        return out


@dataclass(frozen=True)
class Heads:
    """Camera heads as arrays, in a metric CRS, with grid bearings.

    Build it with `Heads.build`, which turns true-north bearings into grid bearings.
    """

    x: NDArray
    y: NDArray
    start_deg: NDArray  # grid bearing where the watched sector starts
    sweep_deg: NDArray  # clockwise sweep, 360 for all around
    range_m: NDArray
    group: NDArray  # camera index of each head

    @classmethod
    def build(
        cls,
        x: ArrayLike,
        y: ArrayLike,
        *,
        azimuth_deg: ArrayLike,
        hfov_deg: ArrayLike,
        range_m: ArrayLike,
        pan_min_deg: ArrayLike | None = None,
        pan_max_deg: ArrayLike | None = None,
        group: ArrayLike | None = None,
        frame: MetricFrame | None = None,
    ) -> Heads:
        """Heads from metric positions and true-north bearings.

        Parameters
        ----------
        x, y
            Camera positions in `frame`'s CRS.
        azimuth_deg
            True-north bearing of each head's axis (clockwise); NaN for all-around heads.
        hfov_deg
            Horizontal field of view.
        range_m
            Distance the head watches to (a DORI distance or the head's own range).
        pan_min_deg, pan_max_deg
            PTZ pan range (true-north bearings), NaN where the head does not pan.
        group
            Camera index of each head (default: one camera per head).
        frame
            The metric frame; bearings are corrected for its meridian convergence. Without
            it, bearings are taken as grid bearings.
        """
        x = np.atleast_1d(np.asarray(x, float))
        y = np.atleast_1d(np.asarray(y, float))
        shape = x.shape

        def arr(v: ArrayLike | None) -> NDArray | None:
            return None if v is None else np.broadcast_to(np.asarray(v, float), shape).copy()

        az, fov, pmin, pmax = arr(azimuth_deg), arr(hfov_deg), arr(pan_min_deg), arr(pan_max_deg)
        assert az is not None and fov is not None
        if frame is not None:
            conv = frame.convergence_deg(x, y)
            az = az + conv
            if pmin is not None and pmax is not None:
                pmin, pmax = pmin + conv, pmax + conv
        start, sweep = head_sweep(az, fov, pan_min_deg=pmin, pan_max_deg=pmax)
        bad = ~np.isfinite(start) | ~np.isfinite(sweep)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            msg = f"head {i}: azimuth_deg and hfov_deg are needed unless it sees all around"
            raise ValueError(msg)
        rng = np.broadcast_to(np.asarray(range_m, float), shape).copy()
        if not np.all(np.isfinite(rng) & (rng > 0)):
            msg = "range_m must be a positive distance for every head"
            raise ValueError(msg)
        grp = np.arange(x.size) if group is None else np.asarray(group, int)
        return cls(x=x, y=y, start_deg=start, sweep_deg=sweep, range_m=rng, group=grp)

    def __len__(self) -> int:
        return int(self.x.size)

    def take(self, idx: ArrayLike) -> Heads:
        i = np.asarray(idx)
        return Heads(
            self.x[i], self.y[i], self.start_deg[i], self.sweep_deg[i], self.range_m[i],
            self.group[i],
        )

    def sectors(self, *, step_deg: float = 2.0) -> NDArray:
        """The sectors without occlusion (metric polygons)."""
        return sector_polygons(
            self.x, self.y, self.start_deg, self.sweep_deg, self.range_m, step_deg=step_deg
        )


@dataclass(frozen=True)
class Visibility:
    """The visible ground of each head (metric polygons) and the source of its occlusion."""

    polygons: NDArray
    sources: NDArray  # "buildings" | "derived_blocks" | "mixed", per head
    group: NDArray  # camera index of each head

    @property
    def areas_m2(self) -> NDArray:
        return shapely.area(self.polygons)

    def by_camera(self, n_cameras: int | None = None) -> tuple[NDArray, NDArray]:
        """Union of each camera's heads and the combined source, one entry per camera.

        Cameras without heads get an empty polygon and source ``None``.
        """
        n = int(self.group.max()) + 1 if n_cameras is None and self.group.size else n_cameras
        n = n or 0
        polys = union_by_group(self.polygons, self.group, n)
        hb = np.zeros(n, bool)
        hd = np.zeros(n, bool)
        hb[self.group[np.isin(self.sources, ["buildings", "mixed"])]] = True
        hd[self.group[np.isin(self.sources, ["derived_blocks", "mixed"])]] = True
        src = np.where(
            hb & hd, "mixed", np.where(hb, "buildings", np.where(hd, "derived_blocks", None))
        ).astype(object)
        return polys, src


def union_by_group(polygons: NDArray, group: NDArray, n: int) -> NDArray:
    """Union of the polygons of each group ``0..n-1`` (empty polygon for an empty group)."""
    out = np.full(n, shapely.Polygon(), dtype=object)
    if polygons.size == 0:
        return out
    order = np.argsort(group, kind="stable")
    g = group[order]
    bounds = np.flatnonzero(np.diff(g)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [g.size]])
    single = ends - starts == 1
    out[g[starts[single]]] = polygons[order[starts[single]]]
    for s, e in zip(starts[~single], ends[~single], strict=True):
        out[g[s]] = shapely.union_all(polygons[order[s:e]])
    return out


def _bearing(dx: NDArray, dy: NDArray) -> NDArray:
    return np.degrees(np.arctan2(dx, dy)) % 360.0


def _head_edges(obstacles: Obstacles, heads: Heads, step_deg: float) -> tuple[NDArray, NDArray]:
    """(head, edge) pairs of the edges that reach into each head's sector, sorted by head."""
    if obstacles.n_edges == 0 or len(heads) == 0:
        return np.empty(0, int), np.empty(0, int)
    # Sectors a little larger than the arc so that chords never cut an edge out.
    grow = 1.0 / np.cos(np.radians(step_deg) / 2) + 1e-6
    sectors = sector_polygons(
        heads.x, heads.y, heads.start_deg, heads.sweep_deg, heads.range_m * grow,
        step_deg=step_deg,
    )
    h, e = obstacles._edge_tree.query(sectors, predicate="intersects")
    # A footprint that contains the camera is the building it is fixed to: not an obstacle.
    pts = shapely.points(heads.x, heads.y)
    ch, cp = obstacles._poly_tree.query(pts, predicate="intersects")
    if ch.size:
        n_poly = max(obstacles.polygons.size, 1)
        drop = np.isin(h * n_poly + obstacles.owner[e], ch * n_poly + cp)
        h, e = h[~drop], e[~drop]
    order = np.lexsort((e, h))
    return h[order], e[order]


def _rays(
    obstacles: Obstacles, heads: Heads, ph: NDArray, pe: NDArray, step_deg: float
) -> tuple[NDArray, NDArray]:
    """Ray bearings (relative to each sector's start), as (head, relative bearing) sorted."""
    n = len(heads)
    # Arc samples.
    full = heads.sweep_deg >= 360.0
    k = np.maximum(np.ceil(heads.sweep_deg / step_deg).astype(int), 1)
    counts = np.where(full, k, k + 1)
    rh = np.repeat(np.arange(n), counts)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    j = np.arange(counts.sum()) - np.repeat(first, counts)
    rel = heads.sweep_deg[rh] * j / k[rh]
    hs, rels = [rh], [rel]
    if ph.size:
        cx, cy, r = heads.x[ph], heads.y[ph], heads.range_m[ph]
        x1, y1 = obstacles.x1[pe] - cx, obstacles.y1[pe] - cy
        x2, y2 = obstacles.x2[pe] - cx, obstacles.y2[pe] - cy
        # Just either side of each vertex within range.
        for vx, vy in ((x1, y1), (x2, y2)):
            inside = np.hypot(vx, vy) <= r
            b = _bearing(vx[inside], vy[inside])
            for off in (-_EPS_DEG, _EPS_DEG):
                hs.append(ph[inside])
                rels.append(b + off - heads.start_deg[ph[inside]])
        # Where an edge crosses the range circle.
        ex, ey = x2 - x1, y2 - y1
        a = ex * ex + ey * ey
        bq = x1 * ex + y1 * ey
        c = x1 * x1 + y1 * y1 - r * r
        disc = bq * bq - a * c
        ok = (disc >= 0) & (a > 0)
        sq = np.sqrt(np.where(ok, disc, 0.0))
        for sign in (-1.0, 1.0):
            t = np.where(ok, (-bq + sign * sq) / np.where(a > 0, a, 1.0), -1.0)
            m = (t >= 0) & (t <= 1)
            b = _bearing(x1[m] + t[m] * ex[m], y1[m] + t[m] * ey[m])
            hs.append(ph[m])
            rels.append(b - heads.start_deg[ph[m]])
    h = np.concatenate(hs)
    rel = np.concatenate(rels)
    sweep = heads.sweep_deg[h]
    rel = np.where(sweep >= 360.0, rel % 360.0, rel)
    rel = np.where((sweep < 360.0) & (rel < 0) & (rel > -1e-9), 0.0, rel)
    rel = np.where(sweep < 360.0, rel % 360.0, rel)
    keep = (rel <= sweep + 1e-9) | (sweep >= 360.0)
    h, rel = h[keep], np.minimum(rel[keep], sweep[keep])
    order = np.lexsort((rel, h))
    h, rel = h[order], rel[order]
    dup = np.zeros(h.size, bool)
    dup[1:] = (h[1:] == h[:-1]) & (rel[1:] - rel[:-1] < 1e-9)
    return h[~dup], rel[~dup]


def _cast(
    obstacles: Obstacles,
    heads: Heads,
    ph: NDArray,
    pe: NDArray,
    rh: NDArray,
    rel: NDArray,
) -> NDArray:
    """Distance to the nearest edge (or the range) along each ray."""
    n = len(heads)
    dist = heads.range_m[rh].copy()
    if ph.size == 0:
        return dist
    e_count = np.bincount(ph, minlength=n)
    e_first = np.concatenate([[0], np.cumsum(e_count)[:-1]])
    per_ray = e_count[rh]
    has = per_ray > 0
    ray_idx = np.flatnonzero(has)
    reps = per_ray[ray_idx]
    ri = np.repeat(ray_idx, reps)
    starts = np.concatenate([[0], np.cumsum(reps)[:-1]])
    within = np.arange(reps.sum()) - np.repeat(starts, reps)
    ei = pe[e_first[rh[ri]] + within]
    hh = rh[ri]
    ang = np.radians(heads.start_deg[hh] + rel[ri])
    dx, dy = np.sin(ang), np.cos(ang)
    wx, wy = obstacles.x1[ei] - heads.x[hh], obstacles.y1[ei] - heads.y[hh]
    ex, ey = obstacles.x2[ei] - obstacles.x1[ei], obstacles.y2[ei] - obstacles.y1[ei]
    denom = dx * ey - dy * ex
    ok = np.abs(denom) > 1e-12
    safe = np.where(ok, denom, 1.0)
    s = (wx * ey - wy * ex) / safe
    t = (wx * dy - wy * dx) / safe
    hit = ok & (s > 1e-9) & (t >= -1e-9) & (t <= 1 + 1e-9)
    s = np.where(hit, s, np.inf)
    nearest = np.minimum.reduceat(s, starts)
    dist[ray_idx] = np.minimum(dist[ray_idx], nearest)
    return dist


def _polygons(heads: Heads, rh: NDArray, rel: NDArray, dist: NDArray) -> NDArray:
    n = len(heads)
    ang = np.radians(heads.start_deg[rh] + rel)
    px = heads.x[rh] + dist * np.sin(ang)
    py = heads.y[rh] + dist * np.cos(ang)
    apex = heads.sweep_deg < 360.0
    ah = np.flatnonzero(apex)
    # The apex goes first in its head's ring: sort by (head, is-not-apex, position).
    h_all = np.concatenate([ah, rh])
    key2 = np.concatenate([np.zeros(ah.size), np.ones(rh.size)])
    key3 = np.concatenate([np.zeros(ah.size), np.arange(rh.size, dtype=float)])
    xs = np.concatenate([heads.x[ah], px])
    ys = np.concatenate([heads.y[ah], py])
    order = np.lexsort((key3, key2, h_all))
    rings = shapely.linearrings(np.column_stack([xs[order], ys[order]]), indices=h_all[order])
    polys = np.full(n, shapely.Polygon(), dtype=object)
    present = np.unique(h_all)
    polys[present] = shapely.polygons(rings)
    bad = ~shapely.is_valid(polys)
    if bad.any():
        polys[bad] = shapely.buffer(shapely.make_valid(polys[bad]), 0)
    return polys


def _sources(obstacles: Obstacles, heads: Heads, ph: NDArray, pe: NDArray) -> NDArray:
    n = len(heads)
    out = obstacles.nearest_kind(shapely.points(heads.x, heads.y))
    if ph.size:
        kinds = obstacles.kinds[obstacles.owner[pe]]
        has_b = np.bincount(ph[kinds == "buildings"], minlength=n) > 0
        has_d = np.bincount(ph[kinds == "derived_blocks"], minlength=n) > 0
        out = np.where(has_b & has_d, "mixed", out)
        out = np.where(has_b & ~has_d, "buildings", out)
        out = np.where(~has_b & has_d, "derived_blocks", out)
    return out.astype(object)


def compute_visibility(
    obstacles: Obstacles,
    heads: Heads,
    *,
    step_deg: float = 2.0,
    max_pairs: int = _MAX_PAIRS,
    progress: Callable[[int], None] | None = None,
) -> Visibility:
    """The visible ground of every head (see the module docstring for the rule).

    Parameters
    ----------
    obstacles
        Footprints, metric (`Obstacles.from_footprints`).
    heads
        Heads in the same CRS (`Heads.build`).
    step_deg
        Largest angle between two vertices along the range arc.
    max_pairs
        Ray × edge pairs evaluated at once (memory bound: about 100 bytes each).
    progress
        Called with the number of heads done after each chunk.

    Returns
    -------
    Visibility
        One polygon per head (metric; empty when nothing is visible) with the source of
        its occlusion.
    """
    n = len(heads)
    if n == 0:
        empty = np.empty(0, dtype=object)
        return Visibility(empty, empty.copy(), np.empty(0, int))
    ph, pe = _head_edges(obstacles, heads, step_deg)
    sources = _sources(obstacles, heads, ph, pe)
    polys = np.full(n, shapely.Polygon(), dtype=object)
    # Chunks of heads whose ray × edge work stays under max_pairs.
    e_count = np.bincount(ph, minlength=n).astype(float)
    est = (2 * e_count + heads.sweep_deg / step_deg + 2) * np.maximum(e_count, 1)
    cum = np.cumsum(est)
    chunk_id = (cum // max_pairs).astype(int)
    bounds = np.flatnonzero(np.diff(chunk_id)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [n]])
    for s, e in zip(starts, ends, strict=True):
        sub = heads.take(np.arange(s, e))
        m = (ph >= s) & (ph < e)
        sph, spe = ph[m] - s, pe[m]
        rh, rel = _rays(obstacles, sub, sph, spe, step_deg)
        dist = _cast(obstacles, sub, sph, spe, rh, rel)
        polys[s:e] = _polygons(sub, rh, rel, dist)
        if progress is not None:
            progress(int(e - s))
    return Visibility(polys, sources, heads.group.copy())


def preview_visibility(
    obstacles: Obstacles,
    frame: MetricFrame,
    *,
    lon: float,
    lat: float,
    heads: list[dict[str, float | None]],
    range_m: float | list[float],
    step_deg: float = 2.0,
) -> tuple[shapely.Geometry, str]:
    """One camera's visibility in WGS84, for a camera being moved or turned on a map.

    Parameters
    ----------
    obstacles
        The base map's obstacles (build them once, keep them in memory).
    frame
        The base map's metric frame.
    lon, lat
        Camera position, WGS84.
    heads
        One dict per head with ``azimuth_deg``, ``hfov_deg`` and optionally
        ``pan_min_deg``/``pan_max_deg`` (true-north bearings).
    range_m
        Distance watched, one for all heads or one per head.

    Returns
    -------
    polygon, source
        The union of the heads' visible ground in WGS84, and its occlusion source.
    """
    x, y = frame.to_metric([lon] * len(heads), [lat] * len(heads))

    def col(name: str) -> NDArray:
        return np.array([np.nan if h.get(name) is None else h[name] for h in heads], float)

    hs = Heads.build(
        x, y,
        azimuth_deg=col("azimuth_deg"), hfov_deg=col("hfov_deg"), range_m=range_m,
        pan_min_deg=col("pan_min_deg"), pan_max_deg=col("pan_max_deg"),
        group=np.zeros(len(heads), int), frame=frame,
    )
    vis = compute_visibility(obstacles, hs, step_deg=step_deg)
    polys, src = vis.by_camera(1)
    return frame.unproject(polys[0]), str(src[0])
