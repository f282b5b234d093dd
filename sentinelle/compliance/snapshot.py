"""The snapshot the rules read: registry, documents, habilitations and the rest, at `today`.

Rules are pure functions of a `Snapshot`; `load_snapshot` reads one from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from sentinelle.access.audit import AuditEntry
from sentinelle.access.habilitations import Habilitation
from sentinelle.analytics.basis import Enablement
from sentinelle.compliance.documents import Document
from sentinelle.compliance.masks import DwellingView, Mask
from sentinelle.compliance.signage import DEFAULT_SIGN_RADIUS_M, Sign
from sentinelle.compliance.store import CameraConfig, Notification
from sentinelle.evidence.transmissions import Transmission
from sentinelle.registry.camera import Camera
from sentinelle.registry.zone import Authorisation

if TYPE_CHECKING:
    from sentinelle.custody.facts import CustodyFacts


@dataclass(frozen=True)
class UserInfo:
    """What the rules need of an account: its role and whether it is active."""

    username: str
    role: str
    active: bool


@dataclass(frozen=True)
class Snapshot:
    """Everything the compliance rules look at, on one day.

    `dwellings` maps each camera whose field of view is known to the dwelling buildings its
    view reaches; None when no base map with buildings is loaded (R07 is then not checked).
    """

    today: date
    cameras: list[Camera] = field(default_factory=list)
    authorisations: list[Authorisation] = field(default_factory=list)
    histories: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)
    signs: list[Sign] = field(default_factory=list)
    masks: list[Mask] = field(default_factory=list)
    habilitations: list[Habilitation] = field(default_factory=list)
    users: dict[str, UserInfo] = field(default_factory=dict)
    configs: dict[str, CameraConfig] = field(default_factory=dict)
    notifications: list[Notification] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    dwellings: dict[str, list[DwellingView]] | None = None
    analytics: list[Enablement] = field(default_factory=list)
    #: Image geometry per camera (`sentinelle.vision.geometry.HeadGeometry`, one per head).
    head_geometries: dict[str, list[Any]] = field(default_factory=dict)
    #: Event detection (décret 2023-828): bases (`sentinelle.events.basis.EventBasis`), the
    #: pipeline sessions and the alerts' metadata (dicts), for R31.
    event_bases: list[Any] = field(default_factory=list)
    event_sessions: list[dict[str, Any]] = field(default_factory=list)
    event_alerts: list[Any] = field(default_factory=list)
    sign_radius_m: float = DEFAULT_SIGN_RADIUS_M
    transmissions: list[Transmission] = field(default_factory=list)
    export_entries: list[AuditEntry] = field(default_factory=list)
    export_requisitions: dict[str, Any] = field(default_factory=dict)  # reference → Requisition
    custody: CustodyFacts | None = None  # footage, holds, purges (None: not checked)

    def authorisation(self, reference: str | None) -> Authorisation | None:
        """The authorisation with this reference, or None."""
        if not reference:
            return None
        for a in self.authorisations:
            if a.reference == reference:
                return a
        return None


def load_snapshot(
    db: Any, keys: Any, *, today: date, dwellings: bool = True, now: datetime | None = None,
) -> Snapshot:
    """Read a snapshot from the database.

    Parameters
    ----------
    db
        The database.
    keys
        The installation's keys (the registry decrypts stream URLs with them; the rules never
        read those).
    today
        The day the rules judge.
    dwellings
        Compute which dwellings each camera sees (needs the base map; the slow part).
    now
        The instant footage and holds are judged at (R10, R11). Default: now when `today` is
        today (UTC), else the end of `today`.
    """
    from sentinelle.access.audit import AuditLog
    from sentinelle.access.habilitations import Habilitations
    from sentinelle.access.users import Users
    from sentinelle.adapters.basemap_store import BasemapStore
    from sentinelle.analytics.basis import Enablements
    from sentinelle.compliance.masks import dwelling_views
    from sentinelle.compliance.store import ComplianceStore
    from sentinelle.custody.facts import load_custody_facts
    from sentinelle.custody.requisitions import RequisitionStore
    from sentinelle.events.alerts import Alerts
    from sentinelle.events.basis import EventBases
    from sentinelle.events.runner import sessions as event_sessions
    from sentinelle.evidence.transmissions import TransmissionRegister
    from sentinelle.registry.store import Registry

    registry = Registry(db, keys=keys)
    cameras = registry.cameras()
    store = ComplianceStore(db)
    users = {u.username: UserInfo(u.username, str(u.role), bool(u.active))
             for u in Users(db, keys).all()}
    from sentinelle.vision.geometry import GeometryStore

    head_geometries: dict[str, list[Any]] = {}
    for g in GeometryStore(db).all():
        head_geometries.setdefault(g.camera_id, []).append(g)
    views = None
    if dwellings:
        basemap = BasemapStore(db).load()
        if basemap is not None and basemap.buildings.size:
            live = [c for c in cameras if str(c.status) in ("in_service", "planned")]
            views = dwelling_views(live, basemap)
    transmissions = TransmissionRegister(db).list()
    refs = {t.requisition_ref for t in transmissions if t.requisition_ref}
    export_requisitions = {r.reference: r for r in RequisitionStore(db).list()
                           if r.reference in refs} if refs else {}
    return Snapshot(
        today=today,
        cameras=cameras,
        authorisations=registry.authorisations(),
        histories={c.id: registry.camera_history(c.id) for c in cameras},
        documents=store.documents(),
        signs=store.signs(),
        masks=store.masks(),
        habilitations=Habilitations(db, keys).list(),
        users=users,
        configs=store.configs(),
        notifications=store.notifications(),
        settings=store.settings(),
        dwellings=views,
        analytics=Enablements(db, keys).all(),
        head_geometries=head_geometries,
        transmissions=transmissions,
        export_requisitions=export_requisitions,
        export_entries=AuditLog(db, keys).entries(action="export", limit=None,
                                                  newest_first=False),
        custody=load_custody_facts(db, keys, now=now or _instant(today)),
        event_bases=EventBases(db, keys).all(),
        event_sessions=event_sessions(db),
        event_alerts=Alerts(db, keys).list(),
    )


def _instant(today: date) -> datetime:
    current = datetime.now(UTC)
    if today == current.date():
        return current
    return datetime.combine(today, time(23, 59, 59), UTC)
