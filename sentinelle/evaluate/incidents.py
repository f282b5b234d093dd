"""Recorded incidents with a date, a category and a place (a point, or a zone).

Two file layouts:

- CSV ``date,category,lon,lat`` (WGS84 points), or ``date,category,zone`` where ``zone`` names a
  zone of the registry (an IRIS code, a quartier name…) when offences are only known to the
  zone;
- GeoJSON features with ``date`` and ``category`` properties and a Point, Polygon or
  MultiPolygon geometry (WGS84).

``date`` is ``YYYY-MM-DD`` (or ``DD/MM/YYYY``). Every rejected row is reported with its line (or
feature number) and field. An incident given as a zone is placed at a point inside its zone
(`shapely.point_on_surface`), which is only right when the zone lies wholly inside one
evaluation area: `IncidentSet.n_zones` says how many there were, and the report says so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from sentinelle.errors import InputError, RowError
from sentinelle.evaluate._rows import check_columns, parse_date, raise_rejected, read_csv_records


def _frame_key(frame: Any) -> object:
    return str(frame.crs) if hasattr(frame, "crs") else id(frame)


@dataclass(frozen=True)
class IncidentSet:
    """Incidents as arrays: one entry per incident.

    Attributes
    ----------
    source
        The file, or a description.
    days
        Dates, ``datetime64[D]``.
    categories
        Category per incident.
    points
        WGS84 points (zones already reduced to a point inside them).
    from_zone
        Whether each incident was given as a zone.
    synthetic
        Whether the incidents are synthetic (demo), to be said in every output.
    """

    source: str
    days: np.ndarray
    categories: np.ndarray
    points: np.ndarray
    from_zone: np.ndarray
    synthetic: bool = False
    _xy: dict[Any, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.days)

    def xy(self, frame: Any) -> np.ndarray:
        """Metric coordinates (n, 2) in ``frame`` (`sentinelle.geo.crs.MetricFrame`), computed
        once per frame."""
        key = _frame_key(frame)
        if key not in self._xy:
            lonlat = shapely.get_coordinates(self.points)
            x, y = frame.to_metric(lonlat[:, 0], lonlat[:, 1])
            self._xy[key] = np.column_stack([x, y])
        return self._xy[key]

    def remember_xy(self, frame: Any, xy: np.ndarray) -> None:
        """Keep metric coordinates already known (a generator that worked in ``frame``)."""
        self._xy[_frame_key(frame)] = np.asarray(xy, dtype=float)

    @property
    def months(self) -> np.ndarray:
        """Month index ``year * 12 + month - 1`` of each incident."""
        ym = self.days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
        return ym + 1970 * 12

    @property
    def n_zones(self) -> int:
        return int(self.from_zone.sum())

    def select(self, mask: np.ndarray) -> IncidentSet:
        """The incidents where ``mask`` is true."""
        return IncidentSet(self.source, self.days[mask], self.categories[mask],
                           self.points[mask], self.from_zone[mask], self.synthetic)


def _from_rows(
    source: str,
    rows: list[tuple[int, dict[str, object]]],
    *,
    zones: Mapping[str, shapely.Geometry] | None,
    unit: str,
) -> IncidentSet:
    errors: list[RowError] = []
    days: list[date] = []
    cats: list[str] = []
    geoms: list[shapely.Geometry] = []
    is_zone: list[bool] = []
    for line, rec in rows:
        row_errors: list[RowError] = []
        day, reason = parse_date(str(rec.get("date", "") or ""))
        if reason:
            row_errors.append(RowError(source, line, "date", reason, unit))
        category = str(rec.get("category", "") or "").strip()
        if not category:
            row_errors.append(RowError(source, line, "category", "the category is empty", unit))
        geom = rec.get("geometry")
        zone_flag = False
        if geom is None and "zone" in rec:
            name = str(rec.get("zone") or "").strip()
            if not name:
                row_errors.append(RowError(source, line, "zone", "the zone is empty", unit))
            elif zones is None:
                row_errors.append(RowError(source, line, "zone",
                                           "incidents given by zone need the registry's zones "
                                           "(import them with `sentinelle zones import`)", unit))
            elif name not in zones:
                row_errors.append(RowError(source, line, "zone",
                                           f"unknown zone {name!r} (not in the registry)", unit))
            else:
                geom, zone_flag = zones[name], True
        elif geom is None:
            coords = []
            for col, low, high in (("lon", -180, 180), ("lat", -90, 90)):
                raw = str(rec.get(col, "") or "").strip().replace(",", ".")
                try:
                    v = float(raw)
                except ValueError:
                    row_errors.append(RowError(source, line, col,
                                               f"expected a number in degrees, got {raw!r}", unit))
                    continue
                if not (math.isfinite(v) and low <= v <= high):
                    row_errors.append(RowError(source, line, col,
                                               f"{col} must be between {low} and {high}, got {v}",
                                               unit))
                    continue
                coords.append(v)
            if len(coords) == 2:
                geom = shapely.Point(coords)
        elif isinstance(geom, shapely.Geometry):
            if geom.is_empty or geom.geom_type not in ("Point", "Polygon", "MultiPolygon"):
                row_errors.append(RowError(source, line, "geometry",
                                           "expected a Point, Polygon or MultiPolygon, got "
                                           f"{geom.geom_type}", unit))
            elif geom.geom_type != "Point":
                zone_flag = True
        if row_errors:
            errors.extend(row_errors)
            continue
        assert day is not None and isinstance(geom, shapely.Geometry)
        days.append(day)
        cats.append(category)
        geoms.append(shapely.point_on_surface(geom) if zone_flag else geom)
        is_zone.append(zone_flag)
    raise_rejected(source, errors, "incidents")
    if not days:
        msg = f"{source}: no incidents"
        raise InputError(msg)
    return IncidentSet(
        source,
        np.array(days, dtype="datetime64[D]"),
        np.array(cats, dtype=object),
        np.array(geoms, dtype=object),
        np.array(is_zone, dtype=bool),
    )


def read_incidents(
    path: str | Path, *, zones: Mapping[str, shapely.Geometry] | None = None
) -> IncidentSet:
    """Read and validate an incidents file (CSV or GeoJSON; layouts in the module docstring).

    Parameters
    ----------
    path
        ``.csv`` or ``.geojson``/``.json``.
    zones
        Zone name or code → WGS84 polygon, to place incidents given by zone.

    Raises
    ------
    InputError
        Unreadable file, missing columns, or rejected rows (`ImportRejected`, each named by line
        or feature and field: bad date, empty category, coordinates out of range, unknown zone,
        wrong geometry type).
    """
    path = Path(path)
    source = str(path)
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            doc = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            msg = f"{source}: no such file"
            raise InputError(msg) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            msg = f"{source}: not a GeoJSON file ({exc})"
            raise InputError(msg) from None
        features = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(features, list):
            msg = f"{source}: expected a GeoJSON FeatureCollection"
            raise InputError(msg)
        rows: list[tuple[int, dict[str, object]]] = []
        for k, feat in enumerate(features, start=1):
            props = dict((feat or {}).get("properties") or {})
            try:
                geom = shapely.from_geojson(json.dumps(feat.get("geometry")))
            except (shapely.errors.GEOSException, TypeError, ValueError, AttributeError):
                geom = shapely.Point()  # rejected below as empty
            props["geometry"] = geom if geom is not None else shapely.Point()
            rows.append((k, props))
        return _from_rows(source, rows, zones=zones, unit="feature")
    table = read_csv_records(path, expected_header="date,category,lon,lat")
    if "zone" in table.columns:
        check_columns(table, required=("date", "category", "zone"))
    else:
        check_columns(table, required=("date", "category", "lon", "lat"))
    return _from_rows(source, [(ln, dict(r)) for ln, r in table.records], zones=zones,
                      unit="line")
