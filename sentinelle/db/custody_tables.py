"""ORM tables of custody: judicial requisitions and their windows, legal holds, data-subject
rights requests, and the destruction register written by the purge.

Only `sentinelle.custody` queries them. Camera ids are plain text, as in the recording tables:
a hold outlives a camera removed from the registry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.tables import Base
from sentinelle.db.types import UTCDateTime


class RequisitionRow(Base):
    """A judicial requisition (or an export's reference not yet documented: ``incomplete``)."""

    __tablename__ = "custody_requisitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    authority: Mapped[str | None] = mapped_column(String(200))
    officer: Mapped[str | None] = mapped_column(String(200))
    document: Mapped[str | None] = mapped_column(String(500))
    procedure: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(200))
    incomplete: Mapped[bool] = mapped_column(Boolean)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    footage_found: Mapped[bool | None] = mapped_column(Boolean)
    useful: Mapped[bool | None] = mapped_column(Boolean)
    case_solved: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)


class RequisitionWindowRow(Base):
    """One camera × time window a requisition asks for."""

    __tablename__ = "custody_requisition_windows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    requisition_id: Mapped[int] = mapped_column(
        ForeignKey("custody_requisitions.id", ondelete="CASCADE"), index=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RightsRequestRow(Base):
    """A data subject's request for access to footage of themselves (RGPD art. 15)."""

    __tablename__ = "custody_rights_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    requester: Mapped[str] = mapped_column(String(200))
    camera_id: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    answer: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)


class HoldRow(Base):
    """A legal hold: footage of a camera in a time window that retention may not purge."""

    __tablename__ = "custody_holds"
    __table_args__ = (Index("ix_custody_holds_camera_start", "camera_id", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # requisition | rights_request | manual
    requisition_id: Mapped[int | None] = mapped_column(
        ForeignKey("custody_requisitions.id"), index=True)
    rights_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("custody_rights_requests.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by: Mapped[str | None] = mapped_column(String(100))


class DestructionRow(Base):
    """The destruction register: one row per camera per purge run (CSI R252-11, LEGAL R13)."""

    __tablename__ = "custody_destructions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(40), index=True)
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    segments: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(40))  # retention | quota | quota_below_minimum
    destroyed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
