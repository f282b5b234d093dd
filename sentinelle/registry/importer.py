"""Importing and exporting the registry.

An import reads the whole file first, validates every row, then writes the valid rows in one
transaction. It reports each rejected row with file, line, field and reason. With
``all_or_nothing`` a single bad row means nothing is written. A file that cannot be read at
all (broken JSON, foreign CRS, no coordinate columns) raises `InputError` before anything is
written, so what is already stored never changes because of bad input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy.orm import Session

from sentinelle.errors import InputError, RowError
from sentinelle.registry.camera import Camera
from sentinelle.registry.io import geojson, gpkg, osm, table
from sentinelle.registry.io.formats import Format, detect_format
from sentinelle.registry.io.rows import SourceRow, camera_from_row, parse_mapping
from sentinelle.registry.store import Registry
from sentinelle.registry.zone import Authorisation, Zone, ZoneKind


@dataclass
class ImportReport:
    """What an import did."""

    file: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    written: bool = True

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def ok(self) -> bool:
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [
                {"line": e.line, "field": e.field, "reason": e.reason} for e in self.rejected
            ],
            "written": self.written,
        }


def read_camera_file(
    path: Path, *, format: str | None = None, mapping: dict[str, str] | str | None = None
) -> tuple[list[SourceRow], list[Camera | list[RowError]]]:
    """Read and validate every row of a camera file (nothing is written)."""
    path = Path(path)
    if not path.exists():
        raise InputError.at(str(path), None, None, "no such file")
    fmt = detect_format(path, format)
    if isinstance(mapping, str):
        mapping = parse_mapping(mapping)
    mapping = mapping or {}
    if fmt is Format.geojson:
        rows = list(geojson.read_camera_rows(path))
        if mapping:
            from sentinelle.registry.io.rows import apply_mapping

            for r in rows:
                r.values = apply_mapping(r.values, mapping)
    elif fmt is Format.csv:
        rows = list(table.read_camera_rows(path, mapping=mapping))
    elif fmt is Format.osm:
        rows = list(osm.read_camera_rows(path))
    else:
        rows = list(gpkg.read_camera_rows(path, mapping=mapping))
    results: list[Camera | list[RowError]] = []
    seen: dict[str, int | None] = {}
    for r in rows:
        res: Camera | list[RowError] = r.errors if r.errors else camera_from_row(r)
        if isinstance(res, Camera):
            if res.id in seen:
                first = seen[res.id]
                res = [r.error("id", f"duplicate id `{res.id}` (first at {r.unit} {first})")]
            else:
                seen[res.id] = r.line
        results.append(res)
    return rows, results


def import_cameras(
    registry: Registry,
    path: Path | str,
    *,
    format: str | None = None,
    mapping: dict[str, str] | str | None = None,
    all_or_nothing: bool = False,
    now: datetime | None = None,
    session: Session | None = None,
) -> ImportReport:
    """Import a camera file into the registry (see the module docstring for the rules).

    With `session`, the cameras are written in that transaction (e.g. with their audit entry).
    """
    path = Path(path)
    rows, results = read_camera_file(path, format=format, mapping=mapping)
    report = ImportReport(file=str(path), read=len(rows))
    cameras: list[Camera] = []
    for res in results:
        if isinstance(res, Camera):
            cameras.append(res)
        else:
            report.rejected.extend(res)
    if report.rejected and all_or_nothing:
        report.written = False
        return report
    counts = registry.save_cameras(
        cameras, source=f"import {path.name}", now=now, session=session
    )
    report.created, report.updated, report.unchanged = (
        counts.created,
        counts.updated,
        counts.unchanged,
    )
    return report


def export_cameras(
    registry: Registry, path: Path | str, *, format: str | None = None, secrets: bool = False
) -> int:
    """Write every camera of the registry; stream credentials are redacted unless `secrets`."""
    path = Path(path)
    fmt = detect_format(path, format)
    cameras = registry.cameras()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt is Format.geojson:
        geojson.write_cameras(cameras, path, secrets=secrets)
    elif fmt is Format.csv:
        table.write_cameras(cameras, path, secrets=secrets)
    elif fmt is Format.osm:
        osm.write_cameras(cameras, path)
    else:
        gpkg.write_cameras(cameras, path, secrets=secrets)
    return len(cameras)


# -- zones ----------------------------------------------------------------------------------

NAME_FIELDS = ("name", "nom", "nom_qp", "nom_iris", "libelle", "label", "NOM")
CODE_FIELDS = ("code", "code_qp", "code_iris", "nuquart", "matricule", "insee")


def read_zone_file(
    path: Path | str,
    *,
    kind: str,
    name_field: str | None = None,
    code_field: str | None = None,
    where: dict[str, str] | None = None,
) -> list[Zone]:
    """Polygons of a GeoJSON file as zones of `kind`; features sharing a name are merged."""
    path = Path(path)
    try:
        zkind = ZoneKind(kind)
    except ValueError:
        valid = ", ".join(k.value for k in ZoneKind)
        raise InputError(f"--kind `{kind}` is not a zone kind; valid kinds: {valid}") from None
    if not path.exists():
        raise InputError.at(str(path), None, None, "no such file")
    doc, lines = geojson.load_feature_collection(path)
    errors: list[RowError] = []
    parts: dict[str, list[Any]] = {}
    codes: dict[str, str | None] = {}
    props_of: dict[str, dict[str, Any]] = {}
    for feature, line in zip(doc["features"], lines, strict=True):
        props = (feature or {}).get("properties") or {}
        if where and any(str(props.get(k)) != v for k, v in where.items()):
            continue
        nf = name_field or next((f for f in NAME_FIELDS if props.get(f)), None)
        if nf is None or props.get(nf) in (None, ""):
            reason = (
                f"no zone name (field `{name_field}` is empty)" if name_field
                else f"no name field; use --name-field (fields: {', '.join(props)})"
            )
            errors.append(RowError(str(path), line, name_field or "name", reason))
            continue
        name = str(props[nf]).strip()
        try:
            geom = shapely.geometry.shape(feature.get("geometry"))
        except Exception as exc:  # shapely raises several types on bad input
            errors.append(RowError(str(path), line, "geometry", f"invalid geometry: {exc}"))
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            reason = f"a zone is a Polygon or MultiPolygon, got {geom.geom_type}"
            errors.append(RowError(str(path), line, "geometry", reason))
            continue
        cf = code_field or next((f for f in CODE_FIELDS if props.get(f) not in (None, "")), None)
        parts.setdefault(name, []).append(shapely.make_valid(geom))
        codes.setdefault(name, str(props[cf]) if cf and props.get(cf) is not None else None)
        props_of.setdefault(name, {k: v for k, v in props.items() if _scalar(v)})
    if errors:
        raise InputError(
            f"{path}: {len(errors)} feature(s) rejected; nothing imported\n"
            + "\n".join(str(e) for e in errors),
            errors=errors,
        )
    zones = [
        Zone(kind=zkind, name=n, code=codes[n], geometry=shapely.union_all(g),
             properties=props_of[n])
        for n, g in parts.items()
    ]
    if not zones:
        raise InputError.at(str(path), None, None, "no zone in the file (check --where)")
    return zones


def _scalar(v: Any) -> bool:
    return isinstance(v, str | int | float | bool) or v is None


# -- authorisations -------------------------------------------------------------------------

AUTH_FIELDS = (
    "reference",
    "type",
    "issued",
    "expires",
    "purposes",
    "max_retention_days",
    "min_retention_days",
    "cameras",
    "authority",
)


def _authorisation(values: dict[str, Any], perimeter: Any, row: RowError) -> Authorisation:
    from pydantic import ValidationError

    data = {k: v for k, v in values.items() if k in AUTH_FIELDS and v not in (None, "")}
    for k in ("issued", "expires"):
        if isinstance(data.get(k), str):
            try:
                data[k] = date.fromisoformat(data[k].strip())
            except ValueError:
                reason = f"'{data[k]}' is not a date (YYYY-MM-DD)"
                raise InputError(str(RowError(row.file, row.line, k, reason)),
                                 errors=[RowError(row.file, row.line, k, reason)]) from None
    if perimeter is not None:
        data["perimeter"] = perimeter
    try:
        return Authorisation.model_validate(data)
    except ValidationError as exc:
        errs = []
        for e in exc.errors():
            name = str(e["loc"][0]) if e["loc"] else None
            msg = e["msg"].removeprefix("Value error, ")
            if e.get("input") is not None and not isinstance(e.get("input"), dict):
                msg += f" (got {e['input']!r})"
            errs.append(RowError(row.file, row.line, name, msg))
        raise InputError("; ".join(str(e) for e in errs), errors=errs) from None


def read_authorisation_file(path: Path | str) -> list[Authorisation]:
    """Authorisations from CSV (one per row) or GeoJSON (perimeter polygons as geometry)."""
    path = Path(path)
    if not path.exists():
        raise InputError.at(str(path), None, None, "no such file")
    out: list[Authorisation] = []
    errors: list[RowError] = []
    if path.suffix.lower() in (".geojson", ".json"):
        doc, lines = geojson.load_feature_collection(path)
        items = []
        for f, line in zip(doc["features"], lines, strict=True):
            geom = f.get("geometry")
            items.append((line, f.get("properties") or {},
                          shapely.geometry.shape(geom) if geom else None))
    else:
        _, rows = table.read_rows(path)
        items = []
        for line, rec in rows:
            geom = None
            if rec.get("perimeter_wkt"):
                geom = shapely.from_wkt(rec["perimeter_wkt"])
            items.append((line, rec, geom))
    for line, values, geom in items:
        if isinstance(values.get("purposes"), list):
            values["purposes"] = ";".join(values["purposes"])
        try:
            out.append(_authorisation(values, geom, RowError(str(path), line, None, "")))
        except InputError as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputError(
            f"{path}: {len(errors)} error(s); nothing imported\n"
            + "\n".join(str(e) for e in errors),
            errors=errors,
        )
    return out


def authorisation_record(a: Authorisation) -> dict[str, Any]:
    d = a.model_dump(mode="json", exclude={"perimeter"})
    d["perimeter"] = json.loads(shapely.to_geojson(a.perimeter)) if a.perimeter else None
    return d
