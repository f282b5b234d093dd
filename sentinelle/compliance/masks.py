"""Privacy masks: which dwellings each camera's view reaches, and whether masks cover them.

CSI L251-3 forbids showing the inside of dwellings and, specifically, their entrances; the CNIL
wants those zones masked irreversibly (LEGAL.md R07, R08). Dwellings come from the base map:
buildings with a dwelling count (the La Motte Brûlon footprints carry ``nb_maison`` /
``nb_appart``) or a residential usage, or a layer the city imports as buildings.

A mask is a ground polygon (WGS84) tied to one camera: the part of the scene the camera must
never show (configured on the camera or the encoder). A façade seen by the camera is covered
when it lies inside the union of that camera's masks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from sentinelle.geo.basemap import Basemap
from sentinelle.registry.camera import Camera

#: Façade seen but not masked below this length (metres) is ignored (a corner grazed).
MIN_UNMASKED_M = 1.0
#: A suggested mask extends this far beyond the façade seen (entrances, balconies).
SUGGESTED_MARGIN_M = 2.0
#: Cameras farther than this from every dwelling are not computed (metres).
MAX_REACH_M = 600.0


class MaskMode:
    """Where a mask is applied (R08): only on-camera or encoder masks are irreversible."""

    on_camera = "on_camera"
    encoder = "encoder"
    overlay = "overlay"  # software overlay only: not irreversible

    ALL = ("on_camera", "encoder", "overlay")


@dataclass(frozen=True)
class Mask:
    """One privacy mask of one camera."""

    id: int
    camera_id: str
    geometry: BaseGeometry  # WGS84 polygon
    mode: str
    note: str | None
    added_at: datetime
    added_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "camera_id": self.camera_id,
            "geometry": shapely.geometry.mapping(self.geometry), "mode": self.mode,
            "note": self.note, "added_at": self.added_at.isoformat(), "added_by": self.added_by,
        }


@dataclass(frozen=True)
class DwellingView:
    """A dwelling building reached by one camera's view."""

    camera_id: str
    building_id: str
    dwellings: float | None  # number of dwellings when known
    facade_m: float  # façade length seen (metres)
    facade: BaseGeometry  # the façade seen, WGS84 lines
    building: BaseGeometry  # the footprint, WGS84

    def suggested_mask(self) -> BaseGeometry:
        """A mask polygon covering the façade seen and the building (WGS84)."""
        lon0, lat0 = self.facade.centroid.x, self.facade.centroid.y
        fwd, inv = _local(lon0, lat0)
        margin = shapely.buffer(shapely.transform(self.facade, fwd), SUGGESTED_MARGIN_M)
        poly = shapely.union(margin, shapely.transform(self.building, fwd))
        return shapely.transform(poly, inv)


def _local(lon0: float, lat0: float) -> tuple[Any, Any]:
    """Forward and inverse local equirectangular projections around (lon0, lat0), metres."""
    kx = 111_320.0 * math.cos(math.radians(lat0))
    ky = 110_540.0

    def fwd(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([(xy[:, 0] - lon0) * kx, (xy[:, 1] - lat0) * ky])

    def inv(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([xy[:, 0] / kx + lon0, xy[:, 1] / ky + lat0])

    return fwd, inv


def unmasked_m(view: DwellingView, masks: Sequence[Mask]) -> float:
    """Length (metres) of the façade seen that no mask of the camera covers."""
    fwd, _ = _local(view.facade.centroid.x, view.facade.centroid.y)
    facade = shapely.transform(view.facade, fwd)
    if not masks:
        return float(facade.length)
    cover = shapely.union_all([shapely.transform(m.geometry, fwd) for m in masks])
    return float(shapely.difference(facade, shapely.buffer(cover, 0.05)).length)


def dwelling_views(cameras: Sequence[Camera], basemap: Basemap) -> dict[str, list[DwellingView]]:
    """For each camera, the dwelling buildings its view reaches (façades seen, WGS84).

    Cameras far from every dwelling are skipped (their list is empty); cameras whose field of
    view is unknown are left out of the result (R07 reports them as not checked).
    """
    from sentinelle.adapters.coverage_report import camera_visibility
    from sentinelle.geo.coverage import dwellings_reached

    out: dict[str, list[DwellingView]] = {c.id: [] for c in cameras if c.geometry_known}
    is_dw = np.asarray(basemap.is_dwelling, bool)
    if not out or basemap.buildings.size == 0 or not is_dw.any():
        return out
    dwell = basemap.buildings[is_dw]
    tree = shapely.STRtree(dwell)
    near: list[Camera] = []
    for c in cameras:
        if c.id not in out:
            continue
        x, y = basemap.frame.to_metric([c.lon], [c.lat])
        pt = shapely.points(float(x[0]), float(y[0]))
        if tree.query(pt, predicate="dwithin", distance=MAX_REACH_M).size:
            near.append(c)
    if not near:
        return out
    _, polys, _ = camera_visibility(near, basemap)
    reach = dwellings_reached(polys, basemap.buildings, is_dw)
    facades = basemap.frame.unproject(reach.facade) if len(reach.camera) else []
    feet = basemap.frame.unproject(basemap.buildings[reach.building]) if len(reach.camera) \
        else []
    counts = np.asarray(basemap.building_dwellings, float)
    for k in range(len(reach.camera)):
        cam = near[int(reach.camera[k])]
        b = int(reach.building[k])
        n = counts[b] if counts.size > b and not math.isnan(counts[b]) else None
        bid = basemap.building_id[b] if basemap.building_id.size > b else None
        out[cam.id].append(DwellingView(
            camera_id=cam.id, building_id=str(bid if bid is not None else f"#{b}"),
            dwellings=None if n is None else float(n), facade_m=float(reach.facade_m[k]),
            facade=facades[k], building=feet[k],
        ))
    return out


# -- image masks through a homography (sentinelle.vision.geometry) -----------------------------

def unmasked_in_image_m(view: DwellingView, geometries: Sequence[Any],
                        masks: Sequence[Mask] = ()) -> float:
    """Length (metres) of the façade seen that a calibrated head shows without an image mask.

    Each head geometry with a homography (`sentinelle.vision.geometry.HeadGeometry`) projects
    the façade seen (Lambert-93) into its image through the inverse homography, clipped to the
    ground the image shows (below the horizon); what its image masks (and the camera's ground
    masks) leave uncovered is projected back to the ground and measured. A stretch shown
    unmasked by several heads is counted once. Façade outside every image is not seen.
    """
    from pyproj import Transformer

    from sentinelle.vision.geometry import MAP_CRS

    to_l93 = Transformer.from_crs("EPSG:4326", MAP_CRS, always_xy=True)

    def l93(xy: np.ndarray) -> np.ndarray:
        x, y = to_l93.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    facade = shapely.transform(view.facade, l93)
    if masks:
        cover = shapely.union_all([shapely.transform(m.geometry, l93) for m in masks])
        facade = shapely.difference(facade, shapely.buffer(cover, 0.05))
    left = []
    for g in geometries:
        if not getattr(g, "has_homography", False) or facade.is_empty:
            continue
        part = shapely.intersection(facade, g.visible_ground())
        if part.is_empty:
            continue
        w, h = float(g.image_width), float(g.image_height)

        def to_img(xy: np.ndarray, g: Any = g, w: float = w, h: float = h) -> np.ndarray:
            return g.ground_to_image(xy) / np.array([w, h])

        def to_ground(xy: np.ndarray, g: Any = g, w: float = w, h: float = h) -> np.ndarray:
            return g.image_to_ground(xy * np.array([w, h]))

        img = shapely.intersection(shapely.transform(part, to_img), shapely.box(0, 0, 1, 1))
        if g.masks:
            img_cover = shapely.union_all([shapely.Polygon(m) for m in g.masks])
            img = shapely.difference(img, shapely.buffer(img_cover, 1e-4))
        if not img.is_empty:
            left.append(shapely.transform(img, to_ground))
    if not left:
        return 0.0
    return float(shapely.union_all(left).length)
