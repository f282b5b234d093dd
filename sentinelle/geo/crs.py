"""The metric frame in which geometry is computed, and the way back to WGS84.

Exchange and display happen in WGS84 (EPSG:4326); lengths, areas and sight lines are
computed in metres in a projected CRS chosen for the data: Lambert-93 (EPSG:2154) when the
data lie in metropolitan France (the CRS's own area of use: -9.86, 41.15, 10.38, 51.56),
the local UTM zone elsewhere (the overseas departments lie outside Lambert-93's domain).

Azimuths stay true-north bearings everywhere in the public API. A projected CRS has its own
grid north, which differs from true north by the meridian convergence (about +3.4° at
Rennes in Lambert-93: true north points slightly east of grid north). `MetricFrame`
measures that angle numerically and turns true bearings into grid bearings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer

LAMBERT93 = "EPSG:2154"
WGS84 = "EPSG:4326"
LAMBERT93_BOUNDS = (-9.86, 41.15, 10.38, 51.56)  # EPSG:2154 area of use, lon/lat

__all__ = ["LAMBERT93", "WGS84", "MetricFrame", "metric_crs", "utm_epsg"]


def utm_epsg(lon: float, lat: float) -> int:
    """The EPSG code of the WGS84 UTM zone that holds (`lon`, `lat`)."""
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def metric_crs(lon: float, lat: float) -> CRS:
    """The metric CRS for data centred on (`lon`, `lat`): Lambert-93 or the UTM zone.

    Parameters
    ----------
    lon, lat
        A representative WGS84 point of the data (e.g. the centre of its bounds).
    """
    w, s, e, n = LAMBERT93_BOUNDS
    if w <= lon <= e and s <= lat <= n:
        return CRS.from_user_input(LAMBERT93)
    return CRS.from_epsg(utm_epsg(lon, lat))


@dataclass(frozen=True)
class MetricFrame:
    """A projected CRS in metres and the transforms to and from WGS84.

    Build it with `MetricFrame.for_bounds` (chooses the CRS for the data) or
    `MetricFrame.from_crs`.
    """

    crs: CRS
    _fwd: Transformer = field(repr=False, compare=False)
    _inv: Transformer = field(repr=False, compare=False)

    @classmethod
    def from_crs(cls, crs: CRS | str | int) -> MetricFrame:
        """A frame on a given projected CRS (checked to be projected, in metres)."""
        c = CRS.from_user_input(crs)
        if not c.is_projected:
            msg = f"CRS `{c.to_string()}` is not projected: geometry needs metres"
            raise ValueError(msg)
        return cls(
            crs=c,
            _fwd=Transformer.from_crs(WGS84, c, always_xy=True),
            _inv=Transformer.from_crs(c, WGS84, always_xy=True),
        )

    @classmethod
    def for_bounds(cls, bounds: tuple[float, float, float, float]) -> MetricFrame:
        """The frame for WGS84 data with `bounds` (minx, miny, maxx, maxy)."""
        minx, miny, maxx, maxy = bounds
        if not all(math.isfinite(v) for v in bounds):
            msg = f"bounds {bounds} are not finite: no data to choose a CRS from"
            raise ValueError(msg)
        return cls.from_crs(metric_crs((minx + maxx) / 2, (miny + maxy) / 2))

    @property
    def epsg(self) -> int | None:
        return self.crs.to_epsg()

    # -- points -------------------------------------------------------------------------

    def to_metric(self, lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
        """Project WGS84 longitudes and latitudes to metric x, y arrays."""
        x, y = self._fwd.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x, float), np.asarray(y, float)

    def to_wgs84(self, x: ArrayLike, y: ArrayLike) -> tuple[NDArray, NDArray]:
        """Metric x, y back to WGS84 longitudes and latitudes."""
        lon, lat = self._inv.transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon, float), np.asarray(lat, float)

    # -- geometries ---------------------------------------------------------------------

    def project(self, geoms: ArrayLike) -> NDArray:
        """WGS84 shapely geometries (one or an array) to the metric CRS."""
        return shapely.transform(geoms, self._fwd_xy)

    def unproject(self, geoms: ArrayLike) -> NDArray:
        """Metric shapely geometries (one or an array) back to WGS84."""
        return shapely.transform(geoms, self._inv_xy)

    def _fwd_xy(self, xy: NDArray) -> NDArray:
        x, y = self._fwd.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    def _inv_xy(self, xy: NDArray) -> NDArray:
        x, y = self._inv.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    # -- bearings -----------------------------------------------------------------------

    def convergence_deg(self, x: ArrayLike, y: ArrayLike) -> NDArray:
        """Grid bearing of true north at metric points (degrees, clockwise from grid north).

        Measured numerically: the point 1 m north along its meridian, projected back.
        Add it to a true-north bearing to get the grid bearing.
        """
        lon, lat = self.to_wgs84(x, y)
        dlat = 1.0 / 111_320.0
        x0, y0 = self.to_metric(lon, lat)
        x1, y1 = self.to_metric(lon, lat + dlat)
        return np.degrees(np.arctan2(x1 - x0, y1 - y0))

    def grid_bearing_deg(self, x: ArrayLike, y: ArrayLike, azimuth_deg: ArrayLike) -> NDArray:
        """Grid bearings (clockwise from grid north) of true-north bearings at metric points."""
        return (np.asarray(azimuth_deg, float) + self.convergence_deg(x, y)) % 360.0
