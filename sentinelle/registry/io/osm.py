"""OpenStreetMap surveillance tags, both ways (OSM XML).

A camera is a node tagged ``man_made=surveillance`` + ``surveillance:type=camera``. The tags
Sentinelle reads and writes:

=========================  ====================================================
OSM tag                    Sentinelle field
=========================  ====================================================
``ref``                    ``id`` (else ``osm-<node id>``)
``name``                   ``name``
``camera:type``            ``type``: fixed→fixed, panning→ptz, dome→dome;
                           several directions → multisensor
``camera:direction``       heads' ``azimuth_deg`` (degrees or N/NE/…; ``;`` list)
``camera:angle``           heads' ``tilt_deg`` (OSM: degrees below horizontal)
``height``                 ``height_m``
``camera:mount``           ``mount``
``start_date``             ``installed``
lifecycle prefix           ``status``: none→in_service, ``proposed:``→planned,
                           ``disused:``→out_of_service, ``removed:``→removed
=========================  ====================================================

Other fields (purposes, retention, authorisation, streams) have no place in OSM and are not
written; ``surveillance:type=ALPR`` nodes are refused: reading plates is reserved to the State
(CSI L233-1).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from sentinelle.errors import InputError
from sentinelle.registry.camera import Camera, CameraStatus, CameraType
from sentinelle.registry.io.rows import SourceRow

_LIFECYCLE = {
    "": CameraStatus.in_service,
    "proposed:": CameraStatus.planned,
    "planned:": CameraStatus.planned,
    "construction:": CameraStatus.planned,
    "disused:": CameraStatus.out_of_service,
    "removed:": CameraStatus.removed,
    "demolished:": CameraStatus.removed,
}
_STATUS_PREFIX = {
    CameraStatus.in_service: "",
    CameraStatus.planned: "proposed:",
    CameraStatus.out_of_service: "disused:",
    CameraStatus.removed: "removed:",
}
_TYPE_IN = {"fixed": "fixed", "panning": "ptz", "dome": "dome", "ptz": "ptz"}
_TYPE_OUT = {
    CameraType.fixed: "fixed",
    CameraType.ptz: "panning",
    CameraType.dome: "dome",
    CameraType.multisensor: "fixed",
}
_CARDINAL = {
    name: i * 22.5
    for i, name in enumerate(
        "N NNE NE ENE E ESE SE SSE S SSW SW WSW W WNW NW NNW".split()
    )
}


def _parse(path: Path) -> list[dict[str, Any]]:
    """Nodes and ways of an OSM XML file, each with its tags and line."""
    elements: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    parser = expat.ParserCreate()

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal current
        if name in ("node", "way", "relation"):
            current = {"kind": name, "attrs": attrs, "tags": {}, "line": parser.CurrentLineNumber}
        elif name == "tag" and current is not None:
            current["tags"][attrs.get("k", "")] = attrs.get("v", "")

    def end(name: str) -> None:
        nonlocal current
        if name in ("node", "way", "relation") and current is not None:
            elements.append(current)
            current = None

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(path.read_bytes(), True)
    except OSError as exc:
        raise InputError.at(str(path), None, None, f"cannot read file: {exc.strerror}") from exc
    except expat.ExpatError as exc:
        reason = f"not valid OSM XML: {expat.errors.messages[exc.code]} (column {exc.offset})"
        raise InputError.at(str(path), exc.lineno, None, reason) from exc
    return elements


def _lifecycle(tags: dict[str, str]) -> tuple[str, CameraStatus] | None:
    for prefix, status in _LIFECYCLE.items():
        if tags.get(f"{prefix}man_made") == "surveillance":
            return prefix, status
    return None


def _directions(text: str) -> list[float | str]:
    out: list[float | str] = []
    for part in text.split(";"):
        p = part.strip()
        if not p:
            continue
        if p.upper() in _CARDINAL:
            out.append(_CARDINAL[p.upper()])
            continue
        try:
            out.append(float(p) % 360)
        except ValueError:
            out.append(p)
    return out


def read_camera_rows(path: Path) -> Iterator[SourceRow]:
    for el in _parse(path):
        tags = el["tags"]
        lc = _lifecycle(tags)
        if lc is None:
            continue
        row = SourceRow(str(path), el["line"], {})
        if tags.get("surveillance:type", "camera") not in ("camera", ""):
            kind = tags["surveillance:type"]
            reason = f"surveillance:type={kind} is not a camera"
            if kind.upper() == "ALPR":
                reason += " (reading plates is reserved to the State, CSI L233-1)"
            row.errors.append(row.error("surveillance:type", reason))
            yield row
            continue
        if el["kind"] != "node":
            row.errors.append(row.error("geometry", f"a camera is an OSM node, got a {el['kind']}"))
            yield row
            continue
        a = el["attrs"]
        node_id = a.get("id", "")
        values: dict[str, Any] = {
            "id": tags.get("ref") or (f"osm-{node_id}" if node_id else None),
            "name": tags.get("name"),
            "lon": a.get("lon"),
            "lat": a.get("lat"),
            "status": lc[1].value,
            "mount": tags.get("camera:mount"),
            "height_m": tags.get("height"),
            "installed": tags.get("start_date"),
        }
        ctype = tags.get("camera:type")
        if ctype:
            if ctype not in _TYPE_IN:
                row.errors.append(row.error("camera:type", f"unknown camera:type `{ctype}`"))
            else:
                values["type"] = _TYPE_IN[ctype]
        dirs = _directions(tags.get("camera:direction", ""))
        bad = [d for d in dirs if isinstance(d, str)]
        if bad:
            reason = f"camera:direction `{bad[0]}` is neither degrees nor a compass point"
            row.errors.append(row.error("camera:direction", reason))
        tilt = tags.get("camera:angle")
        tilt_deg = None
        if tilt:
            try:
                tilt_deg = -float(tilt)
            except ValueError:
                row.errors.append(row.error("camera:angle", f"`{tilt}` is not a number"))
        if len(dirs) > 1 and values.get("type") in (None, "fixed"):
            values["type"] = "multisensor"
        heads = [{"azimuth_deg": d, "tilt_deg": tilt_deg} for d in dirs if not isinstance(d, str)]
        if not heads and tilt_deg is not None:
            heads = [{"tilt_deg": tilt_deg}]
        values["heads"] = heads
        row.values = values
        yield row


def camera_tags(cam: Camera) -> dict[str, str]:
    prefix = _STATUS_PREFIX[cam.status]
    tags = {
        f"{prefix}man_made": "surveillance",
        "surveillance": "public",
        "surveillance:type": "camera",
        "ref": cam.id,
    }
    if cam.name:
        tags["name"] = cam.name
    if cam.type:
        tags["camera:type"] = _TYPE_OUT[cam.type]
    dirs = [h.azimuth_deg for h in cam.heads if h.azimuth_deg is not None]
    if dirs:
        tags["camera:direction"] = ";".join(f"{d:g}" for d in dirs)
    tilts = {h.tilt_deg for h in cam.heads if h.tilt_deg is not None}
    if len(tilts) == 1:
        tags["camera:angle"] = f"{-tilts.pop():g}"
    if cam.mount:
        tags["camera:mount"] = cam.mount
    if cam.height_m is not None:
        tags["height"] = f"{cam.height_m:g}"
    if cam.installed:
        tags["start_date"] = cam.installed.isoformat()
    return tags


def write_cameras(cameras: list[Camera], path: Path) -> None:
    """OSM XML with new nodes (negative ids), ready to review in JOSM."""
    lines = ["<?xml version='1.0' encoding='UTF-8'?>",
             "<osm version='0.6' generator='Sentinelle'>"]
    for i, cam in enumerate(cameras, start=1):
        lines.append(f"  <node id='-{i}' visible='true' lat='{cam.lat!r}' lon='{cam.lon!r}'>")
        for k, v in camera_tags(cam).items():
            lines.append(f"    <tag k={quoteattr(k)} v={quoteattr(v)} />")
        lines.append("  </node>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
