"""ORM table of evidence exports: the register of transmissions (LEGAL.md R13, R12, R20).

Only `sentinelle.evidence.transmissions` reads or writes it. Rows are appended, never updated:
one row per export handed over, written in the same transaction as its ``export`` audit entry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.tables import Base
from sentinelle.db.types import UTCDateTime


class TransmissionRow(Base):
    """One evidence export: what footage, on which legal basis, to whom, by whom, when."""

    __tablename__ = "evidence_transmissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transmitted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    camera_id: Mapped[str] = mapped_column(String(64), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the window asked for
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    legal_basis: Mapped[str] = mapped_column(String(40))
    requisition_ref: Mapped[str | None] = mapped_column(String(200))
    recipient: Mapped[str | None] = mapped_column(String(200))
    exported_by: Mapped[str] = mapped_column(String(100))
    out_dir: Mapped[str] = mapped_column(Text)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    reencoded: Mapped[bool] = mapped_column(Boolean, default=False)
    delete_by: Mapped[datetime | None] = mapped_column(UTCDateTime)  # recipient copy (R12)
    audit_seq: Mapped[int | None] = mapped_column(Integer)
