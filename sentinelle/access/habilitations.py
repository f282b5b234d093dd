"""Habilitations: who may see which cameras' images, with which rights, until when.

A habilitation ties one person to cameras (listed, by zone, or all), with rights among
``live``, ``replay`` and ``export``, for a period, granted by someone, with the date of the
person's data-protection training and the date its refresher is due (CSI L252-2, L252-3;
R252-12, décret 2022-1152; LEGAL.md R14, R15). It may be limited to a territory (a zone of the
registry, e.g. the commune): a camera outside it is refused.

Access is refused when no habilitation in force covers the camera and the right: before its
start, after its end, once revoked, or when the refresher is overdue. Dates are days in
Europe/Paris. Each grant and revocation writes a ``habilitation_change`` audit entry in the same
transaction.

How a feature checks access (the CLI, which acts as the machine's operator, is exempt)::

    decision = Habilitations(db, keys).can(user, "replay", "REN-001", now=now)
    if not decision:
        ...  # refuse, and record the refused attempt in the audit log (outcome="denied")
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import shapely
from sqlalchemy import select

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.keys import Keys
from sentinelle.access.policy import allows
from sentinelle.access.users import User, Users
from sentinelle.db.access_tables import HabilitationRow, UserRow
from sentinelle.db.engine import Database
from sentinelle.errors import AccessDenied, InputError, NotFoundError
from sentinelle.registry.store import Registry
from sentinelle.registry.zone import Zone

PARIS = ZoneInfo("Europe/Paris")


class Right(StrEnum):
    """What a habilitation allows on its cameras."""

    live = "live"
    replay = "replay"
    export = "export"


RIGHT_PERMISSION = {Right.live: "video:live", Right.replay: "video:replay",
                    Right.export: "video:export"}


def local_day(now: datetime) -> date:
    """The day in Europe/Paris at `now`."""
    return now.astimezone(PARIS).date()


@dataclass(frozen=True)
class Habilitation:
    """One habilitation, as stored."""

    id: int
    username: str
    rights: tuple[Right, ...]
    all_cameras: bool
    camera_ids: tuple[str, ...]
    zones: tuple[str, ...]
    territory: str | None
    authorisation: str | None
    valid_from: date
    valid_until: date
    training_date: date
    refresher_due: date
    granted_by: str
    granted_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    note: str | None

    def state(self, today: date) -> str:
        """``active``, ``revoked``, ``not_yet``, ``expired`` or ``refresher_overdue``."""
        if self.revoked_at is not None:
            return "revoked"
        if today < self.valid_from:
            return "not_yet"
        if today > self.valid_until:
            return "expired"
        if today > self.refresher_due:
            return "refresher_overdue"
        return "active"

    def as_dict(self, *, today: date | None = None) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, date | datetime):
                d[k] = v.isoformat()
            elif isinstance(v, tuple):
                d[k] = [str(x) for x in v]
        if today is not None:
            d["state"] = self.state(today)
        return d


@dataclass(frozen=True)
class Decision:
    """The answer of `Habilitations.can`; true when access is allowed."""

    allowed: bool
    reason: str
    habilitation_id: int | None = None

    def __bool__(self) -> bool:
        return self.allowed


def _from_row(row: HabilitationRow, username: str) -> Habilitation:
    return Habilitation(
        id=row.id, username=username, rights=tuple(Right(r) for r in row.rights),
        all_cameras=row.all_cameras, camera_ids=tuple(row.camera_ids or ()),
        zones=tuple(row.zones or ()), territory=row.territory, authorisation=row.authorisation,
        valid_from=row.valid_from, valid_until=row.valid_until, training_date=row.training_date,
        refresher_due=row.refresher_due, granted_by=row.granted_by, granted_at=row.granted_at,
        revoked_at=row.revoked_at, revoked_by=row.revoked_by, note=row.note,
    )


def parse_rights(rights: Iterable[str] | str) -> tuple[Right, ...]:
    """Rights from names (a list, or a comma-separated string); at least one."""
    if isinstance(rights, str):
        rights = [r for r in rights.replace(";", ",").split(",")]
    out: list[Right] = []
    for r in rights:
        r = str(r).strip()
        if not r:
            continue
        try:
            right = Right(r)
        except ValueError:
            msg = f"right `{r}` is not one of: {', '.join(x.value for x in Right)}"
            raise InputError(msg) from None
        if right not in out:
            out.append(right)
    if not out:
        msg = "a habilitation needs at least one right: live, replay or export"
        raise InputError(msg)
    return tuple(out)


def _zone_key(z: Zone) -> str:
    return f"{z.kind.value}:{z.name}"


class Habilitations:
    """Grant, revoke, list and check habilitations.

    Parameters
    ----------
    db, keys
        The database and the server keys (for the audit log and the registry).
    """

    def __init__(self, db: Database, keys: Keys) -> None:
        self.db = db
        self.keys = keys
        self.audit = AuditLog(db, keys)
        self.registry = Registry(db, keys=keys)

    # changes

    def grant(
        self,
        *,
        username: str,
        rights: Iterable[str] | str,
        valid_from: date,
        valid_until: date,
        training_date: date,
        refresher_due: date,
        actor: Actor,
        cameras: Iterable[str] = (),
        zones: Iterable[str] = (),
        all_cameras: bool = False,
        territory: str | None = None,
        authorisation: str | None = None,
        note: str | None = None,
        now: datetime | None = None,
    ) -> Habilitation:
        """Grant a habilitation.

        Parameters
        ----------
        username
            The person habilitated (an active account whose role may see images).
        rights
            ``live``, ``replay``, ``export`` (each allowed to the role by the policy).
        valid_from, valid_until
            The period, inclusive (days in Europe/Paris).
        training_date, refresher_due
            Data-protection training taken (not in the future) and refresher due.
        cameras, zones, all_cameras
            The scope: camera ids, zones as ``kind:name``, or every camera. At least one.
        territory
            A zone ``kind:name`` (e.g. the commune) outside which cameras are refused (R15).
        authorisation
            The prefectoral authorisation this habilitation falls under (R14).

        Raises
        ------
        InputError
            Naming the field at fault.
        """
        now = now or datetime.now(UTC)
        today = local_day(now)
        rights_t = parse_rights(rights)
        cameras_t = tuple(dict.fromkeys(c.strip() for c in cameras if c.strip()))
        zones_t = tuple(dict.fromkeys(z.strip() for z in zones if z.strip()))
        if not (all_cameras or cameras_t or zones_t):
            msg = "a habilitation needs a scope: cameras, zones or all cameras"
            raise InputError(msg)
        if valid_until < valid_from:
            msg = f"`valid_until` {valid_until} is before `valid_from` {valid_from}"
            raise InputError(msg)
        if training_date > today:
            msg = f"`training_date` {training_date} is in the future: training comes first"
            raise InputError(msg)
        if refresher_due < training_date:
            msg = f"`refresher_due` {refresher_due} is before `training_date` {training_date}"
            raise InputError(msg)
        user = Users(self.db, self.keys).get(username)
        if not user.active:
            msg = f"user `{username}` is disabled"
            raise InputError(msg)
        for r in rights_t:
            if not allows(user.role, RIGHT_PERMISSION[r]):
                msg = f"role `{user.role}` of `{username}` may not be given the right `{r}`"
                raise InputError(msg)
        known_cams = {c.id for c in self.registry.cameras()}
        unknown = [c for c in cameras_t if c not in known_cams]
        if unknown:
            msg = f"unknown camera(s): {', '.join(unknown)}"
            raise InputError(msg)
        known_zones = {_zone_key(z) for z in self.registry.zones()}
        for z in (*zones_t, *([territory] if territory else [])):
            if z not in known_zones:
                msg = f"unknown zone `{z}` (expected kind:name, e.g. quartier:Centre)"
                raise InputError(msg)
        with self.db.session() as s:
            row = HabilitationRow(
                user_id=user.id, rights=[r.value for r in rights_t], all_cameras=all_cameras,
                camera_ids=list(cameras_t), zones=list(zones_t), territory=territory,
                authorisation=authorisation, valid_from=valid_from, valid_until=valid_until,
                training_date=training_date, refresher_due=refresher_due,
                granted_by=actor.name, granted_at=now, note=note,
            )
            s.add(row)
            s.flush()
            hab = _from_row(row, username)
            details = hab.as_dict()
            details["change"] = "grant"
            self.audit.record(actor=actor, action="habilitation_change",
                              object_type="habilitation", object_id=str(row.id),
                              details=details, now=now, session=s)
            return hab

    def revoke(self, habilitation_id: int, *, actor: Actor, reason: str | None = None,
               now: datetime | None = None) -> Habilitation:
        """Revoke a habilitation (it stays listed, as revoked)."""
        now = now or datetime.now(UTC)
        with self.db.session() as s:
            row = s.get(HabilitationRow, habilitation_id)
            if row is None:
                msg = f"no habilitation {habilitation_id}"
                raise NotFoundError(msg)
            if row.revoked_at is None:
                row.revoked_at, row.revoked_by = now, actor.name
                self.audit.record(actor=actor, action="habilitation_change",
                                  object_type="habilitation", object_id=str(row.id),
                                  details={"change": "revoke", "reason": reason},
                                  now=now, session=s)
            username = s.get(UserRow, row.user_id).username
            return _from_row(row, username)

    # reading

    def list(self, *, username: str | None = None) -> list[Habilitation]:
        """Every habilitation (revoked included), newest first."""
        with self.db.session() as s:
            q = (select(HabilitationRow, UserRow.username)
                 .join(UserRow, UserRow.id == HabilitationRow.user_id)
                 .order_by(HabilitationRow.id.desc()))
            if username:
                q = q.where(UserRow.username == username)
            return [_from_row(row, name) for row, name in s.execute(q).all()]

    def get(self, habilitation_id: int) -> Habilitation:
        for h in self.list():
            if h.id == habilitation_id:
                return h
        msg = f"no habilitation {habilitation_id}"
        raise NotFoundError(msg)

    # checking

    def _in_scope(self, hab: Habilitation, camera_id: str, point: Any,
                  zones: dict[str, Any]) -> str | None:
        """None when `camera_id` is within the habilitation's scope, else why not."""
        if hab.territory:
            terr = zones.get(hab.territory)
            if terr is None or not shapely.covers(terr, point):
                return f"camera {camera_id} lies outside the territory {hab.territory}"
        if hab.all_cameras or camera_id in hab.camera_ids:
            return None
        for z in hab.zones:
            geom = zones.get(z)
            if geom is not None and shapely.covers(geom, point):
                return None
        return f"camera {camera_id} is not in the scope of habilitation {hab.id}"

    def can(self, user: User, right: Right | str, camera_id: str, *,
            now: datetime | None = None) -> Decision:
        """May `user` exercise `right` on `camera_id` at `now`?

        Allowed only for an active account whose role holds the right's permission and who holds
        a habilitation in force (started, not ended, not revoked, refresher not overdue) with
        that right whose scope (and territory) covers the camera. The reason says why not.
        """
        now = now or datetime.now(UTC)
        today = local_day(now)
        right = parse_rights([str(right)])[0]
        if not user.active:
            return Decision(False, f"user {user.username} is disabled")
        if not allows(user.role, RIGHT_PERMISSION[right]):
            return Decision(False, f"role {user.role} never has the right {right}")
        try:
            cam = self.registry.camera(camera_id)
        except NotFoundError:
            return Decision(False, f"no camera {camera_id}")
        point = shapely.Point(cam.lon, cam.lat)
        habs = [h for h in self.list(username=user.username) if right in h.rights]
        if not habs:
            return Decision(False, f"{user.username} holds no habilitation with the right {right}")
        zones = {_zone_key(z): z.geometry for z in self.registry.zones()} if any(
            h.zones or h.territory for h in habs) else {}
        reasons = []
        for h in sorted(habs, key=lambda h: h.id):
            state = h.state(today)
            if state != "active":
                reasons.append(f"habilitation {h.id} is {state.replace('_', ' ')}")
                continue
            why = self._in_scope(h, camera_id, point, zones)
            if why is None:
                return Decision(True, f"habilitation {h.id}", h.id)
            reasons.append(why)
        return Decision(False, "; ".join(reasons))

    def require(self, user: User, right: Right | str, camera_id: str, *,
                now: datetime | None = None) -> Decision:
        """As `can`, but raise `AccessDenied` with the reason when refused."""
        decision = self.can(user, right, camera_id, now=now)
        if not decision:
            raise AccessDenied(decision.reason)
        return decision
