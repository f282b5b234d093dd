"""Coverage figures from visibility polygons: streets, intersections, zones, dwellings.

Everything is metric and vectorised through `STRtree.query` in bulk, which returns
(polygon, feature) index pairs; pairwise shapely operations then run over those pairs.

- *Street length covered*: the length of street centre line inside the union of the
  cameras' visible ground. *Overlap* is the mean number of cameras that see a covered
  metre: the sum over cameras of the street length each sees, over the length covered.
- *Zones*: street length and covered length inside each zone, and the number of cameras
  whose visible ground reaches into the zone.
- *Dwellings*: the façade of each dwelling building that a camera's visible ground touches
  (within `tolerance_m`), per (camera, building) pair: what the privacy masks must hide.
- *Coverage matrix*: the length (or area) of each demand cell inside each candidate's
  visible ground, as a sparse matrix for the siting solver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from sentinelle.geo.visibility import (
    Heads,
    Obstacles,
    Visibility,
    compute_visibility,
    union_by_group,
)

__all__ = [
    "CoverageMatrix",
    "DwellingReach",
    "NetworkCoverage",
    "candidate_coverage",
    "ZoneCoverage",
    "coverage_matrix",
    "dwellings_reached",
    "network_coverage",
    "street_cells",
    "zone_coverage",
]


@dataclass(frozen=True)
class NetworkCoverage:
    """Coverage of the whole street network by a set of cameras."""

    street_m: float
    covered_m: float
    covered_pct: float
    intersections: int
    intersections_covered: int
    visible_area_m2: float
    overlap: float  # cameras per covered metre
    covered_streets: NDArray  # covered part of each street (metric lines, may be empty)
    camera_street_m: NDArray  # street length each camera sees

    def as_dict(self) -> dict[str, float | int]:
        return {
            "street_m": round(self.street_m, 1),
            "covered_m": round(self.covered_m, 1),
            "covered_pct": round(self.covered_pct, 2),
            "intersections": self.intersections,
            "intersections_covered": self.intersections_covered,
            "visible_area_m2": round(self.visible_area_m2, 1),
            "overlap": round(self.overlap, 3),
        }


def _pairs(tree_geoms: NDArray, query: NDArray, predicate: str = "intersects") -> tuple:
    if tree_geoms.size == 0 or query.size == 0:
        return np.empty(0, int), np.empty(0, int)
    qi, ti = shapely.STRtree(tree_geoms).query(query, predicate=predicate)
    return qi, ti


def network_coverage(
    visibility: ArrayLike,
    streets: ArrayLike,
    *,
    intersections: ArrayLike | None = None,
) -> NetworkCoverage:
    """Street length, intersections and area covered by the cameras' visible ground.

    Parameters
    ----------
    visibility
        One polygon per camera (metric; empty where nothing is seen).
    streets
        Street centre lines counted (metric).
    intersections
        Intersection points (metric).
    """
    vis = np.asarray(visibility, dtype=object)
    lines = np.asarray(streets, dtype=object)
    pts = np.asarray(intersections if intersections is not None else [], dtype=object)
    street_m = float(shapely.length(lines).sum()) if lines.size else 0.0
    vi, si = _pairs(lines, vis)
    pieces = shapely.intersection(lines[si], vis[vi]) if vi.size else np.empty(0, object)
    piece_m = shapely.length(pieces) if vi.size else np.empty(0)
    camera_m = np.bincount(vi, weights=piece_m, minlength=vis.size)
    covered = union_by_group(pieces, si, lines.size) if lines.size else np.empty(0, object)
    covered_m = float(shapely.length(covered).sum()) if lines.size else 0.0
    _, pi = _pairs(pts, vis)
    n_cov = int(np.unique(pi).size)
    area = float(shapely.area(shapely.union_all(vis))) if vis.size else 0.0
    return NetworkCoverage(
        street_m=street_m,
        covered_m=covered_m,
        covered_pct=100.0 * covered_m / street_m if street_m else 0.0,
        intersections=int(pts.size),
        intersections_covered=n_cov,
        visible_area_m2=area,
        overlap=float(camera_m.sum() / covered_m) if covered_m else 0.0,
        covered_streets=covered,
        camera_street_m=camera_m,
    )


@dataclass(frozen=True)
class ZoneCoverage:
    """Per-zone figures, one entry per zone."""

    street_m: NDArray
    covered_m: NDArray
    cameras: NDArray  # cameras whose visible ground reaches into the zone

    @property
    def covered_pct(self) -> NDArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.street_m > 0, 100.0 * self.covered_m / self.street_m, 0.0)


def zone_coverage(
    zones: ArrayLike,
    streets: ArrayLike,
    covered_streets: ArrayLike,
    visibility: ArrayLike,
    *,
    street_m: ArrayLike | None = None,
) -> ZoneCoverage:
    """Street length, covered length and cameras of each zone (all metric).

    Parameters
    ----------
    zones
        Zone polygons.
    streets
        Street centre lines counted.
    covered_streets
        The covered part of each street (`NetworkCoverage.covered_streets`).
    visibility
        One polygon per camera.
    street_m
        Street length of each zone when already known (it does not depend on the cameras;
        pass it when recomputing often, e.g. for a map that follows a drag).
    """
    z = np.asarray(zones, dtype=object)
    lines = np.asarray(streets, dtype=object)
    cov = np.asarray(covered_streets, dtype=object)
    vis = np.asarray(visibility, dtype=object)
    if street_m is not None:
        street_m = np.asarray(street_m, dtype=float)
    else:
        zi, si = _pairs(lines, z)
        street_m = np.bincount(
            zi, weights=shapely.length(shapely.intersection(lines[si], z[zi])), minlength=z.size
        ) if zi.size else np.zeros(z.size)
    cov = np.where(shapely.is_empty(cov), None, cov) if cov.size else cov
    zi, ci = _pairs(cov, z)
    covered_m = np.bincount(
        zi, weights=shapely.length(shapely.intersection(cov[ci], z[zi])), minlength=z.size
    ) if zi.size else np.zeros(z.size)
    vis_nonempty = np.where(shapely.is_empty(vis), None, vis) if vis.size else vis
    zi, _ = _pairs(vis_nonempty, z)
    cams = np.bincount(zi, minlength=z.size)
    return ZoneCoverage(street_m=street_m, covered_m=covered_m, cameras=cams)


@dataclass(frozen=True)
class DwellingReach:
    """Which camera's visible ground reaches which dwelling building, and how much façade.

    One entry per (camera, building) pair with at least `min_facade_m` of façade seen.
    """

    camera: NDArray
    building: NDArray
    facade_m: NDArray
    facade: NDArray  # the façade seen, metric lines

    def per_camera(self, n_cameras: int, dwellings: ArrayLike | None = None) -> dict:
        """Buildings reached and, with `dwellings` counts per building, dwellings reached."""
        out = {"buildings": np.bincount(self.camera, minlength=n_cameras)}
        if dwellings is not None:
            d = np.nan_to_num(np.asarray(dwellings, float)[self.building], nan=0.0)
            out["dwellings"] = np.bincount(self.camera, weights=d, minlength=n_cameras)
        return out


def dwellings_reached(
    visibility: ArrayLike,
    buildings: ArrayLike,
    is_dwelling: ArrayLike,
    *,
    tolerance_m: float = 0.05,
    min_facade_m: float = 1.0,
) -> DwellingReach:
    """The part of each camera's view that reaches dwellings: the façades it sees.

    Parameters
    ----------
    visibility
        One polygon per camera (metric).
    buildings
        Building footprints (metric).
    is_dwelling
        True for buildings that hold dwellings.
    tolerance_m
        A façade within this distance of the visible ground is seen (visibility polygons
        stop exactly on the walls; a larger tolerance also counts side walls near corners).
    min_facade_m
        Pairs that see less façade (a corner grazed) are left out.
    """
    vis = np.asarray(visibility, dtype=object)
    b = np.asarray(buildings, dtype=object)
    dw = np.flatnonzero(np.asarray(is_dwelling, bool))
    if vis.size == 0 or dw.size == 0:
        e = np.empty(0, int)
        return DwellingReach(e, e.copy(), np.empty(0), np.empty(0, object))
    vq = np.where(shapely.is_empty(vis), None, vis)
    vi, di = shapely.STRtree(b[dw]).query(vq, predicate="dwithin", distance=tolerance_m)
    bi = dw[di]
    facade = shapely.intersection(
        shapely.boundary(b[bi]), shapely.buffer(vis[vi], tolerance_m, quad_segs=2)
    )
    length = shapely.length(facade)
    keep = length >= min_facade_m
    return DwellingReach(vi[keep], bi[keep], length[keep], facade[keep])


@dataclass(frozen=True)
class CoverageMatrix:
    """Sparse candidates × cells coverage: how much of each cell each candidate sees.

    `covered` is in the cells' measure (metres for lines, m² for polygons); `cell_size`
    is each cell's full measure.
    """

    rows: NDArray
    cols: NDArray
    covered: NDArray
    cell_size: NDArray
    n_rows: int

    @property
    def n_cols(self) -> int:
        return int(self.cell_size.size)

    def fraction(self) -> NDArray:
        """Covered share of each entry's cell (0–1)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            size = self.cell_size[self.cols]
            return np.where(size > 0, self.covered / size, 0.0)

    def to_csr(self, *, min_fraction: float = 0.0, binary: bool = False) -> sparse.csr_matrix:
        """A CSR matrix of covered fractions (or 1 where at least `min_fraction` is seen)."""
        f = self.fraction()
        keep = f >= min_fraction if min_fraction > 0 else f > 0
        data = np.ones(int(keep.sum())) if binary else f[keep]
        return sparse.csr_matrix(
            (data, (self.rows[keep], self.cols[keep])), shape=(self.n_rows, self.n_cols)
        )


def coverage_matrix(visibility: ArrayLike, cells: ArrayLike) -> CoverageMatrix:
    """How much of each cell (line or polygon, metric) each visibility polygon covers.

    Parameters
    ----------
    visibility
        One polygon per candidate (e.g. `Visibility.by_camera` over candidate groups).
    cells
        Demand cells: street pieces (see `street_cells`) or polygons.
    """
    vis = np.asarray(visibility, dtype=object)
    c = np.asarray(cells, dtype=object)
    polygonal = bool(c.size) and bool(np.all(np.isin(shapely.get_type_id(c), [3, 6])))
    measure = shapely.area if polygonal else shapely.length
    vq = np.where(shapely.is_empty(vis), None, vis) if vis.size else vis
    vi, ci = _pairs(c, vq)
    amount = measure(shapely.intersection(c[ci], vis[vi])) if vi.size else np.empty(0)
    keep = amount > 0
    return CoverageMatrix(
        rows=vi[keep], cols=ci[keep], covered=amount[keep],
        cell_size=measure(c) if c.size else np.empty(0), n_rows=int(vis.size),
    )


def street_cells(
    streets: ArrayLike, *, max_length_m: float = 25.0
) -> tuple[NDArray, NDArray]:
    """Street pieces of at most `max_length_m`, and the street each comes from.

    Each line is densified to `max_length_m` and cut at every vertex, so a cell ends at a
    bend or junction vertex of the line or after at most `max_length_m`.
    """
    lines = np.asarray(streets, dtype=object)
    if lines.size == 0:
        return np.empty(0, object), np.empty(0, int)
    dense = shapely.segmentize(lines, max_length_m)
    coords, idx = shapely.get_coordinates(dense, return_index=True)
    same = idx[1:] == idx[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    seg = np.stack([a, b], axis=1).reshape(-1, 2)
    cells = shapely.linestrings(seg, indices=np.repeat(np.arange(len(a)), 2))
    return cells, idx[:-1][same]


def candidate_coverage(
    obstacles: Obstacles,
    heads: Heads,
    cells: ArrayLike,
    *,
    n_candidates: int | None = None,
    step_deg: float = 2.0,
    progress: Callable[[int], None] | None = None,
) -> tuple[CoverageMatrix, Visibility]:
    """Candidates × cells coverage matrix, occlusion included, in one vectorised pass.

    Each candidate (a site with a camera model and an orientation) is a group of heads:
    ``heads.group`` gives its row. Build the heads of all candidates at once with
    `Heads.build` (e.g. four 90° heads per multi-sensor candidate, one head per orientation
    for a fixed one), then call this once.

    Parameters
    ----------
    obstacles
        The base map's obstacles (`Basemap.obstacles`).
    heads
        Heads of every candidate, `group` = candidate index.
    cells
        Demand cells (e.g. `street_cells(basemap.public_streets)`), metric.
    n_candidates
        Number of rows (default: the largest group + 1).
    step_deg
        Arc step of the visibility polygons.
    progress
        Called with the number of heads done after each chunk.

    Returns
    -------
    matrix, visibility
        The sparse coverage (rows = candidates) and the per-head visibility.
    """
    vis = compute_visibility(obstacles, heads, step_deg=step_deg, progress=progress)
    polys, _ = vis.by_camera(n_candidates)
    return coverage_matrix(polys, cells), vis
