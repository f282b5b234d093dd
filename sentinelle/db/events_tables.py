"""ORM tables of event detection (décret 2023-828): legal bases, alerts, pipeline sessions.

Only `sentinelle.events` queries them. An alert holds metadata (camera, type, time, track ids
local to the camera, decision) and, until the camera's video retention ends, one blurred
thumbnail; no other image, and nothing about a person beyond a box.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.tables import Base
from sentinelle.db.types import UTCDateTime


class EventBasisRow(Base):
    """A legal basis of event detection: the text, the prefectoral decision, the cameras (the
    place), the period [start, end) and the event types allowed."""

    __tablename__ = "event_bases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text_ref: Mapped[str] = mapped_column(String(300))
    decision_ref: Mapped[str] = mapped_column(String(300))
    camera_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class EventAlertRow(Base):
    """An attention signal raised by a detector, and the human decision on it."""

    __tablename__ = "event_alerts"
    __table_args__ = (Index("ix_event_alerts_camera_ts", "camera_id", "ts"),
                      Index("ix_event_alerts_state", "state"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(40))
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    basis_id: Mapped[int] = mapped_column(Integer)
    tracks: Mapped[list[int]] = mapped_column(JSON, default=list)
    zone: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary)  # blurred JPEG
    thumbnail_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20))  # raised, confirmed, dismissed
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventSessionRow(Base):
    """One run of the event pipeline on a camera: under which basis, from when to when, why it
    stopped (R31 compares these with the bases)."""

    __tablename__ = "event_sessions"
    __table_args__ = (Index("ix_event_sessions_camera", "camera_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    basis_id: Mapped[int] = mapped_column(Integer)
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stop_reason: Mapped[str | None] = mapped_column(String(100))
