"""The destruction register: what footage each purge run destroyed (CSI R252-11, LEGAL R13).

One row per camera per purge run: the period destroyed (first start to last end of the
segments removed), how many segments and bytes, why (``retention``, ``quota``,
``quota_below_minimum``, several joined by commas), when and by whom. Rows are only ever
added.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.db.custody_tables import DestructionRow
from sentinelle.db.engine import Database
from sentinelle.serial import iso_dict


@dataclass(frozen=True)
class Destruction:
    id: int
    run_id: str
    camera_id: str
    period_start: datetime
    period_end: datetime
    segments: int
    bytes: int
    reason: str
    destroyed_at: datetime
    actor: str

    def as_dict(self) -> dict[str, Any]:
        d = iso_dict(self)
        return d


def _destruction(r: DestructionRow) -> Destruction:
    return Destruction(r.id, r.run_id, r.camera_id, r.period_start, r.period_end, r.segments,
                       r.bytes, r.reason, r.destroyed_at, r.actor)


def write_destruction(s: Session, *, run_id: str, camera_id: str, period: tuple[datetime,
                      datetime], segments: int, size: int, reasons: set[str],
                      destroyed_at: datetime, actor: str) -> DestructionRow:
    """Add one row to the register in the caller's transaction."""
    row = DestructionRow(run_id=run_id, camera_id=camera_id, period_start=period[0],
                         period_end=period[1], segments=segments, bytes=size,
                         reason=",".join(sorted(reasons)), destroyed_at=destroyed_at,
                         actor=actor)
    s.add(row)
    s.flush()
    return row


class DestructionRegister:
    """Reading the destruction register."""

    COLUMNS = ("run_id", "camera_id", "period_start", "period_end", "segments", "bytes",
               "reason", "destroyed_at", "actor")

    def __init__(self, db: Database) -> None:
        self.db = db

    def rows(self, *, camera_id: str | None = None, since: datetime | None = None
             ) -> list[Destruction]:
        """Rows, oldest first; a camera's only, or those destroyed at or after `since`."""
        q = select(DestructionRow).order_by(DestructionRow.destroyed_at, DestructionRow.id)
        if camera_id is not None:
            q = q.where(DestructionRow.camera_id == camera_id)
        if since is not None:
            q = q.where(DestructionRow.destroyed_at >= since)
        with self.db.session() as s:
            return [_destruction(r) for r in s.scalars(q)]

    def write_csv(self, out: Path) -> int:
        """The register as CSV (for the CDVP or the CNIL); return the number of rows."""
        rows = self.rows()
        with out.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(self.COLUMNS)
            for r in rows:
                d = r.as_dict()
                w.writerow([d[c] for c in self.COLUMNS])
        return len(rows)
