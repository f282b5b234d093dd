"""The analytics switch of each camera and its legal basis.

Analytics ship disabled. `enable` records, for one camera, the only mode this version knows
(``stats``: anonymous statistics), its purpose, the DPIA reference and the end date of the
legal basis "CNIL 2022 — statistiques anonymes" (R30, R36). Nothing runs after that date: the
basis ends at midnight, Europe/Paris, at the end of `until`. Every change is audited as
``analytics_change``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sentinelle.access.audit import Actor, AuditAction, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.db.analytics_tables import AnalyticsEnablementRow
from sentinelle.db.engine import Database
from sentinelle.errors import InputError, NotFoundError

#: The legal basis of the statistics mode (CNIL position of 19 July 2022).
STATS_BASIS = "CNIL 2022 — statistiques anonymes"
PARIS = ZoneInfo("Europe/Paris")
#: Longest a basis may be granted for in one go (a DPIA is reviewed at least that often).
MAX_DAYS = 3 * 366


class Mode(StrEnum):
    """What the analytics of a camera may do. Event detection (décret 2023-828) is not
    available: it needs its own legal basis and comes with a later version."""

    stats = "stats"


@dataclass(frozen=True)
class Enablement:
    """A camera's analytics switch as stored."""

    camera_id: str
    enabled: bool
    mode: str
    purpose: str
    dpia_ref: str
    legal_basis: str
    until: date
    changed_at: datetime
    changed_by: str

    @property
    def ends_at(self) -> datetime:
        """The instant the basis ends (midnight Europe/Paris after `until`), in UTC."""
        return end_of(self.until)

    def active(self, now: datetime) -> bool:
        """Enabled, and its basis still in force at `now`."""
        return self.enabled and now < self.ends_at

    def as_dict(self) -> dict[str, Any]:
        return {"camera_id": self.camera_id, "enabled": self.enabled, "mode": self.mode,
                "purpose": self.purpose, "dpia_ref": self.dpia_ref,
                "legal_basis": self.legal_basis, "until": self.until.isoformat(),
                "ends_at": self.ends_at.isoformat(), "changed_at": self.changed_at.isoformat(),
                "changed_by": self.changed_by}


def end_of(until: date) -> datetime:
    return datetime.combine(until + timedelta(days=1), time(0), PARIS).astimezone(UTC)


def _row(r: AnalyticsEnablementRow) -> Enablement:
    return Enablement(camera_id=r.camera_id, enabled=r.enabled, mode=r.mode, purpose=r.purpose,
                      dpia_ref=r.dpia_ref, legal_basis=r.legal_basis, until=r.until,
                      changed_at=r.changed_at, changed_by=r.changed_by)


class Enablements:
    """The analytics switches of one database."""

    def __init__(self, db: Database, keys: Keys) -> None:
        self.db = db
        self.keys = keys

    def get(self, camera_id: str) -> Enablement | None:
        with self.db.session() as s:
            r = s.get(AnalyticsEnablementRow, camera_id)
            return _row(r) if r else None

    def all(self) -> list[Enablement]:
        with self.db.session() as s:
            rows = s.scalars(select(AnalyticsEnablementRow)
                             .order_by(AnalyticsEnablementRow.camera_id)).all()
            return [_row(r) for r in rows]

    def active(self, now: datetime | None = None) -> list[Enablement]:
        """The enablements whose basis is in force at `now`."""
        now = now or datetime.now(UTC)
        return [e for e in self.all() if e.active(now)]

    def enable(self, camera_id: str, *, mode: str, purpose: str, dpia: str, until: date,
               actor: Actor, now: datetime | None = None) -> Enablement:
        """Switch analytics on for `camera_id` under the statistics basis until `until`.

        Raises
        ------
        InputError
            An unknown mode, an empty purpose or DPIA reference, an end date already past or
            more than three years away.
        NotFoundError
            No such camera in the registry.
        """
        from sentinelle.registry.store import Registry

        now = now or datetime.now(UTC)
        try:
            mode_ = Mode(mode)
        except ValueError:
            raise InputError(
                f"--mode `{mode}` is not available: only `stats` (anonymous statistics, CNIL "
                "2022) is; event detection needs the décret 2023-828 basis (R31)") from None
        if not purpose.strip():
            raise InputError("--purpose must say why the statistics are produced")
        if not dpia.strip():
            raise InputError("--dpia must give the reference of the DPIA (AIPD) covering them")
        today = now.astimezone(PARIS).date()
        if until < today:
            raise InputError(f"--until {until.isoformat()} is already past (today is "
                             f"{today.isoformat()})")
        if (until - today).days > MAX_DAYS:
            raise InputError(f"--until {until.isoformat()} is more than {MAX_DAYS} days away: "
                             "grant the basis for a shorter period and renew it")
        Registry(self.db, keys=self.keys).camera(camera_id)  # NotFoundError if unknown
        fields = {"enabled": True, "mode": mode_.value, "purpose": purpose.strip(),
                  "dpia_ref": dpia.strip(), "legal_basis": STATS_BASIS, "until": until,
                  "changed_at": now, "changed_by": actor.name}
        with self.db.session() as s:
            row = s.get(AnalyticsEnablementRow, camera_id)
            if row is None:
                row = AnalyticsEnablementRow(camera_id=camera_id, **fields)
                s.add(row)
            else:
                for k, v in fields.items():
                    setattr(row, k, v)
            s.flush()
            AuditLog(self.db, self.keys).record(
                actor=actor, action=AuditAction.analytics_change, object_type="camera",
                object_id=camera_id, purpose=fields["purpose"],
                details={"change": "enable", "mode": mode_.value, "legal_basis": STATS_BASIS,
                         "dpia": fields["dpia_ref"], "until": until.isoformat()},
                now=now, session=s)
            return _row(row)

    def disable(self, camera_id: str, *, actor: Actor, reason: str = "disable",
                now: datetime | None = None) -> Enablement:
        """Switch analytics off for `camera_id` (kept as a record, `enabled` false)."""
        now = now or datetime.now(UTC)
        with self.db.session() as s:
            row = s.get(AnalyticsEnablementRow, camera_id)
            if row is None or not row.enabled:
                raise NotFoundError(f"analytics are not enabled on camera `{camera_id}`")
            row.enabled, row.changed_at, row.changed_by = False, now, actor.name
            s.flush()
            AuditLog(self.db, self.keys).record(
                actor=actor, action=AuditAction.analytics_change, object_type="camera",
                object_id=camera_id, details={"change": reason, "until": row.until.isoformat()},
                now=now, session=s)
            return _row(row)
