"""Fields of view: the angular sector a head watches, and its polygon on the ground.

A head looks along a bearing (`azimuth_deg`, clockwise from north) with a horizontal field
of view (`hfov_deg`). A PTZ head that may pan from `pan_min_deg` to `pan_max_deg` covers
everything it can be turned to: the sector from ``pan_min - hfov/2`` to
``pan_max + hfov/2`` (a pan range is read clockwise from `pan_min_deg`, so 300 → 60 crosses
north). A head whose field or pan sweep reaches 360° sees all around.

Sectors are described by a start bearing and a clockwise sweep, both in degrees; angles here
are whatever bearings the caller gives (grid bearings in a metric CRS: see
`MetricFrame.grid_bearing_deg`).
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

__all__ = ["head_sweep", "sector_polygons"]


def head_sweep(
    azimuth_deg: ArrayLike,
    hfov_deg: ArrayLike,
    *,
    pan_min_deg: ArrayLike | None = None,
    pan_max_deg: ArrayLike | None = None,
) -> tuple[NDArray, NDArray]:
    """Start bearing and clockwise sweep of each head's watched sector.

    Parameters
    ----------
    azimuth_deg
        Bearing of the optical axis; NaN is allowed where the sweep is a full circle.
    hfov_deg
        Horizontal field of view.
    pan_min_deg, pan_max_deg
        PTZ pan range, NaN where the head does not pan. Both or neither per head.

    Returns
    -------
    start_deg, sweep_deg
        Arrays; ``sweep_deg`` is capped at 360 (full circle, start 0).
    """
    az = np.atleast_1d(np.asarray(azimuth_deg, float))
    fov = np.atleast_1d(np.asarray(hfov_deg, float))
    az, fov = np.broadcast_arrays(az, fov)
    start = az - fov / 2
    sweep = fov.copy()
    if pan_min_deg is not None and pan_max_deg is not None:
        pmin = np.broadcast_to(np.asarray(pan_min_deg, float), az.shape)
        pmax = np.broadcast_to(np.asarray(pan_max_deg, float), az.shape)
        pans = np.isfinite(pmin) & np.isfinite(pmax)
        span = np.where(pans, (pmax - pmin) % 360.0, 0.0)
        # pan_max - pan_min == 360 (or more) means all around: `% 360` would give 0.
        span = np.where(pans & ((pmax - pmin) >= 360.0), 360.0, span)
        start = np.where(pans, pmin - fov / 2, start)
        sweep = np.where(pans, span + fov, sweep)
    full = sweep >= 360.0
    start = np.where(full, 0.0, start % 360.0)
    sweep = np.minimum(sweep, 360.0)
    return start, sweep


def sector_polygons(
    x: ArrayLike,
    y: ArrayLike,
    start_deg: ArrayLike,
    sweep_deg: ArrayLike,
    radius_m: ArrayLike,
    *,
    step_deg: float = 2.0,
) -> NDArray:
    """Sector polygons (no occlusion), one per head, vectorised.

    Parameters
    ----------
    x, y
        Apex of each sector, metric.
    start_deg, sweep_deg
        Start bearing and clockwise sweep (see `head_sweep`).
    radius_m
        Radius of each sector.
    step_deg
        Largest angle between two arc vertices.
    """
    x, y, start, sweep, r = (
        np.atleast_1d(np.asarray(v, float)) for v in (x, y, start_deg, sweep_deg, radius_m)
    )
    x, y, start, sweep, r = np.broadcast_arrays(x, y, start, sweep, r)
    n = x.size
    if n == 0:
        return np.empty(0, dtype=object)
    full = sweep >= 360.0
    k = np.maximum(np.ceil(sweep / step_deg).astype(int), 1) + 1  # arc vertices per sector
    k = np.where(full, k - 1, k)  # the closing vertex repeats the first one
    apex = (~full).astype(int)
    counts = k + apex
    owner = np.repeat(np.arange(n), counts)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(counts.sum()) - np.repeat(first, counts)  # index within the ring
    is_apex = (pos == 0) & (apex[owner] == 1)
    j = pos - apex[owner]  # index along the arc
    denom = np.where(full, k, k - 1)[owner]
    ang = np.radians(start[owner] + sweep[owner] * j / denom)
    px = np.where(is_apex, x[owner], x[owner] + r[owner] * np.sin(ang))
    py = np.where(is_apex, y[owner], y[owner] + r[owner] * np.cos(ang))
    rings = shapely.linearrings(np.column_stack([px, py]), indices=owner)
    return shapely.polygons(rings)
