"""The master plan (Schéma Directeur): demand, candidates, siting, phasing, technology, costs.

`build_masterplan` runs the whole chain on a base map, zones and the existing cameras;
`run_scenario` loads them from the database first. The `MasterPlan` it returns holds every
intermediate result, and writes ``plan.json`` and ``sites.geojson``; `sentinelle.plan.document`
turns it into the French document.

Steps (each timed in `MasterPlan.timings`):

1. demand: weighted street cells (`sentinelle.plan.demand`);
2. candidates: places × models × orientations with their technology and cost
   (`sentinelle.plan.candidates`);
3. coverage: the cells × columns matrix, occlusion included;
4. siting: `sentinelle.plan.solve_siting` with the existing cameras fixed, forced sites fixed
   too (and taken off K and the budget), per-zone minimums and maximums;
5. figures: street coverage per zone before and after, demand share per zone, views reaching
   dwellings;
6. phasing and costs (`sentinelle.plan.phasing`, `sentinelle.plan.costing`).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from sentinelle.adapters.coverage_report import coverage_figures
from sentinelle.errors import InputError
from sentinelle.geo.basemap import Basemap
from sentinelle.geo.coverage import dwellings_reached
from sentinelle.plan.candidates import CandidateCoverage, CandidateSet, build_candidates
from sentinelle.plan.candidates import compute_coverage as compute_candidate_coverage
from sentinelle.plan.costing import (
    BENCHMARKS,
    SOURCES,
    Staffing,
    StorageNeed,
    csu_staffing,
    phasing_cost,
    storage_need,
)
from sentinelle.plan.demand import Demand, build_demand
from sentinelle.plan.phasing import Programme, gain_order, phase_programme
from sentinelle.plan.scenario import Scenario
from sentinelle.plan.siting import SitingResult, SitingStatus, solve_siting
from sentinelle.registry.camera import Camera
from sentinelle.registry.zone import Zone

__all__ = ["MasterPlan", "Progress", "build_masterplan", "run_scenario"]

Progress = Callable[[str, float], None]
"""Called with a stage name and the share of the whole run done (0 to 1)."""

_STAGES = {"demand": 0.05, "candidates": 0.1, "coverage": 0.6, "siting": 0.85, "figures": 0.95}


@dataclass
class MasterPlan:
    """Everything the Schéma Directeur says, computed once.

    Attributes
    ----------
    scenario, basemap, zones, cameras
        The inputs.
    demand, candidates, coverage
        Weighted cells, columns, and the coverage matrix with each column's visible ground.
    result
        The solver's answer (objective, bound, gap, status…).
    forced, new_sites
        Forced columns, and every new column (forced and chosen), in the phasing order.
    before, after
        Street-coverage figures (network and per-zone rows) of the existing network and of
        the network with the new sites.
    weight_share
        Per zone (kind, name): the share of its demand weight covered before and after.
    justification
        Per new column: the weight it adds by criterion (at its turn in the phasing order).
    dwellings
        Per new column: buildings and dwellings its view reaches, and whether it faces blocks
        derived from the streets (where housing is unknown).
    programme
        The multi-year programme.
    budget
        Yearly capex and opex, five-year totals and per-camera figures.
    storage_before, storage_after, staffing_before, staffing_after
        Recording capacity and CSU staffing of the network before and after.
    timings
        Seconds per step.
    """

    scenario: Scenario
    basemap: Basemap
    zones: list[Zone]
    cameras: list[Camera]
    demand: Demand
    candidates: CandidateSet
    coverage: CandidateCoverage
    result: SitingResult
    forced: list[int]
    new_sites: list[int]
    before: dict[str, Any]
    after: dict[str, Any]
    weight_share: list[dict[str, Any]]
    justification: dict[int, dict[str, float]]
    dwellings: dict[int, dict[str, Any]]
    programme: Programme
    budget: dict[str, Any]
    storage_before: StorageNeed
    storage_after: StorageNeed
    staffing_before: Staffing
    staffing_after: Staffing
    timings: dict[str, float] = field(default_factory=dict)

    # --- sites ----------------------------------------------------------------------------
    def year_of(self) -> dict[int, int | None]:
        """Programme year of each new column (None: left over)."""
        out: dict[int, int | None] = {j: None for j in self.new_sites}
        for plan in self.programme.years:
            for j in plan.sites:
                out[j] = plan.year
        return out

    def site_rows(self) -> list[dict[str, Any]]:
        """One row per new site, in the phasing order, with its technology and justification."""
        c = self.candidates
        frame = self.basemap.frame
        years = self.year_of()
        rank = {j: k + 1 for k, j in enumerate(self.programme.order)}
        p = c.place[self.new_sites]
        lon, lat = frame.to_wgs84(c.places.x[p], c.places.y[p])
        lon, lat = np.atleast_1d(lon), np.atleast_1d(lat)
        conv = frame.convergence_deg(c.places.x[p], c.places.y[p]) if p.size else np.zeros(0)
        rows = []
        for k, j in enumerate(self.new_sites):
            m = self.scenario.models[c.model[j]]
            res = m.resolutions[c.resolution[j]]
            az = c.azimuth_deg[j]
            az_true = None if not np.isfinite(az) else round(float((az - conv[k]) % 360.0), 1)
            pl = int(c.place[j])
            zones = {
                kind: self.zones[int(where[pl])].name
                for kind, where in c.place_zone.items()
                if where[pl] >= 0
            }
            rows.append({
                "rank": rank.get(j),
                "column": int(j),
                "site_id": str(c.places.site_id[pl]),
                "place_kind": str(c.places.kind[pl]),
                "name": c.places.name[pl],
                "lon": round(float(lon[k]), 7),
                "lat": round(float(lat[k]), 7),
                "model": m.name,
                "model_label": m.label,
                "kind": m.kind.value,
                "heads": m.heads,
                "azimuth_deg": az_true,
                "dori_level": str(c.level[j]),
                "resolution": res.label,
                "width_px": res.width_px,
                "range_m": round(float(c.range_m[j]), 1),
                "transmission": str(c.transmission[j]),
                "link_m": None if not np.isfinite(c.link_m[j]) else round(float(c.link_m[j])),
                "cost_eur": round(float(c.cost_eur[j]), 2),
                "year": years.get(j),
                "forced": j in self.forced,
                "zones": zones,
                "gain": round(float(sum(self.justification.get(j, {}).values())), 4),
                "justification": {
                    k2: round(v, 4) for k2, v in self.justification.get(j, {}).items() if v > 0
                },
                "dwellings": self.dwellings.get(j, {}),
            })
        return rows

    def existing_rows(self) -> list[dict[str, Any]]:
        """One row per existing camera."""
        rows = []
        for cam in self.cameras:
            rows.append({
                "id": cam.id,
                "name": cam.name,
                "lon": cam.lon,
                "lat": cam.lat,
                "type": cam.type.value if cam.type else None,
                "installed": cam.installed.isoformat() if cam.installed else None,
                "assumed": cam.assumed,
            })
        return rows

    # --- outputs --------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Everything `plan.json` holds (plain JSON values)."""
        s = self.scenario
        n_heads = len(self.candidates.heads)
        return {
            "scenario": s.scenario.model_dump(mode="json"),
            "inputs": {
                "cells": self.demand.n_cells,
                "cell_length_m": s.demand.cell_length_m,
                "street_km": round(float(self.demand.length_m.sum()) / 1000, 3),
                "places": self.candidates.places.n - self.candidates.n_existing,
                "columns": self.candidates.n_columns - self.candidates.n_existing,
                "heads": n_heads,
                "existing_cameras": len(self.cameras),
                "occlusion_source": self.basemap.source,
            },
            "demand": {
                "criteria": [
                    {"name": n, "label": lb, "weight": float(c),
                     "total": round(self.demand.totals()[n], 3)}
                    for n, lb, c in zip(self.demand.criteria, self.demand.labels,
                                        self.demand.coefficients, strict=True)
                ],
                "total_weight": round(float(self.demand.weights.sum()), 3),
                "notes": list(self.demand.notes),
            },
            "siting": {
                **self.result.to_dict(),
                "new_cameras": len(self.new_sites),
                "forced": [int(j) for j in self.forced],
            },
            "coverage": {
                "before": self.before,
                "after": self.after,
                "weight_share": self.weight_share,
            },
            "sites": self.site_rows(),
            "existing": self.existing_rows(),
            "programme": {
                "years": [
                    {
                        "year": y.year,
                        "budget_eur": y.budget_eur,
                        "new_sites": len(y.sites),
                        "sites": [int(j) for j in y.sites],
                        "replacements": [self.cameras[i].id for i in y.replacements],
                        "spent_eur": round(y.spent_eur, 2),
                        "gained_weight": round(y.gained_weight, 4),
                    }
                    for y in self.programme.years
                ],
                "left_over": [int(j) for j in self.programme.left_over],
                "replacements_left": [self.cameras[i].id for i in
                                      self.programme.replacements_left],
                "unknown_age": [self.cameras[i].id for i in self.programme.unknown_age],
            },
            "storage": {
                "before": _storage_json(self.storage_before),
                "after": _storage_json(self.storage_after),
                "retention_days": s.storage.retention_days,
                "redundancy": s.storage.redundancy,
            },
            "staffing": {
                "before": _staffing_json(self.staffing_before),
                "after": _staffing_json(self.staffing_after),
            },
            "budget": self.budget,
            "sources": SOURCES,
            "timings_s": {k: round(v, 2) for k, v in self.timings.items()},
        }

    def sites_geojson(self) -> dict[str, Any]:
        """Existing cameras and new sites as GeoJSON points (WGS84)."""
        feats = []
        for row in self.existing_rows():
            feats.append({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": {"status": "existing", **{k: v for k, v in row.items()
                                                         if k not in ("lon", "lat")}},
            })
        for row in self.site_rows():
            props = {k: v for k, v in row.items() if k not in ("lon", "lat")}
            feats.append({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": {"status": "proposed", **props},
            })
        return {"type": "FeatureCollection", "features": feats}

    def write_json(self, folder) -> tuple[Any, Any]:
        """Write ``plan.json`` and ``sites.geojson`` in `folder`; return their paths."""
        from pathlib import Path

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        plan = out / "plan.json"
        sites = out / "sites.geojson"
        plan.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1,
                                   default=_json_default), encoding="utf-8")
        sites.write_text(json.dumps(self.sites_geojson(), ensure_ascii=False,
                                    default=_json_default), encoding="utf-8")
        return plan, sites


def _json_default(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


def _storage_json(s: StorageNeed) -> dict[str, Any]:
    return {"streams": s.streams, "useful_tb": round(s.useful_tb, 3),
            "raw_tb": round(s.raw_tb, 3), "cost_eur": round(s.cost_eur, 2)}


def _staffing_json(s: Staffing) -> dict[str, Any]:
    return {"cameras": s.cameras, "watched": round(s.watched, 2),
            "hours_per_week": s.hours_per_week, "fte": round(s.fte, 2),
            "positions": s.positions, "cost_eur": round(s.cost_eur, 2)}


# --- the chain ------------------------------------------------------------------------------


def run_scenario(db, scenario: Scenario, *, progress: Progress | None = None) -> MasterPlan:
    """Load the base map, zones and existing cameras from `db`, then `build_masterplan`.

    Raises
    ------
    InputError
        When the database holds no base map.
    """
    from sentinelle.adapters.basemap_store import BasemapStore
    from sentinelle.registry.store import Registry

    basemap = BasemapStore(db).load()
    if basemap is None:
        msg = "no base map in the database: run `sentinelle demo --no-serve` or `basemap import`"
        raise InputError(msg)
    reg = Registry(db)
    cameras = reg.cameras(status=list(scenario.existing.statuses))
    return build_masterplan(basemap, reg.zones(), cameras, scenario, progress=progress)


def build_masterplan(
    basemap: Basemap,
    zones: Sequence[Zone],
    cameras: Sequence[Camera],
    scenario: Scenario,
    *,
    progress: Progress | None = None,
) -> MasterPlan:
    """Run the whole chain (see the module docstring).

    Parameters
    ----------
    basemap
        Streets, intersections, obstacles, buildings (metric).
    zones
        Zones (QPV, quartiers…), WGS84.
    cameras
        Existing cameras (fixed in the siting).
    scenario
        The scenario.
    progress
        Called with (stage, share done).

    Returns
    -------
    MasterPlan
        The plan.

    Raises
    ------
    InputError
        When the scenario does not fit the data (unknown zone or site, K too small for the
        forced sites, no street…).
    """
    say = progress or (lambda _s, _f: None)
    timings: dict[str, float] = {}
    zones = list(zones)
    cameras = list(cameras)
    t = time.perf_counter()
    say("demand", 0.0)
    demand = build_demand(basemap, zones, scenario)
    if demand.n_cells == 0:
        raise InputError("the base map has no street to weight: nothing to plan")
    timings["demand"] = time.perf_counter() - t

    t = time.perf_counter()
    say("candidates", _STAGES["demand"])
    cands = build_candidates(basemap, zones, cameras, demand, scenario)
    timings["candidates"] = time.perf_counter() - t

    t = time.perf_counter()
    say("coverage", _STAGES["candidates"])
    n_heads = max(len(cands.heads), 1)
    done = [0]

    def heads_done(k: int) -> None:
        done[0] += k
        span = _STAGES["coverage"] - _STAGES["candidates"]
        say("coverage", _STAGES["candidates"] + span * min(done[0] / n_heads, 1.0))

    cov = compute_candidate_coverage(basemap, cands, demand, scenario, progress=heads_done)
    timings["coverage"] = time.perf_counter() - t

    t = time.perf_counter()
    say("siting", _STAGES["coverage"])
    result, forced = _solve(cands, cov, demand, zones, scenario)
    timings["siting"] = time.perf_counter() - t
    if result.status == SitingStatus.infeasible:
        raise InputError(f"siting: infeasible — {result.message}")

    t = time.perf_counter()
    say("figures", _STAGES["siting"])
    existing = list(range(cands.n_existing))
    chosen = sorted({*forced, *result.selected})
    cost_phase = phasing_cost(cands.cost_eur, cands.streams, cands.bitrate_mbps, scenario)
    order, gains = gain_order(cov.matrix, chosen, existing, cost_phase)
    justification = _justify(cov, demand, existing, order)
    before_net, before_zones = coverage_figures(cov.visibility[existing], basemap, zones)
    after_cols = existing + order
    after_net, after_zones = coverage_figures(cov.visibility[after_cols], basemap, zones)
    weight_share = _weight_share(cov, demand, existing, after_cols)
    dwell = _dwellings(basemap, cov, order)
    timings["figures"] = time.perf_counter() - t

    t = time.perf_counter()
    ph = scenario.phasing
    ref_year = scenario.existing.reference_year or ph.start_year
    installed = [c.installed.year if c.installed else None for c in cameras]
    repl_cost = np.full(len(cameras), scenario.costs.existing_camera_value_eur
                        * scenario.costs.replacement_share)
    programme = phase_programme(
        order, gains, cost_phase,
        start_year=ph.start_year, years=ph.years, yearly_budget_eur=ph.yearly_budget_eur,
        installed_year=installed, replacement_age_years=ph.replacement_age_years,
        replacement_cost_eur=repl_cost,
    )
    storage_before = storage_need(cands.streams[existing], cands.bitrate_mbps[existing],
                                  scenario.storage)
    storage_after = storage_need(cands.streams[after_cols], cands.bitrate_mbps[after_cols],
                                 scenario.storage)
    fte_cost = scenario.costs.fte_cost_eur
    staffing_before = csu_staffing(len(existing), scenario.csu, fte_cost_eur=fte_cost)
    staffing_after = csu_staffing(len(after_cols), scenario.csu, fte_cost_eur=fte_cost)
    budget = _budget(scenario, cands, programme, cost_phase, len(cameras), ref_year)
    timings["phasing_costs"] = time.perf_counter() - t
    say("done", 1.0)
    return MasterPlan(
        scenario=scenario,
        basemap=basemap,
        zones=zones,
        cameras=cameras,
        demand=demand,
        candidates=cands,
        coverage=cov,
        result=result,
        forced=forced,
        new_sites=order,
        before={"network": before_net.as_dict(), "zones": before_zones},
        after={"network": after_net.as_dict(), "zones": after_zones},
        weight_share=weight_share,
        justification=justification,
        dwellings=dwell,
        programme=programme,
        budget=budget,
        storage_before=storage_before,
        storage_after=storage_after,
        staffing_before=staffing_before,
        staffing_after=staffing_after,
        timings=timings,
    )


def _solve(cands: CandidateSet, cov: CandidateCoverage, demand: Demand, zones: list[Zone],
           scenario: Scenario) -> tuple[SitingResult, list[int]]:
    s = scenario.siting
    forced: list[int] = []
    for ref in s.forced:
        sid, _, model = ref.partition("@")
        cols = cands.columns_of(sid, model or None, scenario)
        if cols.size == 0:
            msg = f"siting.forced: no candidate column for '{ref}' (unknown site or model)"
            raise InputError(msg)
        gains = np.array([cov.matrix.covered_weight([j]) for j in cols])
        forced.append(int(cols[int(np.argmax(gains))]))  # best orientation, lowest column
    fixed = [*range(cands.n_existing), *forced]
    n_sites = None
    if s.new_cameras is not None:
        n_sites = s.new_cameras - len(forced)
        if n_sites < 0:
            msg = (f"siting.new_cameras: {s.new_cameras} is fewer than the "
                   f"{len(forced)} forced site(s)")
            raise InputError(msg)
        n_sites = min(n_sites, cands.n_columns - len(fixed))
    costs = budget = None
    if s.budget_eur is not None:
        costs = cands.cost_eur.copy()
        costs[fixed] = 0.0
        budget = s.budget_eur - float(cands.cost_eur[forced].sum())
        if budget < 0:
            msg = f"siting.budget_eur: the forced sites alone cost {-budget + s.budget_eur:,.0f} €"
            raise InputError(msg)
    groups = group_min = None
    if s.minimums:
        groups, group_min = _group_minimums(demand, zones, scenario)
    site_groups = site_max = None
    if s.maximums:
        site_groups, site_max = _site_maximums(cands, zones, scenario)
    result = solve_siting(
        cov.matrix, n_sites=n_sites, fixed=fixed, costs=costs, budget=budget, groups=groups,
        group_min_share=group_min, site_groups=site_groups, site_group_max=site_max,
        time_limit_s=s.time_limit_s,
    )
    return result, forced


def _zone_indices(zones: list[Zone], kind: str, name: str | None, what: str) -> list[int]:
    idx = [i for i, z in enumerate(zones) if z.kind.value == kind and (name is None
                                                                        or z.name == name)]
    if not idx:
        label = f"{kind}:{name}" if name else f"kind '{kind}'"
        raise InputError(f"siting.{what}: no zone {label} in the registry")
    return idx


def _group_minimums(demand: Demand, zones: list[Zone],
                    scenario: Scenario) -> tuple[NDArray, NDArray]:
    rules = scenario.siting.minimums
    kind = rules[0].zone_kind
    idx = _zone_indices(zones, kind, None, "minimums")
    group_of_zone = {z: g for g, z in enumerate(idx)}
    share = np.zeros(len(idx))
    for r in sorted(rules, key=lambda r: r.zone is not None):  # one zone overrides the kind
        for z in _zone_indices(zones, kind, r.zone, "minimums"):
            share[group_of_zone[z]] = r.share
    where = demand.zone_of.get(kind, np.full(demand.n_cells, -1))
    groups = np.array([group_of_zone.get(int(z), -1) for z in where], dtype=np.int64)
    return groups, share


def _site_maximums(cands: CandidateSet, zones: list[Zone],
                   scenario: Scenario) -> tuple[NDArray, NDArray]:
    rules = scenario.siting.maximums
    kind = rules[0].zone_kind
    idx = _zone_indices(zones, kind, None, "maximums")
    group_of_zone = {z: g for g, z in enumerate(idx)}
    cap = np.full(len(idx), np.iinfo(np.int32).max, dtype=np.int64)
    for r in sorted(rules, key=lambda r: r.zone is not None):
        for z in _zone_indices(zones, kind, r.zone, "maximums"):
            cap[group_of_zone[z]] = r.max_new
    where = cands.place_zone.get(kind, np.full(cands.places.n, -1))[cands.place]
    groups = np.array([group_of_zone.get(int(z), -1) for z in where], dtype=np.int64)
    groups[: cands.n_existing] = -1
    return groups, cap


def _justify(cov: CandidateCoverage, demand: Demand, base: list[int],
             order: list[int]) -> dict[int, dict[str, float]]:
    """Weight each site adds, by criterion, at its turn in `order`."""
    covered = cov.matrix.covered_rows(base) if base else np.zeros(demand.n_cells, bool)
    mat = cov.matrix.matrix
    out: dict[int, dict[str, float]] = {}
    for j in order:
        rows = mat.indices[mat.indptr[j] : mat.indptr[j + 1]]
        new = rows[~covered[rows]]
        covered[new] = True
        sums = demand.contributions[new].sum(axis=0)
        out[j] = {c: float(v) for c, v in zip(demand.criteria, sums, strict=True)}
    return out


def _weight_share(cov: CandidateCoverage, demand: Demand, before: list[int],
                  after: list[int]) -> list[dict[str, Any]]:
    w = demand.weights
    cb = cov.matrix.covered_rows(before) if before else np.zeros(demand.n_cells, bool)
    ca = cov.matrix.covered_rows(after) if after else np.zeros(demand.n_cells, bool)
    rows = [{
        "kind": "network", "name": "Réseau entier", "weight": round(float(w.sum()), 3),
        "before": _share(w, cb, np.ones_like(cb)), "after": _share(w, ca, np.ones_like(ca)),
    }]
    for kind, where in demand.zone_of.items():
        for z in np.unique(where[where >= 0]):
            m = where == z
            rows.append({
                "kind": kind, "name": demand.zones[int(z)].name,
                "weight": round(float(w[m].sum()), 3),
                "before": _share(w, cb, m), "after": _share(w, ca, m),
            })
    return rows


def _share(w: NDArray, covered: NDArray, mask: NDArray) -> float:
    total = float(w[mask].sum())
    return round(float(w[mask & covered].sum()) / total, 6) if total > 0 else 0.0


def _dwellings(basemap: Basemap, cov: CandidateCoverage,
               columns: list[int]) -> dict[int, dict[str, Any]]:
    """Views of new sites reaching dwellings (known buildings) or derived blocks."""
    out: dict[int, dict[str, Any]] = {}
    if not columns:
        return out
    vis = cov.visibility[columns]
    reach = dwellings_reached(vis, basemap.buildings, basemap.is_dwelling)
    per = reach.per_camera(len(columns), basemap.building_dwellings)
    blocks = basemap.blocks
    near_blocks = np.zeros(len(columns), bool)
    if blocks.size:
        vq = np.where(shapely.is_empty(vis), None, vis)
        vi, _ = shapely.STRtree(blocks).query(vq, predicate="dwithin", distance=0.05)
        near_blocks[np.unique(vi)] = True
    for k, j in enumerate(columns):
        dwell = float(per.get("dwellings", np.zeros(len(columns)))[k])
        out[j] = {
            "buildings": int(per["buildings"][k]),
            "dwellings": int(round(dwell)) if math.isfinite(dwell) else 0,
            "derived_blocks": bool(near_blocks[k]),
        }
    return out


def _budget(scenario: Scenario, cands: CandidateSet, programme: Programme,
            cost_phase: NDArray, n_existing: int, ref_year: int) -> dict[str, Any]:
    """Yearly capex and opex over the programme, totals, per-camera figures, benchmarks."""
    c = scenario.costs
    t = scenario.transmission
    yearly = []
    in_service: list[int] = []
    new_value = 0.0
    total_capex = 0.0
    for plan in programme.years:
        in_service += plan.sites
        new_value += float(cands.cost_eur[plan.sites].sum()) if plan.sites else 0.0
        cameras = n_existing + len(in_service)
        maint = c.maintenance_rate * (c.existing_camera_value_eur * n_existing + new_value)
        trans = n_existing * t.fibre_opex_eur + sum(
            t.fibre_opex_eur if cands.transmission[j] == "fibre" else t.radio_opex_eur
            for j in in_service
        )
        staff = csu_staffing(cameras, scenario.csu, fte_cost_eur=c.fte_cost_eur)
        opex = maint + trans + staff.cost_eur
        total_capex += plan.spent_eur
        yearly.append({
            "year": plan.year,
            "new_sites": len(plan.sites),
            "replacements": len(plan.replacements),
            "cameras": cameras,
            "capex_eur": round(plan.spent_eur, 2),
            "maintenance_eur": round(maint, 2),
            "transmission_eur": round(trans, 2),
            "staffing_fte": round(staff.fte, 2),
            "staffing_eur": round(staff.cost_eur, 2),
            "opex_eur": round(opex, 2),
            "total_eur": round(plan.spent_eur + opex, 2),
        })
    last = yearly[-1]
    cameras = last["cameras"]
    investment = c.existing_camera_value_eur * n_existing + new_value
    annual_full = investment / c.amortisation_years + last["opex_eur"]
    n_new = len(in_service)
    capex_new_sites = float(cost_phase[in_service].sum()) if in_service else 0.0
    return {
        "years": yearly,
        "capex_total_eur": round(total_capex, 2),
        "opex_total_eur": round(sum(y["opex_eur"] for y in yearly), 2),
        "total_eur": round(sum(y["total_eur"] for y in yearly), 2),
        "capex_per_new_camera_eur": round(capex_new_sites / n_new, 2) if n_new else None,
        "opex_per_camera_year_eur": round(last["opex_eur"] / cameras, 2) if cameras else None,
        "full_cost_per_camera_year_eur": round(annual_full / cameras, 2) if cameras else None,
        "amortisation_years": c.amortisation_years,
        "reference_year": ref_year,
        "benchmarks": {k: {"value": v, "unit": u, "source": s}
                       for k, (v, u, s) in BENCHMARKS.items()},
        "conventions": [
            "Une caméra mise en service une année compte pour l'année entière.",
            "Coût de phasage d'un site = site (matériel, pose, transmission) + part de stockage "
            "+ part de poste CSU.",
            "Maintenance = taux × (valeur du parc existant + investissement des nouveaux sites).",
            "Coût complet annuel par caméra = (investissement du parc / durée d'amortissement "
            "+ fonctionnement de la dernière année) / caméras.",
        ],
    }
