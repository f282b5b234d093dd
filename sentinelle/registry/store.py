"""The registry's store: the only module that reads and writes the registry tables.

Every write runs in one transaction. Every change of a camera writes a new row in
``camera_versions`` with its time, so the whole history stays readable.

Stream URLs (which carry the cameras' credentials) are encrypted at rest with the server key
(``sentinelle.access.keys``): the columns ``stream_main`` and ``stream_sub`` hold
``enc:v1:<Fernet token>``, and the store gives plain `Camera` objects back, server-side only.
Values written before encryption are read as they are and encrypted on their next write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import shapely
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sentinelle.access.keys import Keys, load_keys
from sentinelle.db.engine import Database
from sentinelle.db.tables import (
    AuthorisationRow,
    CameraRow,
    CameraVersionRow,
    HeadRow,
    ZoneRow,
)
from sentinelle.errors import NotFoundError
from sentinelle.registry.camera import HEAD_FIELDS, Camera, Head, is_redacted, redact_url
from sentinelle.registry.dates import PartialDate
from sentinelle.registry.zone import Authorisation, Zone, ZoneKind


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated


# -- conversions ----------------------------------------------------------------------------


def _camera_from_row(row: CameraRow, keys: Keys | None = None) -> Camera:
    heads = [Head(**{f: getattr(h, f) for f in HEAD_FIELDS}) for h in row.heads]
    return Camera.model_validate(
        {
            "id": row.id,
            "name": row.name,
            "lon": row.lon,
            "lat": row.lat,
            "height_m": row.height_m,
            "type": row.type,
            "status": row.status,
            "mount": row.mount,
            "installed": PartialDate.from_stored(row.installed, row.installed_precision),
            "installed_raw": row.installed_raw,
            "removed_on": PartialDate.from_stored(row.removed_on, row.removed_precision),
            "removed_raw": row.removed_raw,
            "purposes": list(row.purposes or []),
            "retention_days": row.retention_days,
            "authorisation": row.authorisation,
            "stream_main": _decrypt(keys, row.stream_main, row.id),
            "stream_sub": _decrypt(keys, row.stream_sub, row.id),
            "assumed": row.assumed,
            "heads": heads,
        }
    )


def _decrypt(keys: Keys | None, stored: str | None, camera_id: str) -> str | None:
    if stored is None or keys is None:
        return stored
    return keys.decrypt(stored, what=f"the stream URL of camera `{camera_id}`")


def _fill_row(row: CameraRow, cam: Camera, keys: Keys) -> None:
    row.name = cam.name
    row.lon = cam.lon
    row.lat = cam.lat
    row.height_m = cam.height_m
    row.type = cam.type.value if cam.type else None
    row.status = cam.status.value
    row.mount = cam.mount
    row.installed = cam.installed.first_day if cam.installed else None
    row.installed_precision = cam.installed.precision.value if cam.installed else None
    row.installed_raw = cam.installed_raw
    row.removed_on = cam.removed_on.first_day if cam.removed_on else None
    row.removed_precision = cam.removed_on.precision.value if cam.removed_on else None
    row.removed_raw = cam.removed_raw
    row.purposes = [p.value for p in cam.purposes]
    row.retention_days = cam.retention_days
    row.authorisation = cam.authorisation
    row.stream_main = keys.encrypt(cam.stream_main)
    row.stream_sub = keys.encrypt(cam.stream_sub)
    row.assumed = cam.assumed
    row.heads = [
        HeadRow(idx=i, **{f: getattr(h, f) for f in HEAD_FIELDS}) for i, h in enumerate(cam.heads)
    ]


def _keep_stored_secret(incoming: str | None, stored: str | None) -> str | None:
    """A redacted URL (``***@host``) coming back from an export keeps the stored credentials."""
    if is_redacted(incoming) and stored and redact_url(stored) == incoming:
        return stored
    return incoming


def _zone_from_row(row: ZoneRow) -> Zone:
    return Zone(
        kind=ZoneKind(row.kind),
        name=row.name,
        code=row.code,
        geometry=shapely.from_wkt(row.geometry_wkt),
        properties=dict(row.properties or {}),
    )


def _authorisation_from_row(row: AuthorisationRow) -> Authorisation:
    return Authorisation(
        reference=row.reference,
        type=row.type,
        issued=row.issued,
        expires=row.expires,
        purposes=list(row.purposes or []),
        max_retention_days=row.max_retention_days,
        min_retention_days=row.min_retention_days,
        perimeter=shapely.from_wkt(row.perimeter_wkt) if row.perimeter_wkt else None,
        cameras=list(row.camera_ids or []),
        authority=row.authority,
    )


# -- the store ------------------------------------------------------------------------------


class Registry:
    """Cameras, zones and authorisations in the database.

    Parameters
    ----------
    db
        The database.
    keys
        Server keys for the stream URLs at rest; by default those of the installation that the
        environment describes (``SENTINELLE_SECRET_KEY`` or ``SENTINELLE_HOME/secret.key``),
        loaded on first need.
    """

    def __init__(self, db: Database, *, keys: Keys | None = None) -> None:
        self.db = db
        self._keys = keys

    @property
    def keys(self) -> Keys:
        if self._keys is None:
            from sentinelle.settings import Settings

            self._keys = load_keys(Settings())
        return self._keys

    # cameras

    def save_cameras(
        self,
        cameras: Iterable[Camera],
        *,
        source: str | None = None,
        now: datetime | None = None,
        session: Session | None = None,
    ) -> WriteCounts:
        """Create or update cameras by `id`, in one transaction; history kept per change."""
        now = now or datetime.now(UTC)
        if session is not None:
            return self._save_cameras(session, list(cameras), source, now)
        with self.db.session() as s:
            return self._save_cameras(s, list(cameras), source, now)

    def _save_cameras(
        self, s: Session, cameras: Sequence[Camera], source: str | None, now: datetime
    ) -> WriteCounts:
        counts = WriteCounts()
        # Re-validate: a `model_copy(update=...)` made by a caller skips validation.
        cameras = [Camera.model_validate(c.model_dump(warnings=False)) for c in cameras]
        ids = [c.id for c in cameras]
        existing = {
            r.id: r for r in s.scalars(select(CameraRow).where(CameraRow.id.in_(ids))).all()
        } if ids else {}
        for cam in cameras:
            row = existing.get(cam.id)
            if row is None:
                row = CameraRow(id=cam.id, version=1, updated_at=now)
                _fill_row(row, cam, self.keys)
                s.add(row)
                existing[cam.id] = row
                change = "create"
                counts.created += 1
            else:
                stored = _camera_from_row(row, self.keys)
                cam = cam.model_copy(
                    update={
                        "stream_main": _keep_stored_secret(cam.stream_main, stored.stream_main),
                        "stream_sub": _keep_stored_secret(cam.stream_sub, stored.stream_sub),
                    }
                )
                if stored == cam:
                    counts.unchanged += 1
                    continue
                row.heads.clear()
                s.flush()  # delete the old heads before inserting new ones (unique idx)
                _fill_row(row, cam, self.keys)
                row.version += 1
                row.updated_at = now
                change = "update"
                counts.updated += 1
            s.add(
                CameraVersionRow(
                    camera_id=cam.id,
                    version=row.version,
                    change=change,
                    recorded_at=now,
                    source=source,
                    data=cam.to_record(secrets=False),
                )
            )
        s.flush()
        return counts

    def cameras(self, *, status: Sequence[str] | None = None) -> list[Camera]:
        with self.db.session() as s:
            q = select(CameraRow).order_by(CameraRow.id)
            if status:
                q = q.where(CameraRow.status.in_(list(status)))
            return [_camera_from_row(r, self.keys) for r in s.scalars(q).all()]

    def camera(self, camera_id: str) -> Camera:
        with self.db.session() as s:
            row = s.get(CameraRow, camera_id)
            if row is None:
                msg = f"no camera with id `{camera_id}`"
                raise NotFoundError(msg)
            return _camera_from_row(row, self.keys)

    def count_cameras(self) -> int:
        with self.db.session() as s:
            return len(s.scalars(select(CameraRow.id)).all())

    def camera_history(self, camera_id: str) -> list[dict]:
        """Every recorded state of a camera, oldest first, with its time and change."""
        with self.db.session() as s:
            rows = s.scalars(
                select(CameraVersionRow)
                .where(CameraVersionRow.camera_id == camera_id)
                .order_by(CameraVersionRow.version)
            ).all()
            return [
                {
                    "version": r.version,
                    "change": r.change,
                    "recorded_at": r.recorded_at.isoformat(),
                    "source": r.source,
                    "data": r.data,
                }
                for r in rows
            ]

    def delete_camera(self, camera_id: str, *, now: datetime | None = None) -> None:
        """Remove a camera from the registry; its history keeps a `delete` entry."""
        now = now or datetime.now(UTC)
        with self.db.session() as s:
            row = s.get(CameraRow, camera_id)
            if row is None:
                msg = f"no camera with id `{camera_id}`"
                raise NotFoundError(msg)
            data = _camera_from_row(row, self.keys).to_record()  # credentials redacted
            s.add(
                CameraVersionRow(
                    camera_id=camera_id,
                    version=row.version + 1,
                    change="delete",
                    recorded_at=now,
                    data=data,
                )
            )
            s.delete(row)

    # zones

    def save_zones(
        self,
        zones: Iterable[Zone],
        *,
        now: datetime | None = None,
        session: Session | None = None,
    ) -> WriteCounts:
        """Create or replace zones by (kind, name), in one transaction (or in `session`'s)."""
        now = now or datetime.now(UTC)
        if session is not None:
            return self._save_zones(session, zones, now)
        with self.db.session() as s:
            return self._save_zones(s, zones, now)

    def _save_zones(self, s: Session, zones: Iterable[Zone], now: datetime) -> WriteCounts:
        counts = WriteCounts()
        for z in zones:
            row = s.scalars(
                select(ZoneRow).where(ZoneRow.kind == z.kind.value, ZoneRow.name == z.name)
            ).one_or_none()
            wkt = shapely.to_wkt(z.geometry, rounding_precision=7)
            if row is None:
                s.add(
                    ZoneRow(
                        kind=z.kind.value,
                        name=z.name,
                        code=z.code,
                        geometry_wkt=wkt,
                        properties=z.properties,
                        updated_at=now,
                    )
                )
                counts.created += 1
            elif (row.code, row.geometry_wkt, row.properties) == (z.code, wkt, z.properties):
                counts.unchanged += 1
            else:
                row.code, row.geometry_wkt, row.properties = z.code, wkt, z.properties
                row.updated_at = now
                counts.updated += 1
        return counts

    def zones(self, kind: str | None = None) -> list[Zone]:
        with self.db.session() as s:
            q = select(ZoneRow).order_by(ZoneRow.kind, ZoneRow.name)
            if kind:
                q = q.where(ZoneRow.kind == kind)
            return [_zone_from_row(r) for r in s.scalars(q).all()]

    def delete_zones(self, kind: str) -> int:
        with self.db.session() as s:
            return s.execute(delete(ZoneRow).where(ZoneRow.kind == kind)).rowcount or 0

    # authorisations

    def save_authorisations(
        self,
        auths: Iterable[Authorisation],
        *,
        now: datetime | None = None,
        session: Session | None = None,
    ) -> WriteCounts:
        """Create or update authorisations by reference, in one transaction (or `session`'s)."""
        now = now or datetime.now(UTC)
        if session is not None:
            return self._save_authorisations(session, auths, now)
        with self.db.session() as s:
            return self._save_authorisations(s, auths, now)

    def _save_authorisations(
        self, s: Session, auths: Iterable[Authorisation], now: datetime
    ) -> WriteCounts:
        counts = WriteCounts()
        for a in auths:
            row = s.scalars(
                select(AuthorisationRow).where(AuthorisationRow.reference == a.reference)
            ).one_or_none()
            values = {
                "type": a.type.value,
                "issued": a.issued,
                "expires": a.expires,
                "purposes": [p.value for p in a.purposes],
                "max_retention_days": a.max_retention_days,
                "min_retention_days": a.min_retention_days,
                "perimeter_wkt": shapely.to_wkt(a.perimeter, rounding_precision=7)
                if a.perimeter is not None
                else None,
                "camera_ids": list(a.cameras),
                "authority": a.authority,
            }
            if row is None:
                s.add(AuthorisationRow(reference=a.reference, updated_at=now, **values))
                counts.created += 1
            elif all(getattr(row, k) == v for k, v in values.items()):
                counts.unchanged += 1
            else:
                for k, v in values.items():
                    setattr(row, k, v)
                row.updated_at = now
                counts.updated += 1
        return counts

    def authorisations(self) -> list[Authorisation]:
        with self.db.session() as s:
            rows = s.scalars(select(AuthorisationRow).order_by(AuthorisationRow.reference)).all()
            return [_authorisation_from_row(r) for r in rows]
