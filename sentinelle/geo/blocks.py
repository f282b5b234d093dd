"""What a street network tells about the city around it: built blocks and intersections.

Where no building footprints exist, the built blocks are derived from the streets: the
polygons that the street centre lines enclose (``shapely.polygonize`` of the noded network),
minus the street corridor, i.e. each street buffered by a half-width that depends on its OSM
class (`HALF_WIDTH_M`, façade to centre line). Dead ends enclose nothing and are ignored.
Blocks are an assumption, not a survey: a park or a square enclosed by streets becomes a
block too, which makes the occlusion conservative there.

Intersections are the street nodes where three or more street ends meet (a way that passes
through counts twice), on the carriageway network (`INTERSECTION_EXCLUDED` classes left out).
All functions work in a metric CRS.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DEFAULT_HALF_WIDTH_M",
    "HALF_WIDTH_M",
    "INTERSECTION_EXCLUDED",
    "NOT_STREETS",
    "derive_blocks",
    "find_intersections",
    "half_widths",
    "street_mask",
]

# Half-width of the open street corridor, façade to centre line, by OSM highway class.
HALF_WIDTH_M: dict[str, float] = {
    "motorway": 15.0,
    "trunk": 12.0,
    "primary": 9.0,
    "secondary": 7.5,
    "tertiary": 6.5,
    "unclassified": 5.0,
    "residential": 5.0,
    "living_street": 4.0,
    "pedestrian": 5.0,
    "service": 3.5,
    "busway": 4.0,
    "track": 2.0,
    "footway": 1.5,
    "path": 1.5,
    "cycleway": 1.5,
    "bridleway": 1.5,
    "steps": 1.5,
    "corridor": 1.0,
}
DEFAULT_HALF_WIDTH_M = 4.0
# Lines tagged highway=* that are no public street.
NOT_STREETS = frozenset({"construction", "proposed", "abandoned", "razed", "platform", "raceway"})
# Not counted when looking for intersections (footpaths cross everywhere).
INTERSECTION_EXCLUDED = NOT_STREETS | {
    "footway", "path", "cycleway", "bridleway", "steps", "track", "corridor", "service",
}


def _base_class(highway: str | None) -> str:
    h = (highway or "").strip()
    return h[: -len("_link")] if h.endswith("_link") else h


def street_mask(highway: ArrayLike, *, exclude: frozenset[str] = NOT_STREETS) -> NDArray:
    """True for lines that are public streets (not under construction, not platforms...)."""
    return np.array([_base_class(h) not in exclude for h in np.asarray(highway, object)], bool)


def half_widths(
    highway: ArrayLike, *, half_width_m: Mapping[str, float] | None = None
) -> NDArray:
    """The half-width of each line, by class (links as their main class)."""
    table = {**HALF_WIDTH_M, **(half_width_m or {})}
    return np.array(
        [table.get(_base_class(h), DEFAULT_HALF_WIDTH_M) for h in np.asarray(highway, object)],
        float,
    )


def derive_blocks(
    lines: ArrayLike,
    highway: ArrayLike,
    *,
    buildings: ArrayLike | None = None,
    half_width_m: Mapping[str, float] | None = None,
    min_area_m2: float = 30.0,
    simplify_m: float = 0.5,
) -> NDArray:
    """Built blocks enclosed by the streets, set back from each street by its half-width.

    Parameters
    ----------
    lines
        Street centre lines, metric.
    highway
        OSM class of each line.
    buildings
        Real footprints, metric: a block that holds one (its representative point) is left
        out, the buildings standing for it.
    half_width_m
        Overrides of `HALF_WIDTH_M`.
    min_area_m2
        Smaller pieces are dropped (slivers between close streets).
    simplify_m
        Simplification tolerance of the block outlines.

    Returns
    -------
    NDArray
        Block polygons, metric.
    """
    lines = np.asarray(lines, dtype=object)
    hw = np.asarray(highway, dtype=object)
    keep = street_mask(hw)
    lines, hw = lines[keep], hw[keep]
    if lines.size == 0:
        return np.empty(0, dtype=object)
    noded = shapely.get_parts(shapely.union_all(lines))
    faces = shapely.get_parts(shapely.polygonize(noded))
    if faces.size == 0:
        return np.empty(0, dtype=object)
    road = shapely.union_all(
        shapely.buffer(lines, half_widths(hw, half_width_m=half_width_m), quad_segs=2)
    )
    blocks = shapely.get_parts(shapely.difference(shapely.union_all(faces), road))
    blocks = blocks[shapely.get_type_id(blocks) == 3]
    blocks = shapely.simplify(blocks, simplify_m)
    blocks = blocks[shapely.area(blocks) >= min_area_m2]
    if buildings is not None and len(np.asarray(buildings, dtype=object)):
        reps = shapely.point_on_surface(np.asarray(buildings, dtype=object))
        bi, _ = shapely.STRtree(reps).query(blocks, predicate="contains")
        blocks = np.delete(blocks, np.unique(bi))
    return blocks


def find_intersections(
    lines: ArrayLike,
    highway: ArrayLike,
    *,
    exclude: frozenset[str] = INTERSECTION_EXCLUDED,
    grid_m: float = 0.01,
) -> NDArray:
    """Points where three or more street ends meet (vertices shared by the street lines).

    Parameters
    ----------
    lines
        Street centre lines, metric; junctions are shared vertices, as in OSM.
    highway
        OSM class of each line.
    exclude
        Classes left out.
    grid_m
        Vertices closer than this are the same node.
    """
    lines = np.asarray(lines, dtype=object)
    keep = street_mask(highway, exclude=exclude)
    lines = lines[keep]
    if lines.size == 0:
        return np.empty(0, dtype=object)
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    n_per = np.bincount(idx, minlength=lines.size)
    first = np.concatenate([[0], np.cumsum(n_per)[:-1]])
    pos = np.arange(idx.size) - first[idx]
    end = (pos == 0) | (pos == n_per[idx] - 1)
    degree = np.where(end, 1, 2)
    # A closed way (a roundabout) passes through its first node: 1 + 1 = 2, no junction.
    key = np.round(coords / grid_m).astype(np.int64)
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    total = np.bincount(inverse.ravel(), weights=degree, minlength=len(uniq))
    nodes = uniq[total >= 3] * grid_m
    return shapely.points(nodes)
