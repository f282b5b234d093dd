"""The exchange formats and how a file's format is recognised."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from sentinelle.errors import InputError


class Format(StrEnum):
    geojson = "geojson"
    csv = "csv"
    osm = "osm"
    gpkg = "gpkg"


_SUFFIXES = {
    ".geojson": Format.geojson,
    ".json": Format.geojson,
    ".csv": Format.csv,
    ".tsv": Format.csv,
    ".txt": Format.csv,
    ".osm": Format.osm,
    ".xml": Format.osm,
    ".gpkg": Format.gpkg,
}


def detect_format(path: Path, given: str | None = None) -> Format:
    """The format named by `given`, else the one the file suffix implies."""
    if given:
        try:
            return Format(given.lower())
        except ValueError:
            valid = ", ".join(f.value for f in Format)
            msg = f"format `{given}` is not supported; valid formats: {valid}"
            raise InputError(msg) from None
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        valid = ", ".join(sorted(_SUFFIXES))
        msg = (
            f"{path}: cannot tell the format from the suffix `{path.suffix}` ({valid}); "
            "use --format"
        )
        raise InputError(msg)
    return fmt
