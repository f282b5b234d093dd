"""GeoPackage (for QGIS): a ``cameras`` point layer in WGS84, fields as in CSV.

``heads`` is a JSON text field and ``purposes`` a ``;``-separated list, as in CSV.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import shapely
from pyogrio import raw as ogr

from sentinelle.errors import InputError
from sentinelle.registry.camera import Camera
from sentinelle.registry.io.rows import SourceRow, apply_mapping
from sentinelle.registry.io.table import EXPORT_COLUMNS, camera_row

LAYER = "cameras"


def write_cameras(cameras: list[Camera], path: Path, *, secrets: bool = False) -> None:
    if path.exists():
        path.unlink()
    rows = [camera_row(c, secrets=secrets) for c in cameras]
    columns = [c for c in EXPORT_COLUMNS if c not in ("lon", "lat")]
    geoms = shapely.points([[c.lon, c.lat] for c in cameras]) if cameras else np.array([])
    field_data = []
    for col in columns:
        if col in ("height_m",):
            field_data.append(np.array([c.height_m if c.height_m is not None else np.nan
                                        for c in cameras], dtype="float64"))
        elif col == "retention_days":
            field_data.append(np.array([c.retention_days or 0 for c in cameras], dtype="int32"))
        else:
            field_data.append(np.array([str(r[col]) for r in rows], dtype=object))
    ogr.write(
        str(path),
        geometry=shapely.to_wkb(geoms) if len(cameras) else np.array([], dtype=object),
        field_data=field_data,
        fields=columns,
        layer=LAYER,
        driver="GPKG",
        geometry_type="Point",
        crs="EPSG:4326",
    )


def read_camera_rows(path: Path, *, mapping: dict[str, str] | None = None) -> Iterator[SourceRow]:
    try:
        meta, fids, geometry, field_data = ogr.read(str(path), return_fids=True)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputError.at(str(path), None, None, f"cannot read GeoPackage: {exc}") from exc
    crs = meta.get("crs") or "EPSG:4326"
    if crs.upper() not in ("EPSG:4326", "OGC:CRS84"):
        reason = f"layer CRS is {crs}; export it in WGS84 (EPSG:4326)"
        raise InputError.at(str(path), None, "crs", reason)
    names = list(meta["fields"])
    geoms = shapely.from_wkb(geometry)
    for i, fid in enumerate(fids):
        values = {n: field_data[j][i] for j, n in enumerate(names)}
        for k, v in list(values.items()):
            if isinstance(v, np.generic):
                values[k] = v.item()
        if values.get("retention_days") == 0:
            values["retention_days"] = None
        values = apply_mapping(values, mapping or {})
        row = SourceRow(str(path), int(fid), values, unit="feature")
        g = geoms[i]
        if g is None or g.geom_type != "Point":
            row.errors.append(row.error("geometry", "a camera is a Point"))
        else:
            values["lon"], values["lat"] = g.x, g.y
        yield row
