"""GeoJSON (RFC 7946): cameras as Point features, zones as (Multi)Polygon features.

Coordinates are WGS84 longitude/latitude. A legacy ``crs`` member is accepted only when it
names WGS84 (CRS84 or EPSG:4326); anything else is refused rather than silently misread.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sentinelle.errors import InputError
from sentinelle.registry.camera import Camera
from sentinelle.registry.io.rows import SourceRow

WGS84_NAMES = {
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:ogc::crs84",
    "crs84",
    "ogc:crs84",
    "epsg:4326",
    "urn:ogc:def:crs:epsg::4326",
    "urn:ogc:def:crs:epsg:6.6:4326",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84",
    "http://www.opengis.net/def/crs/epsg/0/4326",
}

_WS = " \t\n\r"


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in _WS:
        i += 1
    return i


def _feature_offsets(text: str) -> list[int]:
    """Character offsets of each element of the top-level ``features`` array."""
    dec = json.JSONDecoder()
    i = _skip_ws(text, 0)
    if i >= len(text) or text[i] != "{":
        return []
    i = _skip_ws(text, i + 1)
    while i < len(text) and text[i] != "}":
        key, i = dec.raw_decode(text, i)
        i = _skip_ws(text, i)
        i = _skip_ws(text, i + 1)  # ':'
        if key == "features" and text[i] == "[":
            offsets: list[int] = []
            i = _skip_ws(text, i + 1)
            while text[i] != "]":
                offsets.append(i)
                _, i = dec.raw_decode(text, i)
                i = _skip_ws(text, i)
                if text[i] == ",":
                    i = _skip_ws(text, i + 1)
            return offsets
        _, i = dec.raw_decode(text, i)
        i = _skip_ws(text, i)
        if text[i] == ",":
            i = _skip_ws(text, i + 1)
    return []


def load_feature_collection(path: Path) -> tuple[dict[str, Any], list[int]]:
    """Parse a GeoJSON file; return the document and the line of each feature.

    Raises InputError naming the file and line for invalid JSON, a document that is no
    FeatureCollection, or a declared CRS other than WGS84.
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError.at(name, None, None, f"cannot read file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InputError.at(name, None, None, "not UTF-8 text (RFC 7946 requires UTF-8)") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON: {exc.msg} (column {exc.colno})"
        raise InputError.at(name, exc.lineno, None, reason) from exc
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        return {"type": "FeatureCollection", "features": [doc]}, [1]
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        reason = f"expected a GeoJSON FeatureCollection, got {got!r}"
        raise InputError.at(name, 1, "type", reason)
    crs = doc.get("crs")
    if crs is not None:
        props = (crs.get("properties") or {}) if isinstance(crs, dict) else {}
        crs_name = str(props.get("name", ""))
        if crs_name.strip().lower() not in WGS84_NAMES:
            reason = (
                f"declares CRS `{crs_name or crs}`; GeoJSON must be WGS84 longitude/latitude "
                "(RFC 7946). Reproject first, e.g. `ogr2ogr -t_srs CRS84 out.geojson in.geojson`"
            )
            raise InputError.at(name, text[: text.find('"crs"')].count("\n") + 1, "crs", reason)
    features = doc.get("features")
    if not isinstance(features, list):
        raise InputError.at(name, 1, "features", "`features` must be a list")
    offsets = _feature_offsets(text)
    lines = [text.count("\n", 0, o) + 1 for o in offsets]
    if len(lines) != len(features):
        lines = [None] * len(features)  # type: ignore[list-item]
    return doc, lines


def read_camera_rows(path: Path) -> Iterator[SourceRow]:
    doc, lines = load_feature_collection(path)
    for feature, line in zip(doc["features"], lines, strict=True):
        row = SourceRow(str(path), line, {})
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            row.errors.append(row.error("type", "not a GeoJSON Feature"))
            yield row
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            row.errors.append(row.error("properties", "`properties` must be an object"))
            yield row
            continue
        values = dict(props)
        if "id" not in values and feature.get("id") is not None:
            values["id"] = feature["id"]
        geom = feature.get("geometry")
        if not isinstance(geom, dict) or geom.get("type") != "Point":
            got = geom.get("type") if isinstance(geom, dict) else geom
            row.errors.append(row.error("geometry", f"a camera is a Point, got {got!r}"))
        else:
            coords = geom.get("coordinates")
            if (
                not isinstance(coords, list)
                or len(coords) < 2
                or not all(isinstance(c, int | float) for c in coords[:2])
            ):
                row.errors.append(row.error("geometry", f"invalid Point coordinates {coords!r}"))
            else:
                values["lon"], values["lat"] = coords[0], coords[1]
        row.values = values
        yield row


def camera_feature(cam: Camera, *, secrets: bool = False) -> dict[str, Any]:
    props = cam.to_record(secrets=secrets)
    lon, lat = props.pop("lon"), props.pop("lat")
    return {
        "type": "Feature",
        "id": cam.id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }


def write_cameras(cameras: list[Camera], path: Path, *, secrets: bool = False) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [camera_feature(c, secrets=secrets) for c in cameras],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
