"""Reading and writing the registry: GeoJSON, CSV, OpenStreetMap tags, GeoPackage."""

from sentinelle.registry.io.formats import Format, detect_format

__all__ = ["Format", "detect_format"]
