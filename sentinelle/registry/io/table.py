"""CSV: one camera per row, coordinates as WGS84 ``lon``/``lat`` or Lambert-93 ``x``/``y``.

Multi-head cameras carry a ``heads`` column holding a JSON list; single-head cameras may use
the head columns (``azimuth_deg``, ``hfov_deg``…) directly. The delimiter (``,``, ``;`` or tab)
and a UTF-8 byte-order mark are recognised; files that are not UTF-8 are read as Windows-1252,
as French spreadsheets write them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyproj import Transformer

from sentinelle.errors import InputError
from sentinelle.registry.camera import HEAD_FIELDS, Camera
from sentinelle.registry.io.rows import CAMERA_FIELDS, SourceRow, apply_mapping

EXPORT_COLUMNS = [f for f in CAMERA_FIELDS if f not in HEAD_FIELDS]
_LON = ("lon", "longitude", "lng", "long")
_LAT = ("lat", "latitude")
_L93 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.at(str(path), None, None, f"cannot read file: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and an iterator of (line number, row dict) for a delimited text file."""
    text = read_text(path)
    if not text.strip():
        raise InputError.at(str(path), 1, None, "empty file: expected a header line")
    delimiter = sniff_delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader)]
    dupes = {h for h in header if header.count(h) > 1 and h}
    if dupes:
        raise InputError.at(str(path), 1, None, f"duplicate column names: {sorted(dupes)}")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        line = reader.line_num
        for record in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(header):
                extra = record[len(header):]
                if any(c.strip() for c in extra):
                    yield start, {"__error__": f"{len(record)} cells for {len(header)} columns"}
                    continue
            yield start, dict(zip(header, record, strict=False))

    return header, rows()


def _pick(header: list[str], names: tuple[str, ...]) -> str | None:
    lower = {h.lower(): h for h in header}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def read_camera_rows(path: Path, *, mapping: dict[str, str] | None = None) -> Iterator[SourceRow]:
    mapping = mapping or {}
    header, rows = read_rows(path)
    mapped = list(apply_mapping({h: None for h in header}, mapping))
    lon_col, lat_col = _pick(mapped, _LON), _pick(mapped, _LAT)
    x_col, y_col = _pick(mapped, ("x",)), _pick(mapped, ("y",))
    if not (lon_col and lat_col) and not (x_col and y_col):
        reason = (
            "missing coordinate columns: need `lon` and `lat` (WGS84) or `x` and `y` "
            f"(Lambert-93, EPSG:2154); the columns are {', '.join(header)}"
        )
        raise InputError.at(str(path), 1, "lon", reason)
    if "id" not in mapped:
        reason = f"missing column `id` (use --map id=COLUMN); the columns are {', '.join(header)}"
        raise InputError.at(str(path), 1, "id", reason)
    for line, record in rows:
        if "__error__" in record:
            row = SourceRow(str(path), line, {})
            row.errors.append(row.error(None, record["__error__"]))
            yield row
            continue
        values: dict[str, Any] = apply_mapping(record, mapping)
        if lon_col and lat_col:
            values["lon"], values["lat"] = values.pop(lon_col), values.pop(lat_col)
        else:
            row = SourceRow(str(path), line, values)
            try:
                x = float(str(values.pop(x_col)).replace(",", "."))
                y = float(str(values.pop(y_col)).replace(",", "."))
            except (TypeError, ValueError):
                row.errors.append(row.error("x", "x and y must be Lambert-93 numbers (metres)"))
                yield row
                continue
            if not (-400_000 < x < 1_600_000 and 5_900_000 < y < 7_300_000):
                row.errors.append(row.error("x", f"({x}, y={y}) is outside Lambert-93's domain"))
                yield row
                continue
            values["lon"], values["lat"] = _L93.transform(x, y)
        yield SourceRow(str(path), line, values)


def camera_row(cam: Camera, *, secrets: bool = False) -> dict[str, Any]:
    rec = cam.to_record(secrets=secrets)
    rec["purposes"] = ";".join(rec["purposes"])
    rec["heads"] = json.dumps(rec["heads"], separators=(",", ":")) if rec["heads"] else ""
    rec["assumed"] = "true" if rec["assumed"] else "false"
    return {k: ("" if rec.get(k) is None else rec[k]) for k in EXPORT_COLUMNS}


def write_cameras(cameras: list[Camera], path: Path, *, secrets: bool = False) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=EXPORT_COLUMNS)
        w.writeheader()
        for cam in cameras:
            w.writerow(camera_row(cam, secrets=secrets))
