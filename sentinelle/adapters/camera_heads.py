"""Registry cameras as `geo` head arrays, with the distance each head watches to.

Distance rule, per head: the DORI distance of `level` when a level is asked for and the
lens is known (focal, sensor width, image width); otherwise the head's own `range_m` when it
has one; otherwise the DORI *observe* distance of its lens. A camera is ``ok`` when every
head has a field of view (azimuth, or all around) and a distance; otherwise its status is
``unknown_geometry`` and it gets no visibility.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from sentinelle.errors import InputError
from sentinelle.geo.crs import MetricFrame
from sentinelle.geo.dori import PPM, Level, dori_distance_m
from sentinelle.geo.visibility import Heads
from sentinelle.registry.camera import Camera

__all__ = ["CameraHeads", "heads_from_cameras", "read_cameras_geojson"]

STATUS_OK = "ok"
STATUS_UNKNOWN = "unknown_geometry"


@dataclass(frozen=True)
class CameraHeads:
    """The heads of the cameras that have a known geometry, and each camera's status."""

    heads: Heads  # `group` indexes `camera_ids`
    camera_ids: list[str]
    status: list[str]  # "ok" or "unknown_geometry", per camera
    dori_m: dict[Level, NDArray]  # per camera, the longest head's distance; NaN if no lens


def _head_range(h, level: Level | None) -> float | None:
    if level is not None and h.has_lens:
        return float(dori_distance_m(h.focal_mm, h.image_width_px, h.sensor_width_mm, PPM[level]))
    if h.range_m is not None:
        return float(h.range_m)
    if h.has_lens:
        ppm = PPM[Level.observe]
        return float(dori_distance_m(h.focal_mm, h.image_width_px, h.sensor_width_mm, ppm))
    return None


def heads_from_cameras(
    cameras: Sequence[Camera], frame: MetricFrame, *, level: Level | None = None
) -> CameraHeads:
    """Head arrays for `cameras` in `frame` (see the module docstring for distances)."""
    rows: list[tuple[int, float, float, float, float, float, float]] = []
    status: list[str] = []
    dori = {lv: np.full(len(cameras), np.nan) for lv in Level}
    for ci, cam in enumerate(cameras):
        for lv, ppm in PPM.items():
            d = [
                float(dori_distance_m(h.focal_mm, h.image_width_px, h.sensor_width_mm, ppm))
                for h in cam.heads
                if h.has_lens
            ]
            if d:
                dori[lv][ci] = max(d)
        ranges = [_head_range(h, level) for h in cam.heads]
        if not cam.geometry_known or any(r is None for r in ranges):
            status.append(STATUS_UNKNOWN)
            continue
        status.append(STATUS_OK)
        for h, r in zip(cam.heads, ranges, strict=True):
            nan = float("nan")
            rows.append(
                (
                    ci,
                    nan if h.azimuth_deg is None else h.azimuth_deg,
                    h.hfov_deg if h.hfov_deg is not None else nan,
                    float(r),  # type: ignore[arg-type]
                    nan if h.pan_min_deg is None else h.pan_min_deg,
                    nan if h.pan_max_deg is None else h.pan_max_deg,
                    0.0,
                )
            )
    arr = np.array(rows, float).reshape(-1, 7)
    group = arr[:, 0].astype(int)
    lon = np.array([cameras[g].lon for g in group], float)
    lat = np.array([cameras[g].lat for g in group], float)
    x, y = frame.to_metric(lon, lat)
    az = arr[:, 1]
    fov = arr[:, 2]
    # An all-around head needs no azimuth: any bearing will do.
    az = np.where(np.isnan(az) & ((fov >= 360) | np.isfinite(arr[:, 4])), 0.0, az)
    heads = Heads.build(
        x, y, azimuth_deg=az, hfov_deg=fov, range_m=arr[:, 3],
        pan_min_deg=arr[:, 4], pan_max_deg=arr[:, 5], group=group, frame=frame,
    ) if len(rows) else Heads.build(
        np.empty(0), np.empty(0), azimuth_deg=np.empty(0), hfov_deg=np.empty(0),
        range_m=np.empty(0), group=np.empty(0, int),
    )
    return CameraHeads(heads, [c.id for c in cameras], status, dori)


def read_cameras_geojson(path: str | Path) -> list[Camera]:
    """Cameras from a GeoJSON FeatureCollection of Points (properties: registry fields).

    A stand-in for the registry's own GeoJSON reader in the stateless file mode of
    ``sentinelle coverage``: each feature's properties go to `Camera.from_record` (a
    ``heads`` list, or head fields at top level for a single head), with ``lon``/``lat``
    from the Point.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.at(str(p), None, None, "file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError.at(str(p), None, None, f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError.at(str(p), None, None, "not a GeoJSON FeatureCollection")
    cams: list[Camera] = []
    for i, feat in enumerate(data.get("features") or [], start=1):
        geom = (feat or {}).get("geometry") or {}
        if geom.get("type") != "Point":
            raise InputError.at(str(p), i, "geometry", "a camera is a Point")
        props = dict(feat.get("properties") or {})
        props.setdefault("id", feat.get("id"))
        props["lon"], props["lat"] = geom["coordinates"][:2]
        try:
            cams.append(Camera.from_record(props))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"]) or None
            raise InputError.at(str(p), i, field, err["msg"]) from None
        except ValueError as exc:
            raise InputError.at(str(p), i, None, str(exc)) from None
    return cams
