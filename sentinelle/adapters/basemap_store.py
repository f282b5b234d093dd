"""The base map in the database: the only module that reads and writes its tables.

An import replaces the whole base map in one transaction (streets, nodes, buildings,
derived blocks and the layer records); a base map imported without buildings has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy import delete, insert, select

from sentinelle.db.basemap_tables import (
    BasemapLayerRow,
    BlockRow,
    BuildingRow,
    StreetNodeRow,
    StreetRow,
)
from sentinelle.db.engine import Database
from sentinelle.geo.basemap import Basemap
from sentinelle.geo.crs import MetricFrame
from sentinelle.geo.layers import json_value

__all__ = ["BasemapStore", "LayerInfo"]

_WKT_DIGITS = 7  # 1e-7 degree: about 1 cm


@dataclass(frozen=True)
class LayerInfo:
    layer: str
    source_file: str | None
    attribution: str | None
    feature_count: int
    crs: str | None
    imported_at: datetime


def _wkt(geoms: Any) -> list[str]:
    g = np.asarray(geoms, dtype=object)
    if g.size == 0:
        return []
    return list(shapely.to_wkt(g, rounding_precision=_WKT_DIGITS, trim=True))


def _none(v: Any) -> Any:
    v = json_value(v)
    return None if isinstance(v, float) and np.isnan(v) else v


class BasemapStore:
    """Base map storage on the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def replace(
        self,
        basemap: Basemap,
        *,
        source_files: dict[str, str | None] | None = None,
        attributions: dict[str, str | None] | None = None,
        building_properties: list[dict[str, Any]] | None = None,
        now: datetime | None = None,
    ) -> dict[str, int]:
        """Replace the stored base map with `basemap`; return the rows written per table.

        Parameters
        ----------
        basemap
            The base map (metric); geometries are stored in WGS84.
        source_files
            Source file name per layer (``streets``, ``buildings``).
        attributions
            Attribution (licence notice) per layer, e.g. OSM's ODbL notice for streets.
        building_properties
            The buildings' original fields, kept as JSON.
        now
            Import time (UTC).
        """
        now = now or datetime.now(UTC)
        source_files = source_files or {}
        attributions = attributions or {}
        f = basemap.frame
        crs = f"EPSG:{f.epsg}" if f.epsg else f.crs.to_string()[:40]
        streets = _wkt(f.unproject(basemap.streets))
        inters = _wkt(f.unproject(basemap.intersections))
        signals = _wkt(f.unproject(basemap.traffic_signals))
        buildings = _wkt(f.unproject(basemap.buildings))
        blocks = _wkt(f.unproject(basemap.blocks))
        props = building_properties or [{} for _ in buildings]
        with self.db.session() as s:
            for table in (StreetRow, StreetNodeRow, BuildingRow, BlockRow, BasemapLayerRow):
                s.execute(delete(table))
            if streets:
                s.execute(
                    insert(StreetRow),
                    [
                        {"highway": str(h)[:40], "name": _none(n), "geometry_wkt": w}
                        for h, n, w in zip(
                            basemap.highway, basemap.street_name, streets, strict=True
                        )
                    ],
                )
            nodes = [{"kind": "intersection", "geometry_wkt": w} for w in inters]
            nodes += [{"kind": "traffic_signals", "geometry_wkt": w} for w in signals]
            if nodes:
                s.execute(insert(StreetNodeRow), nodes)
            if buildings:
                s.execute(
                    insert(BuildingRow),
                    [
                        {
                            "source_id": _none(basemap.building_id[i]),
                            "height_m": _none(basemap.building_height_m[i]),
                            "usage": _none(basemap.building_usage[i]),
                            "dwellings": _none(basemap.building_dwellings[i]),
                            "geometry_wkt": w,
                            "properties": props[i],
                        }
                        for i, w in enumerate(buildings)
                    ],
                )
            if blocks:
                s.execute(insert(BlockRow), [{"geometry_wkt": w} for w in blocks])
            counts = {"streets": len(streets), "buildings": len(buildings), "blocks": len(blocks)}
            for name, count in counts.items():
                if count:
                    s.add(
                        BasemapLayerRow(
                            layer=name,
                            source_file=source_files.get(name),
                            attribution=attributions.get(name),
                            feature_count=count,
                            crs=crs,
                            imported_at=now,
                        )
                    )
        return {
            "streets": len(streets),
            "intersections": len(inters),
            "traffic_signals": len(signals),
            "buildings": len(buildings),
            "blocks": len(blocks),
        }

    def layers(self) -> list[LayerInfo]:
        with self.db.session() as s:
            rows = s.scalars(select(BasemapLayerRow).order_by(BasemapLayerRow.id)).all()
            return [
                LayerInfo(r.layer, r.source_file, r.attribution, r.feature_count, r.crs,
                          r.imported_at)
                for r in rows
            ]

    def load(self) -> Basemap | None:
        """The stored base map, or None when none was imported."""
        with self.db.session() as s:
            layers = {r.layer: r for r in s.scalars(select(BasemapLayerRow)).all()}
            if not layers:
                return None
            st = s.execute(
                select(StreetRow.highway, StreetRow.name, StreetRow.geometry_wkt).order_by(
                    StreetRow.id
                )
            ).all()
            nd = s.execute(
                select(StreetNodeRow.kind, StreetNodeRow.geometry_wkt).order_by(StreetNodeRow.id)
            ).all()
            bd = s.execute(
                select(
                    BuildingRow.source_id, BuildingRow.height_m, BuildingRow.usage,
                    BuildingRow.dwellings, BuildingRow.geometry_wkt,
                ).order_by(BuildingRow.id)
            ).all()
            bl = s.scalars(select(BlockRow.geometry_wkt).order_by(BlockRow.id)).all()
        crs = next((r.crs for r in layers.values() if r.crs), None)

        def geoms(wkts: list[str]) -> np.ndarray:
            return shapely.from_wkt(np.array(wkts, dtype=object)) if wkts else np.empty(0, object)

        kinds = np.array([r[0] for r in nd], dtype=object)
        node_g = geoms([r[1] for r in nd])
        attributions = tuple(
            r.attribution for name in ("streets", "buildings")
            if (r := layers.get(name)) is not None and r.attribution
        )
        return Basemap.from_wgs84(
            streets=geoms([r[2] for r in st]),
            highway=np.array([r[0] for r in st], dtype=object),
            street_name=np.array([r[1] for r in st], dtype=object),
            intersections=node_g[kinds == "intersection"] if nd else node_g,
            traffic_signals=node_g[kinds == "traffic_signals"] if nd else node_g,
            buildings=geoms([r[4] for r in bd]),
            building_id=np.array([r[0] for r in bd], dtype=object),
            building_height_m=np.array([np.nan if r[1] is None else r[1] for r in bd], float),
            building_usage=np.array([r[2] for r in bd], dtype=object),
            building_dwellings=np.array([np.nan if r[3] is None else r[3] for r in bd], float),
            blocks=geoms(list(bl)),
            attributions=attributions,
            frame=MetricFrame.from_crs(crs) if crs else None,
        )


def import_basemap_files(
    db: Database,
    streets: Path,
    buildings: Path | None = None,
    *,
    streets_attribution: str | None = None,
    buildings_attribution: str | None = None,
) -> dict[str, Any]:
    """Read street and building files, derive the base map and replace the stored one.

    Returns a summary: rows written per table, street length, dwelling buildings, occlusion
    source and CRS.
    """
    from sentinelle.geo.layers import OSM_ATTRIBUTION, read_buildings, read_streets

    streets_attribution = streets_attribution or OSM_ATTRIBUTION
    st = read_streets(streets)
    st = type(st)(**{**st.__dict__, "attribution": streets_attribution})
    bd = (
        read_buildings(buildings, attribution=buildings_attribution or buildings.name)
        if buildings
        else None
    )
    bm = Basemap.from_layers(st, bd)
    counts = BasemapStore(db).replace(
        bm,
        source_files={"streets": streets.name, "buildings": buildings.name if buildings else None},
        attributions={"streets": streets_attribution, "buildings": bd.attribution if bd else None},
        building_properties=bd.properties if bd else None,
    )
    return {
        **counts,
        "street_km": round(float(shapely.length(bm.public_streets).sum()) / 1000, 2),
        "dwelling_buildings": int(bm.is_dwelling.sum()),
        "source": bm.source,
        "crs": f"EPSG:{bm.frame.epsg}",
    }
