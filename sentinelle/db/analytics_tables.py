"""ORM tables of the analytics: enablements (legal basis), zones and lines, aggregate counts,
and each camera's pipeline state.

Only `sentinelle.analytics` queries them. No table holds an image, a box or a track: the
counts are totals per camera, bucket, zone or line, direction and class (R36).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.tables import Base
from sentinelle.db.types import UTCDateTime


class AnalyticsEnablementRow(Base):
    """A camera's analytics switch: mode, purpose, DPIA, legal basis and its end date."""

    __tablename__ = "analytics_enablements"

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    mode: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(Text)
    dpia_ref: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(200))
    until: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by: Mapped[str] = mapped_column(String(100))


class AnalyticsShapeRow(Base):
    """A counting zone (polygon) or line (polyline) of a camera head, in normalised image
    coordinates (JSON list of ``[x, y]``)."""

    __tablename__ = "analytics_shapes"
    __table_args__ = (Index("ix_analytics_shapes_camera", "camera_id", "head"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    head: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # "zone" or "line"
    name: Mapped[str] = mapped_column(String(100))
    points: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AnalyticsCountRow(Base):
    """An aggregate: objects of `cls` entering `zone` or crossing `line` in `direction` during
    the bucket [`start`, `start` + `bucket_s`)."""

    __tablename__ = "analytics_counts"
    __table_args__ = (Index("ix_analytics_counts_camera_start", "camera_id", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    bucket_s: Mapped[int] = mapped_column(Integer)
    zone: Mapped[str | None] = mapped_column(String(100))
    line: Mapped[str | None] = mapped_column(String(100))
    direction: Mapped[str | None] = mapped_column(String(10))
    cls: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer)


class AnalyticsCameraRow(Base):
    """A camera's pipeline as the supervisor last wrote it (no image, no detection)."""

    __tablename__ = "analytics_cameras"

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))  # running, stopped, expired, error
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    frames: Mapped[int] = mapped_column(Integer, default=0)
    detected: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)  # scrubbed of credentials
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
