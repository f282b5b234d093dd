"""ORM tables. The registry's store is the only module that queries them.

Geometries are kept as WKT text in WGS84 (EPSG:4326) so that SQLite and PostgreSQL share one
schema; PostGIS is optional and not required.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sentinelle.db.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class CameraRow(Base):
    __tablename__ = "cameras"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    height_m: Mapped[float | None] = mapped_column(Float)
    type: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    mount: Mapped[str | None] = mapped_column(String(40))
    installed: Mapped[date | None] = mapped_column(Date)
    installed_precision: Mapped[str | None] = mapped_column(String(5))
    installed_raw: Mapped[str | None] = mapped_column(String(200))
    removed_on: Mapped[date | None] = mapped_column(Date)
    removed_precision: Mapped[str | None] = mapped_column(String(5))
    removed_raw: Mapped[str | None] = mapped_column(String(200))
    purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    retention_days: Mapped[int | None] = mapped_column(Integer)
    authorisation: Mapped[str | None] = mapped_column(String(100), index=True)
    stream_main: Mapped[str | None] = mapped_column(Text)
    stream_sub: Mapped[str | None] = mapped_column(Text)
    assumed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    heads: Mapped[list[HeadRow]] = relationship(
        back_populates="camera",
        order_by="HeadRow.idx",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class HeadRow(Base):
    __tablename__ = "camera_heads"
    __table_args__ = (UniqueConstraint("camera_id", "idx"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(
        ForeignKey("cameras.id", ondelete="CASCADE"), index=True
    )
    idx: Mapped[int] = mapped_column(Integer)
    azimuth_deg: Mapped[float | None] = mapped_column(Float)
    hfov_deg: Mapped[float | None] = mapped_column(Float)
    tilt_deg: Mapped[float | None] = mapped_column(Float)
    range_m: Mapped[float | None] = mapped_column(Float)
    focal_mm: Mapped[float | None] = mapped_column(Float)
    sensor_width_mm: Mapped[float | None] = mapped_column(Float)
    image_width_px: Mapped[int | None] = mapped_column(Integer)
    pan_min_deg: Mapped[float | None] = mapped_column(Float)
    pan_max_deg: Mapped[float | None] = mapped_column(Float)

    camera: Mapped[CameraRow] = relationship(back_populates="heads")


class CameraVersionRow(Base):
    """Every state a camera has had: one row per change, with its time (history)."""

    __tablename__ = "camera_versions"
    __table_args__ = (UniqueConstraint("camera_id", "version"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(10))  # create | update | delete
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(String(300))
    data: Mapped[dict] = mapped_column(JSON)


class ZoneRow(Base):
    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str | None] = mapped_column(String(50))
    geometry_wkt: Mapped[str] = mapped_column(Text)
    properties: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuthorisationRow(Base):
    __tablename__ = "authorisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    issued: Mapped[date] = mapped_column(Date)
    expires: Mapped[date] = mapped_column(Date)
    purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_retention_days: Mapped[int] = mapped_column(Integer)
    min_retention_days: Mapped[int | None] = mapped_column(Integer)
    perimeter_wkt: Mapped[str | None] = mapped_column(Text)
    camera_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    authority: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

from sentinelle.db import access_tables  # noqa: F401,E402  (registers the access tables on Base)
