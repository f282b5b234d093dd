"""The base map: streets, intersections, buildings and derived blocks, in one metric frame.

Real building footprints are used where they exist; elsewhere built blocks are derived from
the streets (`sentinelle.geo.blocks`), and a derived block that holds a real building is left
out. `Basemap.source` says what the occlusion stands on: ``buildings``, ``derived_blocks`` or
``mixed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import shapely
from numpy.typing import NDArray

from sentinelle.geo.blocks import derive_blocks, find_intersections, street_mask
from sentinelle.geo.crs import MetricFrame
from sentinelle.geo.layers import BuildingsLayer, StreetsLayer, dwelling_mask
from sentinelle.geo.visibility import Obstacles

__all__ = ["Basemap"]


def _empty() -> NDArray:
    return np.empty(0, dtype=object)


@dataclass(frozen=True)
class Basemap:
    """Everything coverage needs from the city, metric (see `frame`).

    Build it with `Basemap.from_layers` (files) or `Basemap.from_wgs84` (storage).
    """

    frame: MetricFrame
    streets: NDArray  # LineStrings
    highway: NDArray
    street_name: NDArray
    intersections: NDArray = field(default_factory=_empty)  # Points
    traffic_signals: NDArray = field(default_factory=_empty)  # Points
    buildings: NDArray = field(default_factory=_empty)  # Polygons / MultiPolygons
    building_id: NDArray = field(default_factory=_empty)
    building_height_m: NDArray = field(default_factory=lambda: np.empty(0))
    building_usage: NDArray = field(default_factory=_empty)
    building_dwellings: NDArray = field(default_factory=lambda: np.empty(0))
    blocks: NDArray = field(default_factory=_empty)  # derived blocks, Polygons
    attributions: tuple[str, ...] = ()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_layers(
        cls,
        streets: StreetsLayer | None,
        buildings: BuildingsLayer | None = None,
        *,
        frame: MetricFrame | None = None,
        derive: bool = True,
        half_width_m: Mapping[str, float] | None = None,
    ) -> Basemap:
        """Project the layers, find intersections and derive blocks where no building is.

        Parameters
        ----------
        streets
            The street layer (WGS84), or None for a buildings-only base map.
        buildings
            Building footprints (WGS84).
        frame
            Metric frame; by default chosen from the data's bounds.
        derive
            Derive built blocks from the streets where no building stands.
        half_width_m
            Overrides of the street half-widths used to set blocks back.
        """
        if streets is None and buildings is None:
            msg = "a base map needs streets or buildings"
            raise ValueError(msg)
        if frame is None:
            src = streets.lines if streets is not None else buildings.polygons  # type: ignore[union-attr]
            frame = MetricFrame.for_bounds(tuple(shapely.total_bounds(src)))
        attributions: list[str] = []
        if streets is not None:
            lines = frame.project(streets.lines)
            hw, names = streets.highway, streets.name
            signals = frame.project(streets.points[streets.point_highway == "traffic_signals"])
            attributions.append(streets.attribution)
        else:
            lines, hw, names, signals = _empty(), _empty(), _empty(), _empty()
        if buildings is not None:
            bpolys = frame.project(buildings.polygons)
            if buildings.attribution:
                attributions.append(buildings.attribution)
        else:
            bpolys = _empty()
        blocks = (
            derive_blocks(lines, hw, buildings=bpolys, half_width_m=half_width_m)
            if derive and lines.size
            else _empty()
        )
        return cls(
            frame=frame,
            streets=lines,
            highway=np.asarray(hw, dtype=object),
            street_name=np.asarray(names, dtype=object),
            intersections=find_intersections(lines, hw) if lines.size else _empty(),
            traffic_signals=signals,
            buildings=bpolys,
            building_id=buildings.source_id if buildings is not None else _empty(),
            building_height_m=buildings.height_m if buildings is not None else np.empty(0),
            building_usage=buildings.usage if buildings is not None else _empty(),
            building_dwellings=buildings.dwellings if buildings is not None else np.empty(0),
            blocks=blocks,
            attributions=tuple(attributions),
        )

    @classmethod
    def from_wgs84(
        cls,
        *,
        streets: NDArray,
        highway: NDArray,
        street_name: NDArray,
        intersections: NDArray,
        traffic_signals: NDArray,
        buildings: NDArray,
        building_id: NDArray,
        building_height_m: NDArray,
        building_usage: NDArray,
        building_dwellings: NDArray,
        blocks: NDArray,
        attributions: tuple[str, ...] = (),
        frame: MetricFrame | None = None,
    ) -> Basemap:
        """A base map from stored WGS84 geometries (intersections and blocks already made)."""
        if frame is None:
            allg = np.concatenate([np.asarray(streets, object), np.asarray(buildings, object)])
            frame = MetricFrame.for_bounds(tuple(shapely.total_bounds(allg)))
        return cls(
            frame=frame,
            streets=frame.project(np.asarray(streets, object)),
            highway=np.asarray(highway, object),
            street_name=np.asarray(street_name, object),
            intersections=frame.project(np.asarray(intersections, object)),
            traffic_signals=frame.project(np.asarray(traffic_signals, object)),
            buildings=frame.project(np.asarray(buildings, object)),
            building_id=np.asarray(building_id, object),
            building_height_m=np.asarray(building_height_m, float),
            building_usage=np.asarray(building_usage, object),
            building_dwellings=np.asarray(building_dwellings, float),
            blocks=frame.project(np.asarray(blocks, object)),
            attributions=tuple(attributions),
        )

    # -- derived ------------------------------------------------------------------------

    @property
    def source(self) -> str:
        """``buildings``, ``derived_blocks`` or ``mixed``: what the occlusion stands on."""
        has_b, has_d = self.buildings.size > 0, self.blocks.size > 0
        if has_b and has_d:
            return "mixed"
        return "derived_blocks" if has_d else "buildings"

    @cached_property
    def obstacles(self) -> Obstacles:
        """Dissolved footprints with their edges and spatial indexes (built once)."""
        return Obstacles.from_footprints(
            self.buildings if self.buildings.size else None,
            self.blocks if self.blocks.size else None,
            default_source="buildings" if self.source == "buildings" else "derived_blocks",
        )

    @cached_property
    def public_streets(self) -> NDArray:
        """Street lines counted in coverage figures (not construction, platforms...)."""
        if self.streets.size == 0:
            return _empty()
        return self.streets[street_mask(self.highway)]

    @property
    def is_dwelling(self) -> NDArray:
        """True for buildings that hold dwellings (a count > 0 or a residential usage)."""
        return dwelling_mask(self.building_usage, self.building_dwellings)
