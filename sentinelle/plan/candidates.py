"""Candidate sites and camera models, and their coverage of the demand cells.

Places where a new camera may go:

* the street intersections of the base map;
* points every `street_spacing_m` along the streets (none within `min_spacing_m` of an
  intersection or of another point);
* user sites (existing poles, city buildings) from a GeoJSON or CSV file, each with an id.

Places closer than `exclude_within_m` to an existing camera, user sites listed in
``siting.excluded`` and places inside ``siting.excluded_zones`` are dropped.

Transmission: fibre when the place is within `fibre_reach_m` of the network (the existing
cameras) and fibre is the cheaper link over the amortisation period (trench per metre plus
yearly rent against a radio link plus its rent); radio otherwise.

Each place gets one column per camera model allowed there (`CameraModel.at`) and, for fixed
cameras, per orientation: the bearings ``street bearing + k × 360° / orientations``, so the
first looks along the street. The existing cameras come first, as columns ``0 .. n_existing-1``
(fixed in the siting).

Technology per column: the DORI level required at the place (the default, or the highest rule
that applies: zone or near a sensitive layer) sets the resolution — the smallest option of the
model whose DORI distance at that level reaches the model's design range (EN 62676-4:
``D = focal × width_px / (sensor_width × ppm)``). When even the largest falls short, the
largest is taken and the column's range shrinks to its DORI distance. The coverage matrix is
computed at each column's range, occlusion included, through
`sentinelle.geo.coverage.candidate_coverage`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from sentinelle.adapters.camera_heads import heads_from_cameras
from sentinelle.errors import InputError
from sentinelle.geo.basemap import Basemap
from sentinelle.geo.coverage import candidate_coverage
from sentinelle.geo.dori import PPM, Level
from sentinelle.geo.visibility import Heads
from sentinelle.plan.coverage_matrix import CoverageMatrix
from sentinelle.plan.demand import Demand, distance_to, locate_in_zones
from sentinelle.plan.scenario import CameraKind, Scenario
from sentinelle.registry.camera import Camera

__all__ = [
    "CandidateSet",
    "CandidateCoverage",
    "Places",
    "build_candidates",
    "compute_coverage",
    "read_user_sites",
]

LEVEL_ORDER = [Level.detect, Level.observe, Level.recognise, Level.identify]


@dataclass(frozen=True)
class Places:
    """Where cameras are or may go (metric), one entry per place.

    Attributes
    ----------
    x, y
        Position.
    kind
        ``existing``, ``intersection``, ``street`` or ``user``.
    site_id
        Camera id for existing places, user id for user sites, generated otherwise
        (``I0001``, ``S0001``).
    name
        A name for the document (street name, user site name, camera name).
    bearing_deg
        Grid bearing of the nearest street at the place.
    """

    x: NDArray
    y: NDArray
    kind: NDArray
    site_id: NDArray
    name: NDArray
    bearing_deg: NDArray

    @property
    def n(self) -> int:
        """Number of places."""
        return int(self.x.size)

    def take(self, idx: NDArray) -> Places:
        """The places at `idx`."""
        return Places(self.x[idx], self.y[idx], self.kind[idx], self.site_id[idx],
                      self.name[idx], self.bearing_deg[idx])


@dataclass(frozen=True)
class CandidateSet:
    """Columns of the siting: existing cameras first, then each place × model × orientation.

    Attributes
    ----------
    places
        All places (existing cameras included).
    n_existing
        Columns ``0 .. n_existing - 1`` are the existing cameras.
    place
        Place of each column.
    model
        Index into `Scenario.models`, -1 for an existing camera.
    azimuth_deg
        Grid bearing of a fixed head's axis (NaN for all-around units).
    level
        DORI level required at the column's place.
    resolution
        Index into the model's resolutions (-1 for existing cameras).
    range_m
        Distance each head of the column watches to.
    cost_eur
        Capital cost of a new column (0 for existing cameras).
    transmission
        ``fibre``, ``radio`` or ``existing``.
    link_m
        Distance to the network (nearest existing camera), for fibre.
    streams
        Video streams (heads) of the column.
    bitrate_mbps
        Bitrate of each stream.
    heads
        All heads, ``group`` = column.
    place_zone
        Per zone kind, the zone (index into the zones given) holding each place, or -1.
    """

    places: Places
    n_existing: int
    place: NDArray
    model: NDArray
    azimuth_deg: NDArray
    level: NDArray
    resolution: NDArray
    range_m: NDArray
    cost_eur: NDArray
    transmission: NDArray
    link_m: NDArray
    streams: NDArray
    bitrate_mbps: NDArray
    heads: Heads
    place_zone: dict[str, NDArray]

    @property
    def n_columns(self) -> int:
        """Number of columns (existing cameras included)."""
        return int(self.place.size)

    @property
    def existing(self) -> NDArray:
        """Columns of the existing cameras."""
        return np.arange(self.n_existing)

    def columns_of(self, site_id: str, model_name: str | None, scenario: Scenario) -> NDArray:
        """Columns at the place `site_id` (with model `model_name` when given)."""
        where = np.flatnonzero(self.places.site_id == site_id)
        cols = np.flatnonzero(np.isin(self.place, where))
        if model_name is not None:
            names = np.array([m.name for m in scenario.models] + [""], dtype=object)
            cols = cols[names[self.model[cols]] == model_name]
        return cols


@dataclass(frozen=True)
class CandidateCoverage:
    """The coverage matrix the solver takes, and each column's visible ground.

    Attributes
    ----------
    matrix
        Demand cells × columns, with the cells' weights.
    visibility
        Each column's visible ground (metric polygon, union of its heads).
    seen_m
        (cells × columns) sparse length of each cell each column sees (metres).
    """

    matrix: CoverageMatrix
    visibility: NDArray
    seen_m: sparse.csr_array


def read_user_sites(path: Path) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """User sites: ids, names, lon and lat from GeoJSON points or a CSV ``id,lon,lat[,name]``.

    Raises
    ------
    InputError
        Naming the file, the line or feature, and the field.
    """
    if not path.exists():
        raise InputError.at(str(path), None, None, "file not found")
    ids: list[str] = []
    names: list[str] = []
    lon: list[float] = []
    lat: list[float] = []
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            for need in ("id", "lon", "lat"):
                if need not in (reader.fieldnames or []):
                    raise InputError.at(str(path), 1, need, "missing column (id, lon, lat[, name])")
            for line, row in enumerate(reader, start=2):
                try:
                    lo, la = float(row["lon"]), float(row["lat"])
                except (TypeError, ValueError):
                    raise InputError.at(str(path), line, "lon/lat", "not a number") from None
                ids.append(str(row["id"]).strip())
                names.append((row.get("name") or row["id"]).strip())
                lon.append(lo)
                lat.append(la)
    else:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError.at(str(path), None, None, f"not JSON: {exc}") from None
        for i, feat in enumerate(doc.get("features") or [], start=1):
            geom = (feat or {}).get("geometry") or {}
            if geom.get("type") != "Point":
                raise InputError.at(str(path), i, "geometry", "a user site is a Point")
            props = feat.get("properties") or {}
            sid = props.get("id", feat.get("id"))
            if sid in (None, ""):
                raise InputError.at(str(path), i, "id", "every user site needs an id")
            ids.append(str(sid))
            names.append(str(props.get("name") or sid))
            lon.append(float(geom["coordinates"][0]))
            lat.append(float(geom["coordinates"][1]))
    dup = {s for s in ids if ids.count(s) > 1}
    if dup:
        raise InputError.at(str(path), None, "id", f"repeated id(s): {', '.join(sorted(dup))}")
    return (np.array(ids, dtype=object), np.array(names, dtype=object), np.asarray(lon, float),
            np.asarray(lat, float))


def _street_bearings(basemap: Basemap, x: NDArray, y: NDArray) -> tuple[NDArray, NDArray]:
    """Grid bearing and name of the nearest street at each point."""
    lines = basemap.public_streets
    names = basemap.street_name[_public_index(basemap)]
    bearing = np.zeros(x.size)
    name = np.full(x.size, None, dtype=object)
    if x.size == 0 or lines.size == 0:
        return bearing, name
    pts = shapely.points(x, y)
    pi, li = shapely.STRtree(lines).query_nearest(pts, all_matches=False)
    along = shapely.line_locate_point(lines[li], pts[pi])
    length = shapely.length(lines[li])
    a = shapely.line_interpolate_point(lines[li], np.clip(along - 2.0, 0, length))
    b = shapely.line_interpolate_point(lines[li], np.clip(along + 2.0, 0, length))
    dx = shapely.get_x(b) - shapely.get_x(a)
    dy = shapely.get_y(b) - shapely.get_y(a)
    bearing[pi] = np.degrees(np.arctan2(dx, dy)) % 360.0
    name[pi] = names[li]
    return bearing, name


def _public_index(basemap: Basemap) -> NDArray:
    from sentinelle.geo.blocks import street_mask

    if basemap.streets.size == 0:
        return np.zeros(0, int)
    return np.flatnonzero(street_mask(basemap.highway))


def _street_points(lines: NDArray, spacing_m: float) -> tuple[NDArray, NDArray]:
    if spacing_m <= 0 or lines.size == 0:
        return np.zeros(0), np.zeros(0)
    length = shapely.length(lines)
    counts = np.floor((length - spacing_m / 2) / spacing_m).astype(int) + 1
    counts = np.where(length >= spacing_m / 2, np.maximum(counts, 0), 0)
    li = np.repeat(np.arange(lines.size), counts)
    starts = np.cumsum(counts) - counts
    k = np.arange(li.size) - np.repeat(starts, counts)
    pts = shapely.line_interpolate_point(lines[li], spacing_m / 2 + k * spacing_m)
    return shapely.get_x(pts), shapely.get_y(pts)


def _thin(x: NDArray, y: NDArray, keep_x: NDArray, keep_y: NDArray,
          spacing_m: float) -> NDArray:
    """Indices of (x, y) points kept: none within `spacing_m` of a kept point, in order."""
    if x.size == 0:
        return np.zeros(0, int)
    if spacing_m <= 0:
        return np.arange(x.size)
    far = np.ones(x.size, bool)
    if keep_x.size:
        d, _ = cKDTree(np.column_stack([keep_x, keep_y])).query(np.column_stack([x, y]))
        far = d >= spacing_m
    kept: list[int] = []
    tree_pts: list[tuple[float, float]] = []
    cell = spacing_m
    grid: dict[tuple[int, int], list[int]] = {}
    for i in np.flatnonzero(far):
        gx, gy = int(x[i] // cell), int(y[i] // cell)
        close = False
        for ox in (-1, 0, 1):
            for oy in (-1, 0, 1):
                for j in grid.get((gx + ox, gy + oy), ()):
                    if (tree_pts[j][0] - x[i]) ** 2 + (tree_pts[j][1] - y[i]) ** 2 < cell**2:
                        close = True
                        break
        if not close:
            grid.setdefault((gx, gy), []).append(len(tree_pts))
            tree_pts.append((float(x[i]), float(y[i])))
            kept.append(int(i))
    return np.asarray(kept, int)


def build_places(basemap: Basemap, cameras: Sequence[Camera], scenario: Scenario) -> Places:
    """Existing cameras, then the candidate places the scenario allows (before exclusions)."""
    c = scenario.candidates
    frame = basemap.frame
    ex, ey = frame.to_metric([cam.lon for cam in cameras], [cam.lat for cam in cameras])
    ex, ey = np.asarray(ex, float).reshape(-1), np.asarray(ey, float).reshape(-1)
    xs = [ex]
    ys = [ey]
    kinds = [np.full(ex.size, "existing", dtype=object)]
    ids = [np.array([cam.id for cam in cameras], dtype=object)]
    names = [np.array([cam.name or cam.id for cam in cameras], dtype=object)]
    if c.intersections and basemap.intersections.size:
        ix, iy = shapely.get_x(basemap.intersections), shapely.get_y(basemap.intersections)
        xs.append(ix)
        ys.append(iy)
        kinds.append(np.full(ix.size, "intersection", dtype=object))
        ids.append(np.array([f"I{i + 1:04d}" for i in range(ix.size)], dtype=object))
        names.append(np.full(ix.size, None, dtype=object))
    sx, sy = _street_points(basemap.public_streets, c.street_spacing_m)
    inter_x = np.concatenate(xs[1:]) if len(xs) > 1 else np.zeros(0)
    inter_y = np.concatenate(ys[1:]) if len(ys) > 1 else np.zeros(0)
    keep = _thin(sx, sy, inter_x, inter_y, c.min_spacing_m)
    xs.append(sx[keep])
    ys.append(sy[keep])
    kinds.append(np.full(keep.size, "street", dtype=object))
    ids.append(np.array([f"S{i + 1:04d}" for i in range(keep.size)], dtype=object))
    names.append(np.full(keep.size, None, dtype=object))
    if c.user_sites_file:
        uid, uname, lon, lat = read_user_sites(scenario.path(c.user_sites_file))
        ux, uy = frame.to_metric(lon, lat)
        xs.append(np.asarray(ux, float).reshape(-1))
        ys.append(np.asarray(uy, float).reshape(-1))
        kinds.append(np.full(uid.size, "user", dtype=object))
        ids.append(uid)
        names.append(uname)
    x, y = np.concatenate(xs), np.concatenate(ys)
    bearing, street = _street_bearings(basemap, x, y)
    name = np.concatenate(names)
    name = np.where(pd_isnull(name), street, name)
    return Places(x, y, np.concatenate(kinds), np.concatenate(ids), name, bearing)


def pd_isnull(a: NDArray) -> NDArray:
    """True where an object array holds None or an empty string."""
    return np.array([v is None or v == "" for v in a], dtype=bool)


def _excluded(places: Places, scenario: Scenario, zone_of: dict[str, NDArray],
              zones: Sequence) -> NDArray:
    """True for candidate places to drop (existing cameras are never dropped)."""
    s = scenario.siting
    out = np.zeros(places.n, bool)
    new = places.kind != "existing"
    existing = ~new
    if existing.any() and scenario.candidates.exclude_within_m > 0:
        d, _ = cKDTree(np.column_stack([places.x[existing], places.y[existing]])).query(
            np.column_stack([places.x, places.y])
        )
        out |= new & (d < scenario.candidates.exclude_within_m)
    known_user = set(places.site_id[places.kind == "user"])
    for sid in s.excluded:
        if sid not in known_user:
            msg = f"siting.excluded: no user site with id '{sid}'"
            raise InputError(msg)
    out |= (places.kind == "user") & np.isin(places.site_id, list(s.excluded))
    for ref in s.excluded_zones:
        kind, name = ref.split(":", 1)
        idx = [i for i, z in enumerate(zones) if z.kind.value == kind and z.name == name]
        if not idx:
            msg = f"siting.excluded_zones: no zone '{ref}' in the registry"
            raise InputError(msg)
        out |= new & np.isin(zone_of.get(kind, np.full(places.n, -1)), idx)
    forced = {f.split("@", 1)[0] for f in s.forced}
    out &= ~np.isin(places.site_id, list(forced))
    return out


def required_levels(places: Places, scenario: Scenario, demand: Demand,
                    zone_of: dict[str, NDArray], zones: Sequence) -> NDArray:
    """The DORI level required at each place: the highest of the default and its rules."""
    rank = np.full(places.n, LEVEL_ORDER.index(scenario.dori.default))
    radius = {s.name: s.radius_m for s in scenario.demand.sensitive}
    pts = shapely.points(places.x, places.y) if places.n else np.empty(0, object)
    for rule in scenario.dori.rules:
        if rule.zone_kind is not None:
            where = zone_of.get(rule.zone_kind, np.full(places.n, -1))
            hit = where >= 0
            if rule.zone is not None:
                names = np.array([zones[i].name if i >= 0 else None for i in where], dtype=object)
                hit &= names == rule.zone
        else:
            dist = distance_to(pts, demand.sensitive.get(rule.sensitive, np.empty(0, object)))
            hit = dist <= radius[rule.sensitive]
        rank = np.where(hit, np.maximum(rank, LEVEL_ORDER.index(rule.level)), rank)
    return np.array([LEVEL_ORDER[r].value for r in rank], dtype=object)


def choose_resolution(model_index: int, level: str, scenario: Scenario) -> tuple[int, float]:
    """Resolution option and watched distance of a model at a DORI level.

    The smallest option whose DORI distance reaches the model's design range; else the largest,
    watched to its own DORI distance.
    """
    m = scenario.models[model_index]
    ppm = PPM[Level(level)]
    for k, r in enumerate(m.resolutions):
        reach = m.focal_mm * r.width_px / (m.sensor_width_mm * ppm)
        if reach >= m.range_m - 1e-9:
            return k, float(m.range_m)
    last = m.resolutions[-1]
    return len(m.resolutions) - 1, float(m.focal_mm * last.width_px / (m.sensor_width_mm * ppm))


def build_candidates(
    basemap: Basemap,
    zones: Sequence,
    cameras: Sequence[Camera],
    demand: Demand,
    scenario: Scenario,
) -> CandidateSet:
    """Columns for the siting: existing cameras, then every allowed place × model × bearing.

    Parameters
    ----------
    basemap
        Streets, intersections (metric).
    zones
        Zones (WGS84), for exclusions and DORI rules.
    cameras
        The existing cameras (fixed columns).
    demand
        The weighted cells (for the sensitive layers of DORI rules).
    scenario
        Candidates, models, DORI rules, costs.

    Returns
    -------
    CandidateSet
        The columns, their technology and cost, and all their heads.
    """
    frame = basemap.frame
    allp = build_places(basemap, cameras, scenario)
    zone_polys = frame.project(np.array([z.geometry for z in zones], dtype=object))
    pts = shapely.points(allp.x, allp.y) if allp.n else np.empty(0, object)
    zone_of = locate_in_zones(pts, list(zones), zone_polys)
    keep = np.flatnonzero(~_excluded(allp, scenario, zone_of, zones))
    places = allp.take(keep)
    zone_of = {k: v[keep] for k, v in zone_of.items()}
    levels = required_levels(places, scenario, demand, zone_of, zones)

    n_ex = len(cameras)
    ex_heads = heads_from_cameras(list(cameras), frame)
    # Network: existing camera sites. Distance to the nearest, for fibre.
    if n_ex:
        net = cKDTree(np.column_stack([places.x[:n_ex], places.y[:n_ex]]))
        link, _ = net.query(np.column_stack([places.x, places.y]))
    else:
        link = np.full(places.n, np.inf)
    t = scenario.transmission

    cols: dict[str, list] = {k: [] for k in (
        "place", "model", "az", "level", "res", "range", "cost", "trans", "link", "streams",
        "bitrate")}
    for j in range(n_ex):
        n_heads = int(np.sum(ex_heads.heads.group == j))
        cols["place"].append(j)
        cols["model"].append(-1)
        cols["az"].append(np.nan)
        cols["level"].append(levels[j])
        cols["res"].append(-1)
        cols["range"].append(float(np.max(ex_heads.heads.range_m[ex_heads.heads.group == j]))
                             if n_heads else 0.0)
        cols["cost"].append(0.0)
        cols["trans"].append("existing")
        cols["link"].append(0.0)
        cols["streams"].append(max(n_heads, len(cameras[j].heads), 1))
        cols["bitrate"].append(scenario.storage.existing_bitrate_mbps)

    hx: list[float] = []
    hy: list[float] = []
    haz: list[float] = []
    hfov: list[float] = []
    hrange: list[float] = []
    hgroup: list[int] = []
    col = n_ex
    base = scenario.costs.camera_installed_eur
    years = scenario.costs.amortisation_years
    for p in range(n_ex, places.n):
        kind = places.kind[p]
        fibre_cost = t.fibre_per_m_eur * link[p]
        fibre = bool(link[p] <= t.fibre_reach_m) and (
            fibre_cost + years * t.fibre_opex_eur <= t.radio_link_eur + years * t.radio_opex_eur
        )
        trans_cost = fibre_cost if fibre else t.radio_link_eur
        for mi, m in enumerate(scenario.models):
            if kind not in m.at:
                continue
            res, rng = choose_resolution(mi, levels[p], scenario)
            price = base * m.price_factor + m.resolutions[res].extra_eur + trans_cost
            bearings = (
                [places.bearing_deg[p] + k * 360.0 / m.orientations for k in range(m.orientations)]
                if m.kind is CameraKind.fixed else [np.nan]
            )
            for az in bearings:
                az = az % 360.0 if np.isfinite(az) else az
                for h in range(m.heads):
                    hx.append(places.x[p])
                    hy.append(places.y[p])
                    if m.kind is CameraKind.multisensor:
                        haz.append((places.bearing_deg[p] + h * 360.0 / m.heads) % 360.0)
                        hfov.append(m.hfov_deg)
                    elif m.kind is CameraKind.ptz:
                        haz.append(0.0)
                        hfov.append(360.0)
                    else:
                        haz.append(az)
                        hfov.append(m.hfov_deg)
                    hrange.append(rng)
                    hgroup.append(col)
                cols["place"].append(p)
                cols["model"].append(mi)
                cols["az"].append(az)
                cols["level"].append(levels[p])
                cols["res"].append(res)
                cols["range"].append(rng)
                cols["cost"].append(price)
                cols["trans"].append("fibre" if fibre else "radio")
                cols["link"].append(float(link[p]) if fibre else float("nan"))
                cols["streams"].append(m.heads)
                cols["bitrate"].append(m.resolutions[res].bitrate_mbps)
                col += 1

    new_heads = Heads.build(
        np.asarray(hx), np.asarray(hy), azimuth_deg=np.asarray(haz), hfov_deg=np.asarray(hfov),
        range_m=np.asarray(hrange), group=np.asarray(hgroup, int),
    ) if hx else None
    eh = ex_heads.heads
    if new_heads is None:
        heads = eh
    else:
        heads = Heads(
            x=np.concatenate([eh.x, new_heads.x]),
            y=np.concatenate([eh.y, new_heads.y]),
            start_deg=np.concatenate([eh.start_deg, new_heads.start_deg]),
            sweep_deg=np.concatenate([eh.sweep_deg, new_heads.sweep_deg]),
            range_m=np.concatenate([eh.range_m, new_heads.range_m]),
            group=np.concatenate([eh.group, new_heads.group]).astype(int),
        )
    return CandidateSet(
        places=places,
        n_existing=n_ex,
        place=np.asarray(cols["place"], int),
        model=np.asarray(cols["model"], int),
        azimuth_deg=np.asarray(cols["az"], float),
        level=np.asarray(cols["level"], dtype=object),
        resolution=np.asarray(cols["res"], int),
        range_m=np.asarray(cols["range"], float),
        cost_eur=np.asarray(cols["cost"], float),
        transmission=np.asarray(cols["trans"], dtype=object),
        link_m=np.asarray(cols["link"], float),
        streams=np.asarray(cols["streams"], int),
        bitrate_mbps=np.asarray(cols["bitrate"], float),
        heads=heads,
        place_zone=zone_of,
    )


def compute_coverage(
    basemap: Basemap,
    candidates: CandidateSet,
    demand: Demand,
    scenario: Scenario,
    *,
    progress: Callable[[int], None] | None = None,
) -> CandidateCoverage:
    """Which column covers which demand cell, occlusion included.

    A cell counts as covered by a column when the column sees at least
    ``candidates.min_fraction`` of its length.

    Parameters
    ----------
    basemap
        The obstacles.
    candidates
        The columns and their heads.
    demand
        The cells and their weights.
    scenario
        `Candidates.arc_step_deg` and `Candidates.min_fraction`.
    progress
        Called with the number of heads done after each chunk.
    """
    geo_cov, vis = candidate_coverage(
        basemap.obstacles, candidates.heads, demand.cells,
        n_candidates=candidates.n_columns, step_deg=scenario.candidates.arc_step_deg,
        progress=progress,
    )
    polys, _ = vis.by_camera(candidates.n_columns)
    frac = geo_cov.to_csr(min_fraction=scenario.candidates.min_fraction, binary=True)
    seen = sparse.csr_array(
        (geo_cov.covered, (geo_cov.cols, geo_cov.rows)),
        shape=(demand.n_cells, candidates.n_columns),
    )
    return CandidateCoverage(
        matrix=CoverageMatrix(sparse.csc_array(frac.T), demand.weights),
        visibility=polys,
        seen_m=seen,
    )
