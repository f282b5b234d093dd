"""Priorities: street cells of at most 25 m, each weighted from documented criteria.

A cell's weight is the sum, over the criteria, of the criterion's weight (from the scenario)
times the cell's value for it (between 0 and 1), times the cell's length over the nominal cell
length — so weights are "per 25 m of street" and a short cell weighs less::

    weight = (length / cell_length_m) × Σ_k coef_k × value_k

Criteria and their values:

``base``
    1 for every street cell (coverage anywhere is worth a little).
``incidents``
    Geolocated incidents given: Gaussian kernel density (bandwidth `incident_bandwidth_m`) at
    the cell's midpoint, over its maximum. Otherwise zone rates given: the rate of the zone that
    holds the midpoint, over the highest rate. Neither: 0 (the document says so).
``qpv``
    1 when the midpoint lies in a QPV (quartier prioritaire de la politique de la ville).
``intersection``, ``traffic_signals``
    1 when an intersection (traffic signal) lies within `near_m` of the cell.
``population``
    Residents of the INSEE 200 m square holding the midpoint, over the 95th percentile of the
    squares, capped at 1.
one criterion per sensitive layer (metro stations, car parks, schools…)
    ``max(0, 1 − d / radius_m)`` with d the distance to the nearest site of the layer.

`Demand.contributions` holds every term, so each weight can be explained criterion by
criterion, and the same inputs always give the same weights.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from sentinelle.errors import InputError
from sentinelle.geo.basemap import Basemap
from sentinelle.geo.coverage import street_cells
from sentinelle.geo.layers import _read_vector
from sentinelle.plan.scenario import Scenario
from sentinelle.registry.zone import Zone

__all__ = [
    "CRITERIA_FR",
    "Demand",
    "build_demand",
    "distance_to",
    "kernel_density",
    "locate_in_zones",
    "read_incidents",
    "read_zone_rates",
]

CRITERIA_FR: dict[str, str] = {
    "base": "Toute rue",
    "incidents": "Faits constatés",
    "qpv": "Quartier prioritaire (QPV)",
    "intersection": "Carrefour",
    "traffic_signals": "Feux tricolores",
    "population": "Population résidente",
}
"""French labels of the fixed criteria (sensitive layers carry their own)."""

POPULATION_QUANTILE = 0.95


@dataclass(frozen=True)
class Demand:
    """Weighted street cells (metric) and what each criterion gave each cell.

    Attributes
    ----------
    cells
        Street pieces of at most `cell_length_m` (metric LineStrings).
    length_m
        Length of each cell.
    x, y
        Midpoint of each cell.
    criteria
        Criterion names, in column order of `values` and `contributions`.
    labels
        French label of each criterion.
    coefficients
        Weight of each criterion (from the scenario).
    values
        (n_cells × n_criteria) value of each criterion at each cell, between 0 and 1.
    contributions
        (n_cells × n_criteria) ``length / cell_length_m × coefficient × value``.
    zone_of
        Per zone kind, the index (into `zones`) of the zone holding each cell's midpoint, -1
        outside every zone of that kind.
    zones
        The zones the cells were located in.
    notes
        What was not available (e.g. no incidents file), in French.
    sensitive
        Per sensitive layer name, its sites (metric geometries).
    """

    cells: NDArray
    length_m: NDArray
    x: NDArray
    y: NDArray
    criteria: tuple[str, ...]
    labels: tuple[str, ...]
    coefficients: NDArray
    values: NDArray
    contributions: NDArray
    zone_of: dict[str, NDArray]
    zones: tuple[Zone, ...]
    notes: tuple[str, ...]
    sensitive: dict[str, NDArray]

    @property
    def weights(self) -> NDArray:
        """Weight of each cell: the sum of its contributions."""
        return self.contributions.sum(axis=1)

    @property
    def n_cells(self) -> int:
        """Number of street cells."""
        return int(self.length_m.size)

    def explain(self, i: int) -> dict[str, float]:
        """What each criterion gave cell `i` (only the criteria that gave something)."""
        return {
            c: float(v)
            for c, v in zip(self.criteria, self.contributions[i], strict=True)
            if v != 0
        }

    def totals(self, mask: NDArray | None = None) -> dict[str, float]:
        """Weight each criterion gives all cells, or the cells flagged in `mask`."""
        rows = self.contributions if mask is None else self.contributions[mask]
        return {c: float(v) for c, v in zip(self.criteria, rows.sum(axis=0), strict=True)}


def build_demand(basemap: Basemap, zones: Sequence[Zone], scenario: Scenario) -> Demand:
    """Street cells of the base map weighted by the scenario's criteria.

    Parameters
    ----------
    basemap
        Streets, intersections and traffic signals (metric).
    zones
        Zones (WGS84): QPV for the ``qpv`` criterion, any kind for rates and per-zone figures.
    scenario
        Weights, files and radii (`Scenario.demand`).

    Returns
    -------
    Demand
        The weighted cells, with every criterion's contribution.

    Raises
    ------
    InputError
        When a file named in the scenario cannot be read or lacks a needed field.
    """
    d = scenario.demand
    frame = basemap.frame
    cells, _ = street_cells(basemap.public_streets, max_length_m=d.cell_length_m)
    length = shapely.length(cells) if cells.size else np.zeros(0)
    mids = shapely.line_interpolate_point(cells, 0.5, normalized=True) if cells.size else cells
    x, y = (shapely.get_x(mids), shapely.get_y(mids)) if cells.size else (np.zeros(0),) * 2

    zone_list = tuple(zones)
    zone_polys = frame.project(np.array([z.geometry for z in zone_list], dtype=object))
    zone_of = locate_in_zones(mids, zone_list, zone_polys)

    notes: list[str] = []
    names: list[str] = []
    labels: list[str] = []
    coefs: list[float] = []
    cols: list[NDArray] = []

    def add(name: str, label: str, coef: float, value: NDArray) -> None:
        names.append(name)
        labels.append(label)
        coefs.append(float(coef))
        cols.append(np.clip(np.asarray(value, float), 0.0, 1.0))

    w = d.weights
    n = cells.size
    add("base", CRITERIA_FR["base"], w.base, np.ones(n))
    add("incidents", CRITERIA_FR["incidents"], w.incidents,
        _incidents(scenario, frame, x, y, zone_of, zone_list, notes))
    qpv = zone_of.get("qpv", np.full(n, -1))
    if "qpv" not in zone_of:
        notes.append("Aucun périmètre QPV dans le registre : critère QPV nul.")
    add("qpv", CRITERIA_FR["qpv"], w.qpv, (qpv >= 0).astype(float))
    add("intersection", CRITERIA_FR["intersection"], w.intersection,
        _near(cells, basemap.intersections, d.near_m))
    add("traffic_signals", CRITERIA_FR["traffic_signals"], w.traffic_signals,
        _near(cells, basemap.traffic_signals, d.near_m))
    add("population", CRITERIA_FR["population"], w.population,
        _population(scenario, frame, mids, notes))
    sensitive: dict[str, NDArray] = {}
    for layer in d.sensitive:
        geoms = _sensitive_geoms(scenario, layer.file, layer.min_field, layer.min_value)
        sensitive[layer.name] = frame.project(geoms)
        dist = distance_to(mids, sensitive[layer.name])
        add(layer.name, layer.label, layer.weight, 1.0 - dist / layer.radius_m)

    values = np.column_stack(cols) if cols else np.zeros((n, 0))
    coefficients = np.asarray(coefs, float)
    scale = (length / d.cell_length_m)[:, None]
    contributions = scale * values * coefficients[None, :]
    return Demand(
        cells=cells,
        length_m=length,
        x=np.asarray(x, float),
        y=np.asarray(y, float),
        criteria=tuple(names),
        labels=tuple(labels),
        coefficients=coefficients,
        values=values,
        contributions=contributions,
        zone_of=zone_of,
        zones=zone_list,
        notes=tuple(notes),
        sensitive=sensitive,
    )


# --- zones --------------------------------------------------------------------------------


def locate_in_zones(
    points: NDArray, zones: Sequence[Zone], polys: NDArray
) -> dict[str, NDArray]:
    """Per zone kind, the zone holding each point (lowest index when zones overlap).

    Parameters
    ----------
    points
        Metric points.
    zones
        The zones.
    polys
        The zones' polygons in the same metric frame.

    Returns
    -------
    dict
        ``{kind: index into zones or -1}`` for each kind present.
    """
    out: dict[str, NDArray] = {}
    if not zones:
        return out
    kinds = np.array([z.kind.value for z in zones], dtype=object)
    for kind in dict.fromkeys(kinds):
        idx = np.flatnonzero(kinds == kind)
        where = np.full(points.size, -1, dtype=np.int64)
        if points.size:
            pi, zi = shapely.STRtree(polys[idx]).query(points, predicate="within")
            order = np.lexsort((zi, pi))[::-1]  # last write wins: lowest zone index
            where[pi[order]] = idx[zi[order]]
        out[str(kind)] = where
    return out


# --- criteria -----------------------------------------------------------------------------


def _near(cells: NDArray, points: NDArray, radius_m: float) -> NDArray:
    out = np.zeros(cells.size)
    pts = np.asarray(points, dtype=object)
    if cells.size == 0 or pts.size == 0:
        return out
    ci, _ = shapely.STRtree(pts).query(cells, predicate="dwithin", distance=radius_m)
    out[np.unique(ci)] = 1.0
    return out


def distance_to(points: NDArray, geoms: NDArray) -> NDArray:
    """Distance from each point to the nearest geometry (infinity when there is none)."""
    out = np.full(points.size, np.inf)
    g = np.asarray(geoms, dtype=object)
    if points.size == 0 or g.size == 0:
        return out
    g = g[~shapely.is_empty(g)]
    (pi, gi), dist = shapely.STRtree(g).query_nearest(points, return_distance=True,
                                                       all_matches=False)
    out[pi] = dist
    return out


def _incidents(scenario: Scenario, frame, x: NDArray, y: NDArray,
               zone_of: dict[str, NDArray], zones: tuple[Zone, ...],
               notes: list[str]) -> NDArray:
    d = scenario.demand
    if d.incidents_file:
        lon, lat, w = read_incidents(scenario.path(d.incidents_file))
        ix, iy = frame.to_metric(lon, lat)
        return kernel_density(x, y, np.asarray(ix), np.asarray(iy), w,
                              bandwidth_m=d.incident_bandwidth_m)
    if d.zone_rates_file:
        rates = read_zone_rates(scenario.path(d.zone_rates_file))
        value = np.zeros(x.size)
        top = max(rates.values()) if rates else 0.0
        for kind, where in zone_of.items():
            rate = np.array([rates.get((kind, z.name), np.nan) for z in zones])
            inside = where >= 0
            got = np.where(inside, rate[np.maximum(where, 0)], np.nan)
            value = np.fmax(value, np.nan_to_num(got, nan=0.0))
        missing = {k for k in rates if k[0] not in zone_of or
                   not any(z.name == k[1] and z.kind.value == k[0] for z in zones)}
        if missing:
            names = ", ".join(f"{k}:{n}" for k, n in sorted(missing))
            notes.append(f"Taux donnés pour des zones absentes du registre : {names}.")
        return value / top if top > 0 else value
    notes.append(
        "Aucun fichier de faits géolocalisés ni de taux par zone : le critère « faits "
        "constatés » vaut 0. Les indicateurs SSMSI publics ne sont disponibles qu'à l'échelle "
        "de la commune."
    )
    return np.zeros(x.size)


def kernel_density(x: NDArray, y: NDArray, ix: NDArray, iy: NDArray, w: NDArray, *,
                   bandwidth_m: float) -> NDArray:
    """Gaussian kernel density of weighted incidents at points, over its maximum (0 to 1).

    Parameters
    ----------
    x, y
        Where to evaluate (metric).
    ix, iy, w
        Incident positions (metric) and weights.
    bandwidth_m
        Kernel standard deviation; incidents beyond 3 bandwidths are ignored.
    """
    out = np.zeros(x.size)
    if x.size == 0 or ix.size == 0:
        return out
    tree = cKDTree(np.column_stack([ix, iy]))
    pairs = tree.query_ball_point(np.column_stack([x, y]), r=3 * bandwidth_m)
    for i, near in enumerate(pairs):
        if near:
            j = np.asarray(near)
            d2 = (ix[j] - x[i]) ** 2 + (iy[j] - y[i]) ** 2
            out[i] = float(np.sum(w[j] * np.exp(-d2 / (2 * bandwidth_m**2))))
    top = out.max()
    return out / top if top > 0 else out


def _population(scenario: Scenario, frame, mids: NDArray, notes: list[str]) -> NDArray:
    d = scenario.demand
    if not d.population_file or scenario.demand.weights.population == 0:
        return np.zeros(mids.size)
    path = scenario.path(d.population_file)
    geoms, cols = _read_vector(path)
    if d.population_field not in cols:
        raise InputError.at(str(path), None, d.population_field,
                            f"no such field (fields: {', '.join(cols)})")
    pop = np.nan_to_num(np.asarray(cols[d.population_field], float), nan=0.0)
    squares = frame.project(geoms)
    out = np.zeros(mids.size)
    if mids.size and squares.size:
        pi, si = shapely.STRtree(squares).query(mids, predicate="within")
        out[pi] = pop[si]
    ref = float(np.quantile(pop[pop > 0], POPULATION_QUANTILE)) if np.any(pop > 0) else 0.0
    if ref <= 0:
        notes.append("Carroyage de population vide : critère population nul.")
        return np.zeros(mids.size)
    return np.minimum(out / ref, 1.0)


def _sensitive_geoms(scenario: Scenario, file: str, field: str | None,
                     minimum: float | None) -> NDArray:
    path = scenario.path(file)
    geoms, cols = _read_vector(path)
    keep = ~shapely.is_missing(geoms)
    if field is not None:
        if field not in cols:
            known = ", ".join(cols)
            raise InputError.at(str(path), None, field, f"no such field (fields: {known})")
        vals = np.array([_float(v) for v in cols[field]])
        keep &= np.nan_to_num(vals, nan=-np.inf) >= (minimum if minimum is not None else -np.inf)
    return geoms[keep]


def _float(v: object) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


# --- files --------------------------------------------------------------------------------


def read_incidents(path: Path) -> tuple[NDArray, NDArray, NDArray]:
    """Incidents from a CSV with ``lon``, ``lat`` and an optional ``weight`` column.

    Raises
    ------
    InputError
        Naming the file, line and column of the first bad row.
    """
    lon: list[float] = []
    lat: list[float] = []
    w: list[float] = []
    try:
        f = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise InputError.at(str(path), None, None, "file not found") from None
    with f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        for need in ("lon", "lat"):
            if need not in fields:
                raise InputError.at(str(path), 1, need, "missing column (lon, lat[, weight])")
        for line, row in enumerate(reader, start=2):
            for key in ("lon", "lat", "weight"):
                if key == "weight" and (key not in row or row[key] in (None, "")):
                    continue
                try:
                    float(row[key])
                except (TypeError, ValueError):
                    why = f"not a number: {row[key]!r}"
                    raise InputError.at(str(path), line, key, why) from None
            lon.append(float(row["lon"]))
            lat.append(float(row["lat"]))
            w.append(float(row["weight"]) if row.get("weight") not in (None, "") else 1.0)
    if any(v < 0 for v in w):
        raise InputError.at(str(path), None, "weight", "weights must be >= 0")
    return np.asarray(lon), np.asarray(lat), np.asarray(w)


def read_zone_rates(path: Path) -> dict[tuple[str, str], float]:
    """Zone rates (e.g. incidents per 1,000 residents) from a CSV ``kind,name,rate``."""
    out: dict[tuple[str, str], float] = {}
    try:
        f = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise InputError.at(str(path), None, None, "file not found") from None
    with f:
        reader = csv.DictReader(f)
        for need in ("kind", "name", "rate"):
            if need not in (reader.fieldnames or []):
                raise InputError.at(str(path), 1, need, "missing column (kind, name, rate)")
        for line, row in enumerate(reader, start=2):
            try:
                rate = float(row["rate"])
            except (TypeError, ValueError):
                why = f"not a number: {row['rate']!r}"
                raise InputError.at(str(path), line, "rate", why) from None
            if rate < 0:
                raise InputError.at(str(path), line, "rate", "must be >= 0")
            out[(row["kind"].strip(), row["name"].strip())] = rate
    return out
