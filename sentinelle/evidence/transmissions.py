"""The register of transmissions (LEGAL.md R13): one row per evidence export handed over.

Append-only: a row is written in the same transaction as the export's ``export`` audit entry
and never changed. For a recipient designated under L252-3 the row carries the date by which the
recipient's copy must be destroyed (one month after the transmission, R12); judicial exports
have none (penal procedure). Exportable as CSV for the CDVP or the CNIL.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sentinelle.db.engine import Database
from sentinelle.db.evidence_tables import TransmissionRow
from sentinelle.serial import iso_dict


@dataclass(frozen=True)
class Transmission:
    """One row of the register, as stored."""

    id: int
    transmitted_at: datetime
    camera_id: str
    start: datetime
    end: datetime
    legal_basis: str
    requisition_ref: str | None
    recipient: str | None
    exported_by: str
    out_dir: str
    manifest_sha256: str
    files: int
    size_bytes: int
    reencoded: bool
    delete_by: datetime | None
    audit_seq: int | None

    def as_dict(self) -> dict[str, Any]:
        d = iso_dict(self)
        return d


COLUMNS = [f for f in Transmission.__dataclass_fields__]


def _from_row(r: TransmissionRow) -> Transmission:
    return Transmission(
        id=r.id, transmitted_at=r.transmitted_at, camera_id=r.camera_id, start=r.start_at,
        end=r.end_at, legal_basis=r.legal_basis, requisition_ref=r.requisition_ref,
        recipient=r.recipient, exported_by=r.exported_by, out_dir=r.out_dir,
        manifest_sha256=r.manifest_sha256, files=r.files, size_bytes=r.size_bytes,
        reencoded=r.reencoded, delete_by=r.delete_by, audit_seq=r.audit_seq,
    )


class TransmissionRegister:
    """Read and append the register of transmissions."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, session: Session, *, transmitted_at: datetime, camera_id: str,
            start: datetime, end: datetime, legal_basis: str, requisition_ref: str | None,
            recipient: str | None, exported_by: str, out_dir: str, manifest_sha256: str,
            files: int, size_bytes: int, delete_by: datetime | None,
            audit_seq: int | None, reencoded: bool = False) -> int:
        """Append one row in the caller's transaction; return its id."""
        row = {
            "transmitted_at": transmitted_at, "camera_id": camera_id, "start_at": start,
            "end_at": end, "legal_basis": legal_basis, "requisition_ref": requisition_ref,
            "recipient": recipient, "exported_by": exported_by, "out_dir": out_dir,
            "manifest_sha256": manifest_sha256, "files": files, "size_bytes": size_bytes,
            "reencoded": reencoded, "delete_by": delete_by, "audit_seq": audit_seq,
        }
        res = session.execute(insert(TransmissionRow).values(**row).returning(TransmissionRow.id))
        return int(res.scalar_one())

    def list(self, *, camera_id: str | None = None, since: datetime | None = None,
             until: datetime | None = None) -> list[Transmission]:
        """Rows, oldest first, matching every filter given."""
        q = select(TransmissionRow).order_by(TransmissionRow.transmitted_at, TransmissionRow.id)
        if camera_id:
            q = q.where(TransmissionRow.camera_id == camera_id)
        if since:
            q = q.where(TransmissionRow.transmitted_at >= since)
        if until:
            q = q.where(TransmissionRow.transmitted_at < until)
        with self.db.session() as s:
            return [_from_row(r) for r in s.scalars(q)]


def register_csv(rows: list[Transmission]) -> str:
    """The register as CSV text (one header line, ISO 8601 times)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r.as_dict())
    return buf.getvalue()
