"""ORM tables of recording: segments, ffmpeg runs, gaps, camera and recorder states, and the
control room's log and maintenance tickets.

Only `sentinelle.record` queries them. Camera ids are plain text, not foreign keys: footage and
its index outlive a camera removed from the registry until retention purges them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.tables import Base
from sentinelle.db.types import UTCDateTime


class SegmentRow(Base):
    """One recorded segment file: where it is, what time it covers, its size and SHA-256."""

    __tablename__ = "record_segments"
    __table_args__ = (Index("ix_record_segments_camera_start", "camera_id", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(500), unique=True)  # relative to recordings/
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_s: Mapped[float] = mapped_column(Float)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    complete: Mapped[bool] = mapped_column(Boolean)  # False: cut by a crash, indexed to its end
    run_id: Mapped[int | None] = mapped_column(Integer)
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RecordRunRow(Base):
    """One ffmpeg process recording one camera, from launch to exit."""

    __tablename__ = "record_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    recorder_id: Mapped[int | None] = mapped_column(Integer)
    launched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_packet_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    segment_list: Mapped[str | None] = mapped_column(String(500))


class GapRow(Base):
    """Time without footage for a camera: from the end of its last segment to the start of
    the next one (``end_at`` is empty while the gap lasts)."""

    __tablename__ = "record_gaps"
    __table_args__ = (Index("ix_record_gaps_camera_start", "camera_id", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)  # scrubbed of credentials


class RecordCameraRow(Base):
    """A camera's recording state as the recorder last wrote it."""

    __tablename__ = "record_cameras"

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))
    state_since: Mapped[datetime] = mapped_column(UTCDateTime)
    recorder_id: Mapped[int | None] = mapped_column(Integer)
    first_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restarts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)  # scrubbed of credentials
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RecorderRow(Base):
    """One `sentinelle record run` process: its host, pid and heartbeat."""

    __tablename__ = "record_recorders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    recordings: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_s: Mapped[float] = mapped_column(Float)
    offline_after_s: Mapped[float] = mapped_column(Float)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LogEntryRow(Base):
    """One entry of the control room's log (main courante)."""

    __tablename__ = "control_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    camera_id: Mapped[str | None] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))


class TicketRow(Base):
    """A maintenance ticket: a camera's fault, when it was opened and when closed."""

    __tablename__ = "maintenance_tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    fault: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(Text)
