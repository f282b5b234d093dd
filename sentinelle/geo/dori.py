"""DORI distances: how far a lens gives the pixel density of each observation level.

EN 62676-4:2015 names the levels by the pixel density they need on a target, in pixels per
metre: detect 25, observe 62.5, recognise 125, identify 250. The distance at which a lens
reaches a density follows from similar triangles::

    D = focal_mm × image_width_px / (sensor_width_mm × ppm)

and the horizontal field of view is ``2·atan(sensor_width_mm / (2·focal_mm))``.
All functions take scalars or arrays and return arrays; a missing lens value (NaN) gives NaN.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "PPM",
    "Level",
    "dori_distance_m",
    "dori_distances_m",
    "hfov_deg_from_lens",
    "parse_level",
]


class Level(StrEnum):
    """EN 62676-4 observation levels."""

    detect = "detect"
    observe = "observe"
    recognise = "recognise"
    identify = "identify"


PPM: dict[Level, float] = {
    Level.detect: 25.0,
    Level.observe: 62.5,
    Level.recognise: 125.0,
    Level.identify: 250.0,
}


def parse_level(value: str | Level) -> Level:
    """A `Level` from its name; the error lists the valid names."""
    try:
        return Level(value)
    except ValueError:
        valid = "', '".join(lv.value for lv in Level)
        msg = f"'{value}' is not a DORI level, must be one of '{valid}'"
        raise ValueError(msg) from None


def dori_distance_m(
    focal_mm: ArrayLike, image_width_px: ArrayLike, sensor_width_mm: ArrayLike, ppm: ArrayLike
) -> NDArray:
    """Distance in metres at which the lens gives `ppm` pixels per metre.

    Parameters
    ----------
    focal_mm
        Focal length of the lens.
    image_width_px
        Horizontal resolution of the sensor.
    sensor_width_mm
        Width of the sensor's active area.
    ppm
        Required pixel density (see `PPM`).
    """
    f = np.asarray(focal_mm, float)
    w = np.asarray(image_width_px, float)
    s = np.asarray(sensor_width_mm, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return f * w / (s * np.asarray(ppm, float))


def dori_distances_m(
    focal_mm: ArrayLike, image_width_px: ArrayLike, sensor_width_mm: ArrayLike
) -> dict[Level, NDArray]:
    """The distance of each level, as ``{Level: array}``."""
    return {
        lv: dori_distance_m(focal_mm, image_width_px, sensor_width_mm, ppm)
        for lv, ppm in PPM.items()
    }


def hfov_deg_from_lens(focal_mm: ArrayLike, sensor_width_mm: ArrayLike) -> NDArray:
    """Horizontal field of view in degrees: ``2·atan(sensor / (2·focal))``."""
    f = np.asarray(focal_mm, float)
    s = np.asarray(sensor_width_mm, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.degrees(2 * np.arctan(s / (2 * f)))
