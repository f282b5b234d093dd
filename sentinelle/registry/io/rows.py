"""From a source row (a dict of raw values and where it came from) to a validated Camera.

Every reader (GeoJSON, CSV, OSM, GeoPackage) produces `SourceRow`s; this module turns them
into cameras or into `RowError`s that name the file, the line and the field.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sentinelle.errors import InputError, RowError
from sentinelle.registry.camera import HEAD_FIELDS, Camera
from sentinelle.registry.dates import read_date_field

CAMERA_FIELDS = (
    "id",
    "name",
    "lon",
    "lat",
    "height_m",
    "type",
    "status",
    "mount",
    "installed",
    "installed_raw",
    "removed_on",
    "removed_raw",
    "purposes",
    "retention_days",
    "authorisation",
    "stream_main",
    "stream_sub",
    "assumed",
    "heads",
    *HEAD_FIELDS,
)
_TRUE = {"true", "1", "yes", "oui", "y", "o", "vrai"}
_FALSE = {"false", "0", "no", "non", "n", "faux", ""}


@dataclass
class SourceRow:
    """One row of an input file: raw values, and where it is."""

    file: str
    line: int | None
    values: dict[str, Any]
    unit: str = "line"
    errors: list[RowError] = field(default_factory=list)

    def error(self, field_name: str | None, reason: str) -> RowError:
        return RowError(self.file, self.line, field_name, reason, self.unit)


def parse_mapping(text: str | None) -> dict[str, str]:
    """``id=Numéro,name=Implantation,installed="Date de mise en service"`` → {target: source}.

    Targets are Sentinelle's field names; sources are the file's column names (quotes allowed
    for names with commas or spaces).
    """
    if not text:
        return {}
    out: dict[str, str] = {}
    pattern = re.compile(r'\s*([A-Za-z_]+)\s*=\s*("([^"]*)"|\'([^\']*)\'|[^,]*)\s*(?:,|$)')
    pos = 0
    while pos < len(text):
        m = pattern.match(text, pos)
        if not m or m.end() == pos:
            msg = f"--map: cannot read `{text[pos:]}`; expected target=source[,target=source…]"
            raise InputError(msg)
        target = m.group(1)
        source = m.group(3) if m.group(3) is not None else m.group(4)
        if source is None:
            source = m.group(2).strip()
        if target not in CAMERA_FIELDS:
            msg = f"--map: `{target}` is not a camera field; valid: {', '.join(CAMERA_FIELDS)}"
            raise InputError(msg)
        out[target] = source
        pos = m.end()
    return out


def apply_mapping(values: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """Rename the mapped source columns to their targets (mapped sources win over homonyms)."""
    if not mapping:
        return values
    out = dict(values)
    sources = set(mapping.values())
    for target, source in mapping.items():
        if source in values:
            out[target] = values[source]
    for source in sources - set(mapping):
        out.pop(source, None)
    return out


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (
        isinstance(v, float) and math.isnan(v)
    )


def _number(row: SourceRow, name: str, v: Any, errors: list[RowError]) -> Any:
    if _blank(v):
        return None
    if isinstance(v, bool):
        errors.append(row.error(name, f"expected a number, got {v!r}"))
        return None
    if isinstance(v, int | float):
        return v
    s = str(v).strip().replace(",", ".")
    s = re.sub(r"\s*(m|°|deg|mm|px|days|jours|j)$", "", s, flags=re.IGNORECASE)
    try:
        return float(s)
    except ValueError:
        errors.append(row.error(name, f"expected a number, got '{v}'"))
        return None


def _bool(row: SourceRow, name: str, v: Any, errors: list[RowError]) -> bool:
    if isinstance(v, bool):
        return v
    if _blank(v):
        return False
    s = str(v).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    errors.append(row.error(name, f"expected true or false, got '{v}'"))
    return False


_NUMERIC = {"height_m", "retention_days", *HEAD_FIELDS}


def camera_from_row(row: SourceRow) -> Camera | list[RowError]:
    """Validate one source row; return the camera or every error found in the row."""
    errors: list[RowError] = []
    v = {k: val for k, val in row.values.items() if k in CAMERA_FIELDS}
    unknown_keys = [k for k in row.values if k not in CAMERA_FIELDS]
    del unknown_keys  # other columns are ignored: inventories carry many

    data: dict[str, Any] = {}
    for name in ("id", "name", "type", "status", "mount", "authorisation", "stream_main",
                 "stream_sub", "installed_raw", "removed_raw"):
        val = v.get(name)
        if not _blank(val):
            data[name] = str(val).strip() if name != "id" else val
    for name in ("type", "status"):
        if name in data:
            data[name] = data[name].lower()
    for name in _NUMERIC:
        if name in v:
            num = _number(row, name, v[name], errors)
            if num is not None:
                data[name] = num
    for name in ("lon", "lat"):
        num = _number(row, name, v.get(name), errors)
        if num is None and not any(e.field == name for e in errors):
            errors.append(row.error(name, "missing coordinate"))
        elif num is not None:
            data[name] = num
    if "assumed" in v:
        data["assumed"] = _bool(row, "assumed", v["assumed"], errors)
    if not _blank(v.get("purposes")):
        data["purposes"] = v["purposes"]
    for name, raw_name in (("installed", "installed_raw"), ("removed_on", "removed_raw")):
        val = v.get(name)
        try:
            parsed, raw = read_date_field(val)
        except ValueError as exc:
            errors.append(row.error(name, f"'{val}' is not a valid date: {exc}"))
            continue
        if parsed is not None:
            data[name] = parsed
        if raw is not None and raw_name not in data:
            data[raw_name] = raw
    heads = v.get("heads")
    if not _blank(heads):
        if isinstance(heads, str):
            try:
                heads = json.loads(heads)
            except json.JSONDecodeError as exc:
                errors.append(row.error("heads", f"not valid JSON: {exc.msg}"))
                heads = None
        if heads is not None:
            if isinstance(heads, dict):
                heads = [heads]
            if not isinstance(heads, list):
                errors.append(row.error("heads", "expected a list of heads"))
            else:
                data["heads"] = heads
    # Validate the rest even when some fields already failed, so that a row reports every
    # error at once; placeholders stand in for the failed fields.
    failed = {e.field for e in errors}
    for name in ("lon", "lat"):
        if name in failed:
            data[name] = 0.0
    if "heads" in failed:
        data.pop("heads", None)
    top_level_head = "heads" not in data
    try:
        cam = Camera.from_record(data)
        return errors if errors else cam
    except ValidationError as exc:
        for e in exc.errors():
            loc = [str(p) for p in e["loc"]]
            name = loc[0] if loc else None
            if name == "heads" and len(loc) >= 3:
                name = loc[2] if top_level_head else f"heads[{loc[1]}].{loc[2]}"
            value = e.get("input")
            msg = e["msg"].removeprefix("Value error, ")
            if value is not None and not isinstance(value, dict | list):
                msg = f"{msg} (got {value!r})"
            if name not in failed:
                errors.append(row.error(name, msg))
        return errors
    except ValueError as exc:
        return [row.error(None, str(exc))]
