"""Base map layers read from files: streets (OSM) and building footprints, in WGS84.

Streets come from an OSM extract as GeoJSON or GeoPackage (the primary path: LineStrings
with a ``highway`` tag, and tagged nodes such as ``highway=traffic_signals`` as Points), or as
OSM PBF / XML through pyosmium. Buildings come from GeoJSON or GeoPackage; every field is
kept, and height, usage and dwelling counts are read from the usual field names
(`HEIGHT_FIELDS`, `USAGE_FIELDS`, `DWELLING_FIELDS`). Files in another CRS are reprojected to
WGS84. Errors are `InputError`s that name the file, the feature and the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from sentinelle.errors import InputError

__all__ = [
    "DWELLING_FIELDS",
    "DWELLING_USAGES",
    "HEIGHT_FIELDS",
    "OSM_ATTRIBUTION",
    "USAGE_FIELDS",
    "dwelling_mask",
    "json_value",
    "BuildingsLayer",
    "StreetsLayer",
    "read_buildings",
    "read_streets",
]

OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
HEIGHT_FIELDS = ("height_m", "height", "hauteur", "HAUTEUR")
USAGE_FIELDS = ("usage", "usage1", "USAGE1", "building", "nature", "NATURE")
# Dwelling counts, summed when several are present (BD TOPO / Rennes: houses + flats).
DWELLING_FIELDS = ("dwellings", "nb_logts", "NB_LOGTS", "nb_maison", "nb_appart")
DWELLING_USAGES = frozenset(
    {
        "residential", "house", "apartments", "detached", "semidetached_house", "terrace",
        "dormitory", "bungalow", "residentiel", "résidentiel", "habitation", "logement",
        "logements", "indifferencie_habitat",
    }
)
_PBF_SUFFIXES = (".pbf", ".osm", ".osm.bz2", ".osm.gz", ".o5m")


@dataclass(frozen=True)
class StreetsLayer:
    """Street centre lines and tagged street nodes, WGS84."""

    lines: NDArray  # LineStrings
    highway: NDArray  # OSM highway class of each line
    name: NDArray  # street name or None
    points: NDArray = field(default_factory=lambda: np.empty(0, dtype=object))
    point_highway: NDArray = field(default_factory=lambda: np.empty(0, dtype=object))
    attribution: str = OSM_ATTRIBUTION
    source_file: str | None = None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(shapely.total_bounds(self.lines))  # type: ignore[return-value]


@dataclass(frozen=True)
class BuildingsLayer:
    """Building footprints (Polygon/MultiPolygon), WGS84, with what is known of each."""

    polygons: NDArray
    source_id: NDArray  # identifier in the source file, or None
    height_m: NDArray  # NaN where unknown
    usage: NDArray  # usage text or None
    dwellings: NDArray  # number of dwellings, NaN where unknown
    properties: list[dict[str, Any]] = field(default_factory=list)
    attribution: str | None = None
    source_file: str | None = None

    def __len__(self) -> int:
        return int(self.polygons.size)

    @property
    def is_dwelling(self) -> NDArray:
        """True where the building holds dwellings (a count > 0 or a residential usage)."""
        return dwelling_mask(self.usage, self.dwellings)


def dwelling_mask(usage: NDArray, dwellings: NDArray) -> NDArray:
    """True where a building holds dwellings: a dwelling count > 0 or a residential usage."""
    by_usage = np.array(
        [str(u).strip().lower() in DWELLING_USAGES if u is not None else False for u in usage],
        dtype=bool,
    )
    return (np.nan_to_num(np.asarray(dwellings, float), nan=0.0) > 0) | by_usage


def _to_wgs84(geoms: NDArray, crs: str | None) -> NDArray:
    if not crs:
        return geoms
    c = CRS.from_user_input(crs)
    if c.equals(CRS.from_epsg(4326)) or c.equals(CRS.from_user_input("OGC:CRS84")):
        return geoms
    t = Transformer.from_crs(c, "EPSG:4326", always_xy=True)

    def fn(xy: NDArray) -> NDArray:
        x, y = t.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, fn)


def _read_vector(path: Path) -> tuple[NDArray, dict[str, NDArray]]:
    if not path.exists():
        raise InputError.at(str(path), None, None, "file not found")
    try:
        meta, _fids, wkb, values = pyogrio.raw.read(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError and friends
        raise InputError.at(str(path), None, None, f"cannot read as a vector file: {exc}") from exc
    geoms = shapely.from_wkb(wkb)
    geoms = _to_wgs84(geoms, meta.get("crs"))
    columns = {str(n): v for n, v in zip(meta["fields"], values, strict=True)}
    return geoms, columns


def _text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    s = str(v).strip()
    return s or None


def read_streets(path: str | Path) -> StreetsLayer:
    """Read an OSM street extract (GeoJSON/GeoPackage, or PBF/XML through pyosmium).

    Lines without a ``highway`` tag are left out; Points with one are kept as street nodes
    (traffic signals, crossings, mini-roundabouts...).
    """
    p = Path(path)
    if p.name.lower().endswith(_PBF_SUFFIXES):
        return _read_osm_file(p)
    geoms, cols = _read_vector(p)
    if "highway" not in cols:
        raise InputError.at(str(p), None, "highway", "no `highway` field: not an OSM street layer")
    highway = np.array([_text(v) for v in cols["highway"]], dtype=object)
    names = np.array([_text(v) for v in cols.get("name", [None] * len(geoms))], dtype=object)
    types = shapely.get_type_id(geoms)
    tagged = highway != None  # noqa: E711
    line = tagged & np.isin(types, [1, 5])  # LineString, MultiLineString
    point = tagged & (types == 0)
    lines = geoms[line]
    line_hw, line_name = highway[line], names[line]
    # Multi-lines become one line per part, keeping their tags.
    parts, idx = shapely.get_parts(lines, return_index=True)
    if not len(parts):
        raise InputError.at(str(p), None, "geometry", "no LineString with a `highway` tag")
    return StreetsLayer(
        lines=parts,
        highway=line_hw[idx],
        name=line_name[idx],
        points=geoms[point],
        point_highway=highway[point],
        source_file=p.name,
    )


def _read_osm_file(path: Path) -> StreetsLayer:
    try:
        import osmium
    except ImportError as exc:  # pragma: no cover - a declared dependency
        msg = "reading OSM PBF needs pyosmium: pip install osmium"
        raise InputError.at(str(path), None, None, msg) from exc
    if not path.exists():
        raise InputError.at(str(path), None, None, "file not found")
    coords: list[NDArray] = []
    hw: list[str] = []
    names: list[str | None] = []
    pts: list[tuple[float, float]] = []
    pt_hw: list[str] = []
    try:
        fp = osmium.FileProcessor(str(path)).with_locations().with_filter(
            osmium.filter.KeyFilter("highway")
        )
        for obj in fp:
            if obj.is_node():
                pts.append((obj.location.lon, obj.location.lat))
                pt_hw.append(obj.tags["highway"])
            elif obj.is_way() and len(obj.nodes) >= 2:
                try:
                    xy = np.array([(n.lon, n.lat) for n in obj.nodes], float)
                except osmium.InvalidLocationError:
                    continue  # a way whose nodes are outside the extract
                coords.append(xy)
                hw.append(obj.tags["highway"])
                names.append(obj.tags.get("name"))
    except RuntimeError as exc:
        raise InputError.at(str(path), None, None, f"cannot read OSM file: {exc}") from exc
    if not coords:
        raise InputError.at(str(path), None, "highway", "no way with a `highway` tag")
    lines = shapely.linestrings(
        np.concatenate(coords), indices=np.repeat(np.arange(len(coords)), [len(c) for c in coords])
    )
    return StreetsLayer(
        lines=lines,
        highway=np.array(hw, dtype=object),
        name=np.array(names, dtype=object),
        points=shapely.points(np.array(pts, float).reshape(-1, 2)),
        point_highway=np.array(pt_hw, dtype=object),
        source_file=path.name,
    )


def _first_field(cols: dict[str, NDArray], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in cols), None)


def _numbers(path: Path, cols: dict[str, NDArray], name: str) -> NDArray:
    out = np.full(len(cols[name]), np.nan)
    for i, v in enumerate(cols[name]):
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        try:
            out[i] = float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)
        except (TypeError, ValueError):
            raise InputError.at(str(path), i + 1, name, f"'{v}' is not a number") from None
        if out[i] < 0:
            raise InputError.at(str(path), i + 1, name, f"{v} is negative")
    return out


def read_buildings(path: str | Path, *, attribution: str | None = None) -> BuildingsLayer:
    """Read building footprints (GeoJSON/GeoPackage), keeping height, usage and dwellings.

    Features are numbered from 1 in error messages. Non-polygon features are refused.
    """
    p = Path(path)
    geoms, cols = _read_vector(p)
    types = shapely.get_type_id(geoms)
    for i in np.flatnonzero(~np.isin(types, [3, 6])):
        kind = "no geometry" if geoms[i] is None else geoms[i].geom_type
        raise InputError.at(
            str(p), int(i) + 1, "geometry", f"a building is a Polygon or MultiPolygon ({kind})"
        )
    geoms = shapely.make_valid(geoms)
    n = len(geoms)
    hf = _first_field(cols, HEIGHT_FIELDS)
    uf = _first_field(cols, USAGE_FIELDS)
    idf = _first_field(cols, ("id", "gml_id", "ID", "cleabs", "osm_id"))
    height = _numbers(p, cols, hf) if hf else np.full(n, np.nan)
    dwell = np.full(n, np.nan)
    for f in DWELLING_FIELDS:
        if f in cols:
            v = _numbers(p, cols, f)
            dwell = np.where(np.isnan(dwell), v, np.where(np.isnan(v), dwell, dwell + v))
    usage = np.array([_text(v) for v in cols[uf]] if uf else [None] * n, dtype=object)
    ids = np.array([_text(v) for v in cols[idf]] if idf else [None] * n, dtype=object)
    names = list(cols)
    props = [
        {k: json_value(cols[k][i]) for k in names} for i in range(n)
    ]
    return BuildingsLayer(
        polygons=geoms,
        source_id=ids,
        height_m=height,
        usage=usage,
        dwellings=dwell,
        properties=props,
        attribution=attribution,
        source_file=p.name,
    )


def json_value(v: Any) -> Any:
    """A JSON-able value (numpy scalars to Python, NaN to None)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)
