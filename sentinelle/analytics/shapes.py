"""Counting zones and lines per camera head: GeoJSON import and storage.

The file is a GeoJSON FeatureCollection in **image coordinates** (normalised, 0–1, x to the
right, y down), one feature per zone or line::

    {"type": "Feature",
     "properties": {"camera": "REN-001", "head": 0, "name": "passage nord"},
     "geometry": {"type": "LineString", "coordinates": [[0.1, 0.6], [0.9, 0.6]]}}

A ``Polygon`` is a zone (its outer ring), a ``LineString`` a counting line (walking from its
first point to its last, side ``a`` is on the right hand). ``head`` defaults to 0. Importing
replaces every zone and line of the cameras the file names, all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import delete, select

from sentinelle.access.audit import Actor, AuditAction, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.db.analytics_tables import AnalyticsShapeRow
from sentinelle.db.engine import Database
from sentinelle.errors import ImportRejected, InputError, RowError
from sentinelle.vision.counting import Line, Zone

KINDS = {"Polygon": "zone", "LineString": "line"}


@dataclass(frozen=True)
class Shape:
    """A zone or a line of one camera head."""

    camera_id: str
    head: int
    kind: str  # "zone" or "line"
    name: str
    points: tuple[tuple[float, float], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"camera": self.camera_id, "head": self.head, "kind": self.kind,
                "name": self.name, "points": [list(p) for p in self.points]}


def _points(coords: Any) -> list[tuple[float, float]]:
    if not isinstance(coords, list):
        raise ValueError("coordinates must be a list of [x, y]")
    pts = []
    for c in coords:
        if (not isinstance(c, list | tuple) or len(c) < 2
                or not all(isinstance(v, int | float) for v in c[:2])):
            raise ValueError(f"point {c!r} is not [x, y]")
        x, y = float(c[0]), float(c[1])
        if not (0 <= x <= 1 and 0 <= y <= 1):
            raise ValueError(f"point [{x}, {y}] outside the image: image coordinates are "
                             "normalised, between 0 and 1")
        pts.append((x, y))
    return pts


def parse_shapes(data: Any, source: str = "zones") -> list[Shape]:
    """Validate a FeatureCollection; every bad feature is reported with its index and field."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError.at(source, None, "type", "expected a GeoJSON FeatureCollection")
    feats = data.get("features")
    if not isinstance(feats, list) or not feats:
        raise InputError.at(source, None, "features", "no feature in the file")
    errors: list[RowError] = []
    out: list[Shape] = []
    seen: set[tuple[str, int, str]] = set()

    def err(i: int, fld: str, reason: str) -> None:
        errors.append(RowError(source, i, fld, reason, unit="feature"))

    for i, f in enumerate(feats, start=1):
        props = f.get("properties") if isinstance(f, dict) else None
        geom = f.get("geometry") if isinstance(f, dict) else None
        if not isinstance(props, dict):
            err(i, "properties", "missing properties")
            continue
        camera = props.get("camera")
        if not isinstance(camera, str) or not camera.strip():
            err(i, "properties.camera", "a camera id is required")
            continue
        head = props.get("head", 0)
        if not isinstance(head, int) or isinstance(head, bool) or head < 0:
            err(i, "properties.head", f"head must be a whole number ≥ 0, got {head!r}")
            continue
        name = props.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            err(i, "properties.name", "a name (1 to 100 characters) is required")
            continue
        name = name.strip()
        if not isinstance(geom, dict) or geom.get("type") not in KINDS:
            err(i, "geometry.type", "geometry must be a Polygon (zone) or LineString (line)")
            continue
        kind = KINDS[geom["type"]]
        try:
            coords = geom.get("coordinates")
            if kind == "zone":
                if not isinstance(coords, list) or not coords:
                    raise ValueError("a Polygon needs an outer ring")
                pts = _points(coords[0])
                if len(pts) > 1 and pts[0] == pts[-1]:
                    pts = pts[:-1]
                if len(pts) < 3:
                    raise ValueError("a zone needs at least 3 distinct points")
                if not shapely.Polygon(pts).is_valid:
                    raise ValueError("the zone's outline crosses itself")
            else:
                pts = _points(coords)
                if len(pts) < 2 or len(set(pts)) < 2:
                    raise ValueError("a line needs at least 2 distinct points")
        except ValueError as exc:
            err(i, "geometry.coordinates", str(exc))
            continue
        key = (camera.strip(), head, name)
        if key in seen:
            err(i, "properties.name", f"name `{name}` used twice for camera {camera} head {head}")
            continue
        seen.add(key)
        out.append(Shape(camera.strip(), head, kind, name, tuple(pts)))
    if errors:
        msg = (f"{errors[0]}; nothing imported" if len(errors) == 1 else
               f"{source}: {len(errors)} feature(s) rejected; nothing imported")
        raise ImportRejected(msg, errors=errors)
    return out


def read_shapes_file(path: Path) -> list[Shape]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    return parse_shapes(data, str(path))


def zones_and_lines(shapes: Sequence[Shape]) -> tuple[list[Zone], list[Line]]:
    zones = [Zone(s.name, s.points) for s in shapes if s.kind == "zone"]
    lines = [Line(s.name, s.points) for s in shapes if s.kind == "line"]
    return zones, lines


class ShapeStore:
    """The zones and lines of one database."""

    def __init__(self, db: Database, keys: Keys) -> None:
        self.db = db
        self.keys = keys

    def shapes(self, camera_id: str | None = None, head: int | None = None) -> list[Shape]:
        with self.db.session() as s:
            q = select(AnalyticsShapeRow).order_by(AnalyticsShapeRow.camera_id,
                                                   AnalyticsShapeRow.head, AnalyticsShapeRow.id)
            if camera_id is not None:
                q = q.where(AnalyticsShapeRow.camera_id == camera_id)
            if head is not None:
                q = q.where(AnalyticsShapeRow.head == head)
            return [Shape(r.camera_id, r.head, r.kind, r.name,
                          tuple(tuple(p) for p in json.loads(r.points)))
                    for r in s.scalars(q).all()]

    def replace(self, shapes: Sequence[Shape], *, actor: Actor, source: str = "file",
                now: datetime | None = None) -> dict[str, int]:
        """Replace the zones and lines of every camera in `shapes`, in one transaction.

        Raises NotFoundError for a camera missing from the registry (nothing is written)."""
        from sentinelle.registry.store import Registry

        now = now or datetime.now(UTC)
        cameras = sorted({s.camera_id for s in shapes})
        reg = Registry(self.db, keys=self.keys)
        for c in cameras:
            reg.camera(c)
        with self.db.session() as s:
            s.execute(delete(AnalyticsShapeRow).where(AnalyticsShapeRow.camera_id.in_(cameras)))
            for sh in shapes:
                s.add(AnalyticsShapeRow(camera_id=sh.camera_id, head=sh.head, kind=sh.kind,
                                        name=sh.name, points=json.dumps(sh.points),
                                        imported_at=now))
            counts = {c: sum(1 for sh in shapes if sh.camera_id == c) for c in cameras}
            log = AuditLog(self.db, self.keys)
            for c in cameras:
                log.record(actor=actor, action=AuditAction.analytics_change,
                           object_type="camera", object_id=c, now=now, session=s,
                           details={"change": "zones_import", "source": source,
                                    "zones": sum(1 for sh in shapes if sh.camera_id == c
                                                 and sh.kind == "zone"),
                                    "lines": sum(1 for sh in shapes if sh.camera_id == c
                                                 and sh.kind == "line")})
        return counts
