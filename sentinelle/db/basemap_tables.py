"""ORM tables of the base map: streets, street nodes, buildings, derived blocks, layers.

Geometries are WKT text in WGS84 (EPSG:4326), as in the registry's tables, so SQLite and
PostgreSQL share one schema. Only `sentinelle.adapters.basemap_store` queries them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.tables import Base
from sentinelle.db.types import UTCDateTime


class BasemapLayerRow(Base):
    """One imported layer: where it came from, its attribution, when, how many features."""

    __tablename__ = "basemap_layers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    layer: Mapped[str] = mapped_column(String(20), unique=True)  # streets | buildings | blocks
    source_file: Mapped[str | None] = mapped_column(String(300))
    attribution: Mapped[str | None] = mapped_column(String(300))
    feature_count: Mapped[int] = mapped_column(Integer)
    crs: Mapped[str | None] = mapped_column(String(40))  # metric CRS used to derive
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StreetRow(Base):
    __tablename__ = "basemap_streets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    highway: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str | None] = mapped_column(String(300))
    geometry_wkt: Mapped[str] = mapped_column(Text)


class StreetNodeRow(Base):
    """A street node: an intersection (derived) or a tagged node such as traffic signals."""

    __tablename__ = "basemap_nodes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)  # intersection | traffic_signals
    geometry_wkt: Mapped[str] = mapped_column(Text)


class BuildingRow(Base):
    __tablename__ = "basemap_buildings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str | None] = mapped_column(String(100))
    height_m: Mapped[float | None] = mapped_column(Float)
    usage: Mapped[str | None] = mapped_column(String(100))
    dwellings: Mapped[float | None] = mapped_column(Float)
    geometry_wkt: Mapped[str] = mapped_column(Text)
    properties: Mapped[dict] = mapped_column(JSON, default=dict)


class BlockRow(Base):
    """A built block derived from the streets where no building footprint exists."""

    __tablename__ = "basemap_blocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    geometry_wkt: Mapped[str] = mapped_column(Text)
