"""Image geometry of a camera head: privacy masks in the image, and the image↔ground homography.

Masks are polygons in *normalised image coordinates*: ``x`` from 0 (left edge) to 1 (right
edge), ``y`` from 0 (top) to 1 (bottom), so they hold whatever the stream's resolution. They are
the operational masks: `apply_masks` fills them on every frame before any other code sees it.

The homography maps image pixels ``(u, v)`` (of an ``image_width × image_height`` frame) to the
ground plane in Lambert-93 (EPSG:2154, metres), the metric frame the registry's geometry is
computed in. It is fitted (normalised DLT) from at least four pixel ↔ map point pairs measured
on a frame and on the map; points on the ground only (a homography holds for one plane).

`GeometryStore` keeps one `HeadGeometry` per camera head (the head's index in the camera's
``heads`` list, 0 for a single-head camera).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import delete, select

from sentinelle.db.engine import Database
from sentinelle.db.vision_tables import HeadGeometryRow
from sentinelle.errors import InputError, NotFoundError

MASK_MODES = ("on_camera", "encoder", "overlay")  # as sentinelle.compliance.masks.MaskMode
MAP_CRS = "EPSG:2154"
#: A fit whose pairs disagree with it by more than this (metres, RMS) is refused.
MAX_RMS_M = 2.0
#: Ground beyond this fraction of the image height below the horizon is ignored (far away).
HORIZON_MARGIN = 0.02

Polygon = list[tuple[float, float]]


@dataclass(frozen=True)
class PointPair:
    """One calibration pair: a pixel of the frame and the same point on the map (EPSG:2154)."""

    pixel: tuple[float, float]
    map: tuple[float, float]

    def as_dict(self) -> dict[str, Any]:
        return {"pixel": list(self.pixel), "map": list(self.map)}


@dataclass(frozen=True)
class HeadGeometry:
    """Privacy masks and optional homography of one camera head."""

    camera_id: str
    head: int
    image_width: int
    image_height: int
    masks: list[Polygon] = field(default_factory=list)
    mask_mode: str = "on_camera"
    points: list[PointPair] | None = None
    homography: NDArray[np.float64] | None = None  # 3×3, pixel → EPSG:2154
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def has_homography(self) -> bool:
        return self.homography is not None

    def rms_error_m(self) -> float | None:
        """RMS distance (metres) between the map points and the pixels mapped to the ground."""
        if self.homography is None or not self.points:
            return None
        px = np.array([p.pixel for p in self.points], float)
        gd = np.array([p.map for p in self.points], float)
        return _rms(self.homography, px, gd)

    def image_to_ground(self, pixels: Any) -> NDArray[np.float64]:
        """Pixels ``(u, v)`` → ground ``(x, y)`` in EPSG:2154 (needs a homography)."""
        if self.homography is None:
            raise InputError(f"camera {self.camera_id} head {self.head}: no homography")
        return _apply(self.homography, np.asarray(pixels, float).reshape(-1, 2))

    def ground_to_image(self, ground: Any) -> NDArray[np.float64]:
        """Ground ``(x, y)`` EPSG:2154 → pixels ``(u, v)`` (valid in front of the camera only)."""
        if self.homography is None:
            raise InputError(f"camera {self.camera_id} head {self.head}: no homography")
        return _apply(np.linalg.inv(self.homography), np.asarray(ground, float).reshape(-1, 2))

    def visible_image_region(self) -> shapely.Polygon:
        """The part of the image (pixels) below the horizon, where the ground plane is seen."""
        w, h = float(self.image_width), float(self.image_height)
        rect = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
        if self.homography is None:
            return shapely.Polygon(rect)
        a, b, c = self.homography[2]
        sign = self._front_sign()
        # Keep sign·(a u + b v + c) ≥ margin: a little below the horizon line.
        margin = HORIZON_MARGIN * h * float(np.hypot(a, b))
        poly = _clip_halfplane(rect, sign * a, sign * b, sign * c - margin)
        return shapely.Polygon(poly) if len(poly) >= 3 else shapely.Polygon()

    def visible_ground(self) -> shapely.Polygon:
        """The ground the image shows (EPSG:2154), horizon excluded."""
        region = self.visible_image_region()
        if region.is_empty or self.homography is None:
            return shapely.Polygon()
        return shapely.Polygon(self.image_to_ground(np.asarray(region.exterior.coords)))

    def _front_sign(self) -> float:
        assert self.homography is not None
        if self.points:
            px = np.array([p.pixel for p in self.points], float)
        else:
            px = np.array([[self.image_width / 2, self.image_height]], float)
        w = self.homography[2, 0] * px[:, 0] + self.homography[2, 1] * px[:, 1] \
            + self.homography[2, 2]
        return 1.0 if float(np.median(w)) > 0 else -1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "camera_id": self.camera_id, "head": self.head,
            "image_width": self.image_width, "image_height": self.image_height,
            "masks": [[list(p) for p in m] for m in self.masks], "mask_mode": self.mask_mode,
            "points": None if self.points is None else [p.as_dict() for p in self.points],
            "homography": None if self.homography is None else self.homography.tolist(),
            "rms_error_m": None if self.rms_error_m() is None else round(self.rms_error_m(), 3),
            "map_crs": MAP_CRS,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "updated_by": self.updated_by,
        }


# -- homography ------------------------------------------------------------------------------

def _apply(h: NDArray[np.float64], xy: NDArray[np.float64]) -> NDArray[np.float64]:
    p = np.column_stack([xy, np.ones(len(xy))]) @ h.T
    return p[:, :2] / p[:, 2:3]


def _rms(h: NDArray[np.float64], px: NDArray[np.float64], gd: NDArray[np.float64]) -> float:
    return float(np.sqrt(np.mean(np.sum((_apply(h, px) - gd) ** 2, axis=1))))


def _normaliser(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    c = xy.mean(axis=0)
    d = np.sqrt(np.sum((xy - c) ** 2, axis=1)).mean()
    s = np.sqrt(2) / d if d > 0 else 1.0
    return np.array([[s, 0, -s * c[0]], [0, s, -s * c[1]], [0, 0, 1]], float)


def _collinear(xy: NDArray[np.float64]) -> bool:
    """True when the points do not span a plane (all on one line, or fewer than 3 distinct)."""
    centred = xy - xy.mean(axis=0)
    sv = np.linalg.svd(centred, compute_uv=False)
    return bool(sv[0] == 0 or sv[1] / sv[0] < 1e-3)


def fit_homography(pixels: Any, ground: Any, *, where: str = "points") -> NDArray[np.float64]:
    """The 3×3 homography pixel → ground from ≥ 4 pairs (normalised DLT, least squares).

    Raises `InputError` naming `where` when there are too few pairs, when the pixels or the
    ground points are (nearly) collinear, or when the fit is degenerate.
    """
    px = np.asarray(pixels, float).reshape(-1, 2)
    gd = np.asarray(ground, float).reshape(-1, 2)
    if len(px) != len(gd):
        raise InputError(f"{where}: {len(px)} pixels but {len(gd)} map points")
    if len(px) < 4:
        raise InputError(f"{where}: a homography needs at least 4 point pairs, got {len(px)}")
    if not (np.isfinite(px).all() and np.isfinite(gd).all()):
        raise InputError(f"{where}: coordinates must be finite numbers")
    if _collinear(px):
        raise InputError(f"{where}: the pixels lie on one line; spread them over the ground")
    if _collinear(gd):
        raise InputError(f"{where}: the map points lie on one line; spread them over the ground")
    tp, tg = _normaliser(px), _normaliser(gd)
    pn = _apply(tp, px)
    gn = _apply(tg, gd)
    rows = []
    for (u, v), (x, y) in zip(pn, gn, strict=True):
        rows.append([-u, -v, -1, 0, 0, 0, x * u, x * v, x])
        rows.append([0, 0, 0, -u, -v, -1, y * u, y * v, y])
    _, sv, vt = np.linalg.svd(np.asarray(rows, float))
    hn = vt[-1].reshape(3, 3)
    if len(sv) >= 8 and sv[7] < 1e-9 * max(sv[0], 1e-300):
        raise InputError(f"{where}: the point pairs do not determine a homography")
    h = np.linalg.inv(tg) @ hn @ tp
    if abs(np.linalg.det(h)) < 1e-15 or not np.isfinite(h).all():
        raise InputError(f"{where}: the point pairs give a degenerate homography")
    return h / np.linalg.norm(h)


def _clip_halfplane(poly: Sequence[tuple[float, float]], a: float, b: float, c: float
                    ) -> list[tuple[float, float]]:
    """Sutherland–Hodgman: the part of convex `poly` where ``a·x + b·y + c ≥ 0``."""
    out: list[tuple[float, float]] = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        fp, fq = a * p[0] + b * p[1] + c, a * q[0] + b * q[1] + c
        if fp >= 0:
            out.append(p)
        if (fp >= 0) != (fq >= 0):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


# -- masks -----------------------------------------------------------------------------------

def validate_masks(masks: Any, *, where: str = "masks") -> list[Polygon]:
    """Check mask polygons in normalised image coordinates; `InputError` names mask and point."""
    if not isinstance(masks, list):
        raise InputError(f"{where}: expected a list of polygons, each a list of [x, y] in 0–1")
    out: list[Polygon] = []
    for i, m in enumerate(masks):
        if not isinstance(m, list) or len(m) < 3:
            raise InputError(f"{where}[{i}]: a polygon needs at least 3 points [x, y]")
        poly: Polygon = []
        for j, p in enumerate(m):
            if (not isinstance(p, list | tuple) or len(p) != 2
                    or not all(isinstance(v, int | float) and not isinstance(v, bool)
                               for v in p)):
                raise InputError(f"{where}[{i}][{j}]: expected [x, y] numbers, got {p!r}")
            x, y = float(p[0]), float(p[1])
            if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
                raise InputError(f"{where}[{i}][{j}]: ({x}, {y}) is outside the image: "
                                 "normalised coordinates run from 0 to 1")
            poly.append((x, y))
        shape = shapely.Polygon(poly)
        reason = shapely.is_valid_reason(shape)
        if reason.startswith(("Self-intersection", "Ring Self-intersection")):
            raise InputError(f"{where}[{i}]: the polygon crosses itself")
        if shape.area <= 0:
            raise InputError(f"{where}[{i}]: the polygon has no area")
        if not shape.is_valid:
            raise InputError(f"{where}[{i}]: invalid polygon ({reason})")
        out.append(poly)
    return out


@lru_cache(maxsize=64)
def _mask_raster(height: int, width: int, masks: tuple[tuple[tuple[float, float], ...], ...]
                 ) -> NDArray[np.bool_]:
    """Boolean image, True on every pixel a mask touches (pixel centres within half a pixel
    diagonal of a polygon: a partly covered pixel is filled too)."""
    out = np.zeros((height, width), bool)
    if not masks:
        return out
    polys = [shapely.Polygon([(x * width, y * height) for x, y in m]) for m in masks]
    shape = shapely.buffer(shapely.union_all(polys), 0.71)
    x0, y0, x1, y1 = shape.bounds
    c0, c1 = max(0, int(np.floor(x0))), min(width, int(np.ceil(x1)) + 1)
    r0, r1 = max(0, int(np.floor(y0))), min(height, int(np.ceil(y1)) + 1)
    if c0 >= c1 or r0 >= r1:
        return out
    cols = np.arange(c0, c1) + 0.5
    rows = np.arange(r0, r1) + 0.5
    xx, yy = np.meshgrid(cols, rows)
    shapely.prepare(shape)
    inside = shapely.contains_xy(shape, xx.ravel(), yy.ravel()).reshape(xx.shape)
    out[r0:r1, c0:c1] = inside
    out.setflags(write=False)
    return out


def mask_raster(shape: tuple[int, ...], masks: Sequence[Sequence[tuple[float, float]]]
                ) -> NDArray[np.bool_]:
    """The boolean pixel mask of `masks` for a frame of `shape` (height, width[, channels])."""
    key = tuple(tuple((float(x), float(y)) for x, y in m) for m in masks)
    return _mask_raster(int(shape[0]), int(shape[1]), key)


def apply_masks(frame: NDArray[np.uint8], masks: Sequence[Sequence[tuple[float, float]]],
                *, value: int = 0) -> NDArray[np.uint8]:
    """Fill the masks on a BGR (or grey) frame, in place, and return it.

    Every pixel a mask polygon touches is set to `value` (black): what is under a mask never
    reaches later code. The pixel raster of a set of masks is cached per frame size.
    """
    if not masks:
        return frame
    key = tuple(tuple((float(x), float(y)) for x, y in m) for m in masks)
    channels = frame.shape[2] if frame.ndim == 3 else 0
    where = _full_raster(int(frame.shape[0]), int(frame.shape[1]), channels, key)
    np.copyto(frame, np.asarray(value, frame.dtype), where=where)  # ~0.5 ms at 768×576
    return frame


@lru_cache(maxsize=16)
def _full_raster(height: int, width: int, channels: int,
                 masks: tuple[tuple[tuple[float, float], ...], ...]) -> NDArray[np.bool_]:
    raster = _mask_raster(height, width, masks)
    if channels:
        raster = np.repeat(raster[:, :, None], channels, axis=2)
        raster.setflags(write=False)
    return raster


# -- storage ---------------------------------------------------------------------------------

def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _geometry(r: HeadGeometryRow) -> HeadGeometry:
    points = None if r.points is None else [
        PointPair(tuple(p["pixel"]), tuple(p["map"])) for p in r.points]  # type: ignore[arg-type]
    return HeadGeometry(
        camera_id=r.camera_id, head=r.head, image_width=r.image_width,
        image_height=r.image_height,
        masks=[[(float(x), float(y)) for x, y in m] for m in (r.masks or [])],
        mask_mode=r.mask_mode, points=points,
        homography=None if r.homography is None else np.asarray(r.homography, float),
        updated_at=r.updated_at, updated_by=r.updated_by,
    )


def parse_points(points: Any, width: int, height: int, *, where: str = "points"
                 ) -> list[PointPair]:
    """Validate calibration pairs ``[{"pixel": [u, v], "map": [x, y]}, ...]`` (pixels inside
    the ``width × height`` frame)."""
    if not isinstance(points, list):
        raise InputError(f"{where}: expected a list of {{\"pixel\": [u, v], \"map\": [x, y]}}")
    out = []
    for i, p in enumerate(points):
        if not isinstance(p, dict) or set(p) - {"pixel", "map"} or not {"pixel", "map"} <= set(p):
            raise InputError(f"{where}[{i}]: expected {{\"pixel\": [u, v], \"map\": [x, y]}}")
        pair = []
        for k in ("pixel", "map"):
            v = p[k]
            if (not isinstance(v, list | tuple) or len(v) != 2
                    or not all(isinstance(c, int | float) and not isinstance(c, bool)
                               for c in v)):
                raise InputError(f"{where}[{i}].{k}: expected two numbers, got {v!r}")
            pair.append((float(v[0]), float(v[1])))
        u, v = pair[0]
        if not (0 <= u <= width and 0 <= v <= height):
            raise InputError(f"{where}[{i}].pixel: ({u}, {v}) is outside the "
                             f"{width}×{height} image")
        out.append(PointPair(pair[0], pair[1]))
    return out


class GeometryStore:
    """Image geometry per camera head, in the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, camera_id: str, head: int = 0) -> HeadGeometry | None:
        with self.db.session() as s:
            r = s.get(HeadGeometryRow, (camera_id, head))
            return None if r is None else _geometry(r)

    def all(self, *, camera_id: str | None = None) -> list[HeadGeometry]:
        with self.db.session() as s:
            q = select(HeadGeometryRow).order_by(HeadGeometryRow.camera_id, HeadGeometryRow.head)
            if camera_id is not None:
                q = q.where(HeadGeometryRow.camera_id == camera_id)
            return [_geometry(r) for r in s.scalars(q).all()]

    def set(
        self, camera_id: str, head: int = 0, *, image_width: int, image_height: int,
        masks: Any = (), mask_mode: str = "on_camera", points: Any = None,
        updated_by: str = "cli", now: datetime | None = None,
    ) -> HeadGeometry:
        """Replace the geometry of one head. Everything is checked before anything is written.

        `masks`: polygons in normalised image coordinates. `points`: None (no homography) or
        ≥ 4 calibration pairs (pixels of the ``image_width × image_height`` frame ↔ EPSG:2154).
        """
        if not camera_id:
            raise InputError("camera: an id is required")
        if isinstance(head, bool) or not isinstance(head, int) or head < 0:
            raise InputError(f"head: expected an index ≥ 0, got {head!r}")
        for name, v in (("image_width", image_width), ("image_height", image_height)):
            if isinstance(v, bool) or not isinstance(v, int) or not 0 < v <= 20000:
                raise InputError(f"{name}: expected a pixel count between 1 and 20000, got {v!r}")
        if mask_mode not in MASK_MODES:
            raise InputError(f"mask_mode: {mask_mode!r}; expected one of {', '.join(MASK_MODES)}")
        polys = validate_masks(list(masks))
        pairs = None
        h = None
        if points is not None:
            pairs = parse_points(points, image_width, image_height)
            h = fit_homography([p.pixel for p in pairs], [p.map for p in pairs])
            rms = _rms(h, np.array([p.pixel for p in pairs]), np.array([p.map for p in pairs]))
            if rms > MAX_RMS_M:
                raise InputError(f"points: the pairs disagree with the fitted homography by "
                                 f"{rms:.1f} m RMS (> {MAX_RMS_M} m): a pair is wrong or not "
                                 "on the ground plane")
        with self.db.session() as s:
            r = s.get(HeadGeometryRow, (camera_id, head))
            if r is None:
                r = HeadGeometryRow(camera_id=camera_id, head=head)
                s.add(r)
            r.image_width, r.image_height = image_width, image_height
            r.masks = [[list(p) for p in m] for m in polys]
            r.mask_mode = mask_mode
            r.points = None if pairs is None else [p.as_dict() for p in pairs]
            r.homography = None if h is None else h.tolist()
            r.updated_at, r.updated_by = _now(now), updated_by
            s.flush()
            return _geometry(r)

    def delete(self, camera_id: str, head: int = 0) -> None:
        with self.db.session() as s:
            if s.get(HeadGeometryRow, (camera_id, head)) is None:
                raise NotFoundError(f"camera {camera_id} head {head}: no image geometry")
            s.execute(delete(HeadGeometryRow).where(HeadGeometryRow.camera_id == camera_id,
                                                    HeadGeometryRow.head == head))


def load_geometry_file(path: Path) -> dict[str, Any]:
    """Read a head geometry file (JSON) for `GeometryStore.set`; map points may be given in
    WGS84 with ``"map_crs": "EPSG:4326"`` (lon, lat) and are then projected to EPSG:2154.

    ::

        {"image_width": 768, "image_height": 576, "mask_mode": "encoder",
         "masks": [[[0, 0], [0.3, 0], [0.3, 0.2], [0, 0.2]]],
         "points": [{"pixel": [100, 500], "map": [351200.5, 6789100.2]}, ...],
         "map_crs": "EPSG:2154"}
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise InputError(f"{path}: not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a JSON object")
    allowed = {"image_width", "image_height", "masks", "mask_mode", "points", "map_crs"}
    extra = sorted(set(doc) - allowed)
    if extra:
        raise InputError(f"{path}: unknown field(s) {', '.join(extra)}; "
                         f"expected {', '.join(sorted(allowed))}")
    for k in ("image_width", "image_height"):
        if k not in doc:
            raise InputError(f"{path}: field `{k}` is required")
    crs = doc.pop("map_crs", MAP_CRS)
    if crs not in (MAP_CRS, "EPSG:4326"):
        raise InputError(f"{path}: field `map_crs`: {crs!r}; expected EPSG:2154 or EPSG:4326")
    pts = doc.get("points")
    if crs == "EPSG:4326" and isinstance(pts, list):
        from pyproj import Transformer

        t = Transformer.from_crs("EPSG:4326", MAP_CRS, always_xy=True)
        conv = []
        for i, p in enumerate(pts):
            try:
                lon, lat = float(p["map"][0]), float(p["map"][1])
            except (KeyError, TypeError, ValueError, IndexError):
                raise InputError(f"{path}: points[{i}].map: expected [lon, lat]") from None
            x, y = t.transform(lon, lat)
            conv.append({**p, "map": [x, y]})
        doc["points"] = conv
    return doc
