"""ORM tables of compliance (see ``sentinelle.compliance``).

Only ``sentinelle.compliance.store`` queries them: the authorisation file pieces, the signage
register, privacy masks, prefect notifications, the observed camera settings and the
controller's details.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.tables import Base
from sentinelle.db.types import UTCDateTime


class ComplianceDocumentRow(Base):
    """One piece of an authorisation file (or of the whole network when `authorisation` is
    None): AIPD, record-of-processing entry, signage model, plans…"""

    __tablename__ = "compliance_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    authorisation: Mapped[str | None] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[str | None] = mapped_column(String(40))
    doc_date: Mapped[date] = mapped_column(Date)
    dpo_opinion_date: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(200))


class SignRow(Base):
    """A sign of the signage register (position and content checklist)."""

    __tablename__ = "compliance_signs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    camera_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    pictogram: Mapped[bool] = mapped_column(Boolean, default=False)
    controller: Mapped[bool] = mapped_column(Boolean, default=False)
    purposes: Mapped[bool] = mapped_column(Boolean, default=False)
    rights_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_link: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_date: Mapped[date | None] = mapped_column(Date)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PrivacyMaskRow(Base):
    """A privacy mask of one camera: a ground polygon (WKT, WGS84) it must never show."""

    __tablename__ = "privacy_masks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    geometry_wkt: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(20), default="on_camera")
    note: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(200))


class PrefectNotificationRow(Base):
    """The prefect was told of a camera's addition, move or commissioning (R05)."""

    __tablename__ = "prefect_notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    authorisation: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    notified_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CameraConfigRow(Base):
    """A camera's settings as observed on the recorder / camera (R30, R37)."""

    __tablename__ = "camera_configs"

    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    retention_days: Mapped[int | None] = mapped_column(Integer)
    audio_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    analytics_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    analytics_legal_basis: Mapped[str | None] = mapped_column(String(300))
    analytics_until: Mapped[date | None] = mapped_column(Date)
    observed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(200))


class ComplianceSettingRow(Base):
    """The controller's details (name, responsible service, contact…): key → value."""

    __tablename__ = "compliance_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
