"""One evaluation, end to end: areas, counts, every estimate, ready for the report.

`run_study` takes an area × month panel, or incidents and the registry's cameras (areas are
then drawn from the cameras' viewsheds, with buffers and matched controls), optionally
investigations, and runs every estimator of this package. `demo_study` does the same for the
Rennes demo with the synthetic incident set (`synthetic`), which it says everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import shapely

from sentinelle.errors import InputError
from sentinelle.evaluate.areas import (
    BUFFER,
    CONTROL,
    TREATED,
    AreaSet,
    before_after_counts,
    camera_viewsheds,
    match_controls,
    panel_from_incidents,
    treated_areas,
)
from sentinelle.evaluate.counts import CountsTable
from sentinelle.evaluate.displacement import DisplacementResult, estimate_displacement
from sentinelle.evaluate.effects import EffectsResult, estimate_effects
from sentinelle.evaluate.incidents import IncidentSet
from sentinelle.evaluate.panel import Panel
from sentinelle.evaluate.power import PowerResult, detectable_effects
from sentinelle.evaluate.staggered import StaggeredResult, estimate_staggered
from sentinelle.evaluate.synthetic import (
    DEFAULT_SEED,
    SyntheticTruth,
    synthetic_cases,
    synthetic_incidents,
)
from sentinelle.evaluate.usefulness import (
    CaseTable,
    CostBasis,
    UsefulnessResult,
    estimate_usefulness,
)
from sentinelle.registry.camera import Camera

DEMO_FIRST_MONTH = 2008 * 12  # January 2008
DEMO_LAST_MONTH = 2016 * 12 + 11  # December 2016


@dataclass(frozen=True)
class EvaluationStudy:
    """Every input and estimate of one evaluation (what the report shows)."""

    place: str
    panel: Panel
    staggered: StaggeredResult
    buffer_staggered: StaggeredResult | None = None
    counts: CountsTable | None = None
    effects: EffectsResult | None = None
    displacement: DisplacementResult | None = None
    power: PowerResult | None = None
    usefulness: UsefulnessResult | None = None
    area_set: AreaSet | None = None
    streets: np.ndarray | None = None  # metric, for maps
    incidents: int | None = None
    incidents_from_zones: int = 0
    truth: SyntheticTruth | None = None
    synthetic: bool = False
    synthetic_note_fr: str | None = None
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Everything as one JSON document (``evaluation.json`` beside the report)."""
        return {
            "place": self.place,
            "synthetic": self.synthetic,
            "synthetic_note": self.synthetic_note_fr,
            "truth": None if self.truth is None else {
                "effect": self.truth.effect, "buffer_effect": self.truth.buffer_effect,
                "seed": self.truth.seed},
            "panel": self.staggered.to_json(),
            "buffer_panel": None if self.buffer_staggered is None
            else self.buffer_staggered.to_json(),
            "effects": None if self.effects is None else self.effects.to_json(),
            "displacement": None if self.displacement is None else self.displacement.to_json(),
            "power": None if self.power is None else self.power.to_json(),
            "usefulness": None if self.usefulness is None else self.usefulness.to_json(),
            "areas": [] if self.area_set is None else [
                {"name": a.name, "role": a.role, "site": a.site,
                 "treated_from": None if a.treated_from is None else
                 f"{a.treated_from // 12:04d}-{a.treated_from % 12 + 1:02d}",
                 "area_m2": round(float(shapely.area(a.geometry)), 1),
                 "cameras": list(a.camera_ids), "zone_type": a.zone_type}
                for a in self.area_set.areas],
            "incidents": self.incidents,
            "notes": list(self.notes),
            "sources": list(self.sources),
            "params": self.params,
        }


def run_study(
    *,
    place: str,
    panel: Panel | None = None,
    incidents: IncidentSet | None = None,
    area_set: AreaSet | None = None,
    cases: CaseTable | None = None,
    cost: CostBasis | None = None,
    alpha: float = 0.05,
    bin_months: int = 1,
    pre_months: int = 12,
    post_months: int = 24,
    window_months: int = 12,
    first_month: int | None = None,
    last_month: int | None = None,
    streets: np.ndarray | None = None,
    truth: SyntheticTruth | None = None,
    synthetic_note_fr: str | None = None,
    sources: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> EvaluationStudy:
    """Run every estimator on a panel, or on incidents with evaluation areas.

    Parameters
    ----------
    place
        The city (titles).
    panel
        An area × month panel (then no map, no before/after table).
    incidents, area_set
        Incidents and areas with controls (`areas`), instead of ``panel``.
    cases, cost
        Investigations and the network's cost (usefulness), optional.
    alpha
        1 − confidence level of every interval.
    bin_months, pre_months, post_months
        Event study (see `estimate_staggered`).
    window_months
        Months before and after installation in the before/after table.
    first_month, last_month
        Period of the panel built from incidents (default: the incidents' span).
    streets
        Metric street lines for the maps.
    truth, synthetic_note_fr
        For a synthetic demo: what was planted, and the sentence said on every page.
    sources, notes
        Data sources and notes for the report.
    """
    all_notes = list(notes)
    counts = effects = displacement = power = buffer_res = None
    n_incidents = None
    zones_used = 0
    if panel is None:
        if incidents is None or area_set is None:
            msg = "give a panel, or incidents with evaluation areas"
            raise InputError(msg)
        panel = panel_from_incidents(incidents, area_set, first_month=first_month,
                                     last_month=last_month)
        buffer_panel = panel_from_incidents(incidents, area_set, first_month=first_month,
                                            last_month=last_month, roles=(BUFFER, CONTROL))
        buffer_res = estimate_staggered(buffer_panel, alpha=alpha, bin_months=bin_months,
                                        pre_months=pre_months, post_months=post_months)
        counts = before_after_counts(incidents, area_set, months=window_months)
        if len(counts):
            effects = estimate_effects(counts, alpha=alpha)
            displacement = estimate_displacement(counts, alpha=alpha)
            power = detectable_effects(counts, alpha=alpha)
        n_incidents = len(incidents)
        zones_used = incidents.n_zones
        all_notes.extend(area_set.notes)
    staggered = estimate_staggered(panel, alpha=alpha, bin_months=bin_months,
                                   pre_months=pre_months, post_months=post_months)
    synthetic = panel.synthetic or bool(incidents is not None and incidents.synthetic)
    usefulness = None
    if cases is not None:
        usefulness = estimate_usefulness(cases, cost=cost, alpha=alpha, synthetic=synthetic)
    return EvaluationStudy(
        place=place,
        panel=panel,
        staggered=staggered,
        buffer_staggered=buffer_res,
        counts=counts,
        effects=effects,
        displacement=displacement,
        power=power,
        usefulness=usefulness,
        area_set=area_set,
        streets=streets,
        incidents=n_incidents,
        incidents_from_zones=zones_used,
        truth=truth,
        synthetic=synthetic,
        synthetic_note_fr=synthetic_note_fr,
        notes=tuple(all_notes),
        sources=tuple(sources),
        params={"alpha": alpha, "bin_months": bin_months, "pre_months": pre_months,
                "post_months": post_months, "window_months": window_months},
    )


def areas_from_registry(
    cameras: Sequence[Camera],
    *,
    basemap: Any = None,
    frame: Any = None,
    incidents: IncidentSet,
    qpv: shapely.Geometry | None = None,
    controls: Sequence[Any] | None = None,
) -> AreaSet:
    """Treated areas, buffers and controls (given ones, or matched on ``incidents``)."""
    if frame is None:
        if basemap is None:
            from sentinelle.geo.crs import MetricFrame

            lon = np.mean([c.lon for c in cameras])
            lat = np.mean([c.lat for c in cameras])
            frame = MetricFrame.for_bounds((lon, lat, lon, lat))
        else:
            frame = basemap.frame
    viewsheds, how = camera_viewsheds(cameras, frame, basemap=basemap)
    area_set = treated_areas(cameras, viewsheds, frame, how=how)
    if controls:
        return area_set.with_controls(controls, f"{len(controls)} zones témoins choisies.")
    return match_controls(area_set, incidents, qpv=qpv)


def demo_study(
    db: Any,
    *,
    seed: int = DEFAULT_SEED,
    effect: float = 0.8,
    annual_cost_eur: float | None = None,
    bin_months: int = 3,
    margin_m: float = 2500.0,
) -> EvaluationStudy:
    """The Rennes demo evaluated on the synthetic incident set (it says so everywhere).

    Uses the registry and the base map stored by ``sentinelle demo``; cameras without a known
    installation date are left out (the notes name them). Period: 2008–2016, so that the
    waves of 2010 and 2012–2013 have years before and after. ``margin_m`` is how far around
    the treated areas incidents are simulated (smaller is faster).
    """
    from sentinelle.adapters.basemap_store import BasemapStore
    from sentinelle.demo import rennes
    from sentinelle.registry.store import Registry

    registry = Registry(db)
    cameras = registry.cameras()
    if not cameras:
        msg = "the registry has no cameras: run `sentinelle demo --no-serve` first"
        raise InputError(msg)
    basemap = BasemapStore(db).load()
    if basemap is not None:
        frame = basemap.frame
    else:
        from sentinelle.geo.crs import MetricFrame

        frame = MetricFrame.from_crs("EPSG:2154")
    zones = registry.zones()
    qpv_geoms = [z.geometry for z in zones if z.kind.value == "qpv"]
    qpv = (shapely.union_all(frame.project(np.array(qpv_geoms, dtype=object)))
           if qpv_geoms else None)
    viewsheds, how = camera_viewsheds(cameras, frame, basemap=basemap)
    area_set = treated_areas(cameras, viewsheds, frame, how=how)
    incidents, truth = synthetic_incidents(area_set, first_month=DEMO_FIRST_MONTH,
                                           last_month=DEMO_LAST_MONTH, qpv=qpv, effect=effect,
                                           seed=seed, margin_m=margin_m)
    area_set = match_controls(area_set, incidents, qpv=qpv)
    dated = [c.id for c in cameras if c.installed is not None]
    cases = synthetic_cases(dated, first_day=date(2014, 1, 1), last_day=date(2016, 12, 31),
                            seed=seed)
    cost = None if annual_cost_eur is None else CostBasis(annual_cost_eur, "given")
    sources = [
        "Caméras : sites rapportés par la presse et la Ville (positions approximatives, modèles "
        "supposés) — voir sentinelle/data/rennes/SOURCES.md.",
        "Fond de plan : © contributeurs OpenStreetMap (ODbL), 2013 ; QPV : ANCT.",
        f"Incidents et enquêtes : synthétiques, générés par sentinelle.evaluate.synthetic "
        f"(graine {seed}, effet planté {round((effect - 1) * 100):+d} %).",
    ]
    notes = [rennes.HONESTY_NOTE_FR]
    if basemap is None:
        notes.append("Pas de fond de plan : zones vues approchées par des cercles.")
    return run_study(
        place="Rennes",
        incidents=incidents,
        area_set=area_set,
        cases=cases,
        cost=cost,
        bin_months=bin_months,
        first_month=DEMO_FIRST_MONTH,
        last_month=DEMO_LAST_MONTH,
        streets=None if basemap is None else basemap.streets,
        truth=truth,
        synthetic_note_fr=truth.note_fr,
        sources=sources,
        notes=notes,
    )


def area_rows(study: EvaluationStudy) -> list[dict[str, Any]]:
    """Per treated area: name, installation month, cameras, counts (for the report's table)."""
    if study.area_set is None:
        return []
    panel = study.panel
    index = {name: i for i, name in enumerate(panel.areas)}
    rows = []
    for a in study.area_set.of_role(TREATED):
        i = index.get(a.name)
        total = int(panel.counts[i].sum()) if i is not None else 0
        controls = [c for c in study.area_set.of_role(CONTROL) if c.site == a.name]
        rows.append({
            "name": a.name,
            "treated_from": None if a.treated_from is None else
            f"{a.treated_from // 12:04d}-{a.treated_from % 12 + 1:02d}",
            "cameras": ", ".join(a.camera_ids),
            "area_m2": float(shapely.area(a.geometry)),
            "incidents": total,
            "controls": len(controls),
        })
    return rows
