"""Registry changes that leave their audit entry: imports and edits, each in one transaction.

The CLI and the web call these instead of the registry's store directly, so that every import
and configuration change is traceable (action ``import`` or ``config_change``). The change and
its entry commit together, or neither does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.db.engine import Database
from sentinelle.registry.importer import ImportReport, import_cameras
from sentinelle.registry.store import Registry, WriteCounts
from sentinelle.registry.zone import Authorisation, Zone


def _counts(c: WriteCounts) -> dict[str, int]:
    return {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}


def import_cameras_audited(
    db: Database,
    keys: Keys,
    path: Path | str,
    *,
    actor: Actor,
    format: str | None = None,
    mapping: dict[str, str] | str | None = None,
    all_or_nothing: bool = False,
    now: datetime | None = None,
) -> ImportReport:
    """`registry.importer.import_cameras`, with an ``import`` audit entry in its transaction."""
    now = now or datetime.now(UTC)
    path = Path(path)
    with db.session() as s:
        report = import_cameras(Registry(db, keys=keys), path, format=format, mapping=mapping,
                                all_or_nothing=all_or_nothing, now=now, session=s)
        AuditLog(db, keys).record(
            actor=actor, action="import", object_type="cameras", object_id=path.name, now=now,
            details={"file": path.name, "read": report.read, "created": report.created,
                     "updated": report.updated, "unchanged": report.unchanged,
                     "rejected": len(report.rejected), "written": report.written},
            session=s,
        )
    return report


def save_zones_audited(
    db: Database, keys: Keys, zones: Iterable[Zone], *, actor: Actor, source: str,
    now: datetime | None = None,
) -> WriteCounts:
    """Save zones with an ``import`` audit entry naming `source`."""
    now = now or datetime.now(UTC)
    zones = list(zones)
    with db.session() as s:
        counts = Registry(db, keys=keys).save_zones(zones, now=now, session=s)
        kinds = sorted({z.kind.value for z in zones})
        AuditLog(db, keys).record(
            actor=actor, action="import", object_type="zones", object_id=source, now=now,
            details={"file": source, "kinds": kinds, "zones": len(zones), **_counts(counts)},
            session=s,
        )
    return counts


def save_authorisations_audited(
    db: Database, keys: Keys, auths: Iterable[Authorisation], *, actor: Actor,
    source: str | None = None, now: datetime | None = None,
) -> WriteCounts:
    """Save authorisations: an ``import`` entry for a file (`source`), else ``config_change``."""
    now = now or datetime.now(UTC)
    auths = list(auths)
    with db.session() as s:
        counts = Registry(db, keys=keys).save_authorisations(auths, now=now, session=s)
        refs = [a.reference for a in auths]
        AuditLog(db, keys).record(
            actor=actor, action="import" if source else "config_change",
            object_type="authorisations" if source else "authorisation",
            object_id=source or (refs[0] if len(refs) == 1 else None), now=now,
            details={"file": source, "references": refs, **_counts(counts)}, session=s,
        )
    return counts
