"""Synthetic incidents and investigations for the demo, with a known effect. NOT real crime data.

Rennes publishes no geolocated offences, so the demo evaluates a **synthetic** set, seeded and
generated here, and says so in every output (`SYNTHETIC_NOTE_FR`). Because the truth is known,
the demo doubles as a check: the estimators should find the effect that was planted.

Incidents. Over the extent of the evaluation areas (plus a margin), month by month:

- a background field of incidents: a base density per km² (higher in priority neighbourhoods,
  QPV), plus seeded hot spots (Gaussian bumps), drawn as a Poisson count per 25 m pixel;
- extra incidents inside each treated area (a lively square: a rate per month drawn per area);
- a seasonal cycle (more in summer) and a slow city-wide fall, shared by every place;
- from each area's installation month, incidents in the treated area are kept with probability
  ``effect`` (0.8: a 20 % fall) and in its buffer ring with probability ``buffer_effect``
  (above 1 would be displacement; it is drawn as extra incidents then).

Investigations: cases with a category, a date, and the four flags drawn with set rates
(footage requested, available when requested, useful when available, solved), and camera ids
of the cameras near which footage was sought.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import shapely

from sentinelle.evaluate.areas import BUFFER, TREATED, AreaSet
from sentinelle.evaluate.incidents import IncidentSet
from sentinelle.evaluate.usefulness import Case, CaseTable

SYNTHETIC_NOTE_FR = (
    "Données synthétiques : faute de faits géolocalisés publiés pour Rennes, ces incidents et "
    "ces enquêtes sont simulés (jeu reproductible, graine {seed}) avec un effet connu ; ils ne "
    "décrivent pas la délinquance réelle et ce document n'évalue pas les caméras de Rennes."
)
SYNTHETIC_NOTE_EN = (
    "Synthetic data: Rennes publishes no geolocated offences, so these incidents and "
    "investigations are simulated (reproducible, seed {seed}) with a known effect; they are not "
    "real crime data and this is not an evaluation of Rennes's cameras."
)
CATEGORIES = (
    ("vols sans violence", 0.42),
    ("dégradations", 0.22),
    ("vols avec violence", 0.12),
    ("violences physiques", 0.14),
    ("stupéfiants", 0.10),
)
DEFAULT_SEED = 20_100_301
_PIXEL_M = 25.0


@dataclass(frozen=True)
class SyntheticTruth:
    """What was planted: the rate ratio in treated areas and buffers from installation."""

    effect: float
    buffer_effect: float
    seed: int

    @property
    def note_fr(self) -> str:
        return SYNTHETIC_NOTE_FR.format(seed=self.seed)

    @property
    def note_en(self) -> str:
        return SYNTHETIC_NOTE_EN.format(seed=self.seed)


def _uniform_in(rng: np.random.Generator, geom: shapely.Geometry, n: int) -> np.ndarray:
    """``n`` points uniform in a polygon (rejection sampling, vectorised)."""
    out = np.empty((0, 2))
    if n == 0:
        return out
    xmin, ymin, xmax, ymax = shapely.bounds(geom)
    frac = max(shapely.area(geom) / max((xmax - xmin) * (ymax - ymin), 1e-9), 0.01)
    shapely.prepare(geom)
    while len(out) < n:
        m = int((n - len(out)) / frac * 1.3) + 8
        xy = np.column_stack([rng.uniform(xmin, xmax, m), rng.uniform(ymin, ymax, m)])
        inside = shapely.contains_xy(geom, xy[:, 0], xy[:, 1])
        out = np.concatenate([out, xy[inside]])
    return out[:n]


def synthetic_incidents(
    area_set: AreaSet,
    *,
    first_month: int,
    last_month: int,
    qpv: shapely.Geometry | None = None,
    effect: float = 0.8,
    buffer_effect: float = 1.0,
    seed: int = DEFAULT_SEED,
    margin_m: float = 2500.0,
    base_per_km2: float = 8.0,
    qpv_factor: float = 2.5,
    hot_spots: int = 60,
    site_rate: tuple[float, float] = (6.0, 12.0),
) -> tuple[IncidentSet, SyntheticTruth]:
    """A seeded synthetic incident set over the areas of ``area_set`` (module docstring).

    Parameters
    ----------
    area_set
        Treated areas and buffers (`sentinelle.evaluate.areas.treated_areas`).
    first_month, last_month
        Month indices (``year * 12 + month - 1``) of the period.
    qpv
        Union of the priority neighbourhoods (metric), where the base density is higher.
    effect
        Rate ratio planted in treated areas from their installation month.
    buffer_effect
        Rate ratio planted in buffer rings (1: no displacement, no diffusion).
    seed
        The random seed (the set is the same for the same seed and inputs).
    margin_m
        Margin around the areas' extent.
    base_per_km2
        Background incidents per km² and month.
    qpv_factor
        Multiplier of the background density in QPV.
    hot_spots
        Number of background hot spots.
    site_rate
        Range of the extra incidents per month in each treated area.

    Returns
    -------
    tuple[IncidentSet, SyntheticTruth]
        The incidents (``synthetic=True``) and what was planted.
    """
    rng = np.random.default_rng(seed)
    frame = area_set.frame
    treated = area_set.of_role(TREATED)
    buffers = area_set.of_role(BUFFER)
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.array([a.geometry for a in treated]))
    xmin, ymin, xmax, ymax = xmin - margin_m, ymin - margin_m, xmax + margin_m, ymax + margin_m
    xs = np.arange(xmin, xmax, _PIXEL_M) + _PIXEL_M / 2
    ys = np.arange(ymin, ymax, _PIXEL_M) + _PIXEL_M / 2
    gx, gy = np.meshgrid(xs, ys)
    px_km2 = (_PIXEL_M / 1000) ** 2
    density = np.full(gx.shape, base_per_km2)
    if qpv is not None and not shapely.is_empty(qpv):
        density[shapely.contains_xy(qpv, gx, gy)] *= qpv_factor
    cx = rng.uniform(xmin, xmax, hot_spots)
    cy = rng.uniform(ymin, ymax, hot_spots)
    peak = rng.uniform(40.0, 250.0, hot_spots)
    sigma = rng.uniform(80.0, 250.0, hot_spots)
    for k in range(hot_spots):
        density += peak[k] * np.exp(-((gx - cx[k]) ** 2 + (gy - cy[k]) ** 2) / (2 * sigma[k] ** 2))
    rate_px = (density * px_km2).ravel()
    months = np.arange(first_month, last_month + 1)
    t = months - first_month
    season = np.exp(0.15 * np.sin(2 * np.pi * ((months % 12) - 3) / 12) - 0.002 * t)

    xy_parts, month_parts = [], []
    for m, s in zip(months, season, strict=True):
        n_px = rng.poisson(rate_px * s)
        idx = np.repeat(np.arange(rate_px.size), n_px)
        xy = np.column_stack([gx.ravel()[idx], gy.ravel()[idx]])
        xy += rng.uniform(-_PIXEL_M / 2, _PIXEL_M / 2, xy.shape)
        xy_parts.append(xy)
        month_parts.append(np.full(len(xy), m))
    extra = rng.uniform(*site_rate, len(treated))
    for a, r in zip(treated, extra, strict=True):
        n = rng.poisson(r * season)
        xy_parts.append(_uniform_in(rng, a.geometry, int(n.sum())))
        month_parts.append(np.repeat(months, n))
    if buffer_effect > 1:  # displacement: extra incidents in the buffer after installation
        for b in buffers:
            after = months >= b.treated_from
            base = rate_px.sum() / rate_px.size / px_km2 * shapely.area(b.geometry) / 1e6
            n = rng.poisson(base * (buffer_effect - 1) * season * after)
            xy_parts.append(_uniform_in(rng, b.geometry, int(n.sum())))
            month_parts.append(np.repeat(months, n))
    xy = np.concatenate(xy_parts)
    month = np.concatenate(month_parts)

    # The planted effect: thinning from the installation month.
    keep = np.ones(len(xy), dtype=bool)
    pts = shapely.points(xy)
    for areas, ratio in ((treated, effect), (buffers, min(buffer_effect, 1.0))):
        if ratio >= 1.0 or not areas:
            continue
        tree = shapely.STRtree(np.array([a.geometry for a in areas]))
        src, hit = tree.query(pts, predicate="intersects")
        starts = np.array([a.treated_from for a in areas])
        after = month[src] >= starts[hit]
        drop = src[after][rng.uniform(size=after.sum()) > ratio]
        keep[drop] = False
    xy, month = xy[keep], month[keep]
    order = np.argsort(month, kind="stable")
    xy, month = xy[order], month[order]

    first_days = np.array([date(m // 12, m % 12 + 1, 1).toordinal() for m in months])
    lengths = np.diff(np.append(first_days, date((last_month + 1) // 12,
                                                 (last_month + 1) % 12 + 1, 1).toordinal()))
    offset = month - first_month
    day_ord = first_days[offset] + np.floor(rng.uniform(size=len(month)) * lengths[offset])
    epoch = date(1970, 1, 1).toordinal()
    days = (day_ord.astype(np.int64) - epoch).astype("datetime64[D]")
    names, probs = zip(*CATEGORIES, strict=True)
    cats = rng.choice(np.array(names, dtype=object), size=len(month), p=np.array(probs))
    lon, lat = frame.to_wgs84(xy[:, 0], xy[:, 1])
    incidents = IncidentSet(
        source=f"incidents synthétiques (graine {seed})",
        days=days,
        categories=cats,
        points=shapely.points(np.column_stack([lon, lat])),
        from_zone=np.zeros(len(month), dtype=bool),
        synthetic=True,
    )
    incidents.remember_xy(frame, xy)
    return incidents, SyntheticTruth(effect, buffer_effect, seed)


def synthetic_cases(
    camera_ids: Sequence[str],
    *,
    first_day: date,
    last_day: date,
    n: int = 1500,
    seed: int = DEFAULT_SEED,
    p_requested: float = 0.12,
    p_available: float = 0.7,
    p_useful: float = 0.3,
    p_solved: float = 0.25,
    p_solved_if_useful: float = 0.6,
) -> CaseTable:
    """A seeded synthetic set of investigations (module docstring); ``source`` says it is
    synthetic."""
    rng = np.random.default_rng(seed + 1)
    names, probs = zip(*CATEGORIES, strict=True)
    span = (last_day - first_day).days
    cases = []
    for k in range(n):
        day = first_day + timedelta(days=int(rng.integers(0, span + 1)))
        requested = rng.uniform() < p_requested
        available = requested and rng.uniform() < p_available
        useful = available and rng.uniform() < p_useful
        solved = rng.uniform() < (p_solved_if_useful if useful else p_solved)
        cams: tuple[str, ...] = ()
        if requested and len(camera_ids):
            size = int(rng.integers(1, 3))
            cams = tuple(sorted(rng.choice(np.array(camera_ids, dtype=object), size=size,
                                           replace=False)))
        cases.append(Case(f"SYN-{k + 1:05d}", day, str(rng.choice(names, p=probs)), bool(solved),
                          bool(requested), bool(available), bool(useful), cams))
    return CaseTable(f"enquêtes synthétiques (graine {seed})", tuple(cases), True)
