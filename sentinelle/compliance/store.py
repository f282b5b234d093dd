"""Storage of the compliance records: file pieces, signs, masks, notifications, settings.

The only module that queries ``sentinelle.db.compliance_tables``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import shapely
from sqlalchemy import delete, select

from sentinelle.compliance.documents import Document, DocumentKind
from sentinelle.compliance.masks import Mask, MaskMode
from sentinelle.compliance.signage import Sign
from sentinelle.db.compliance_tables import (
    CameraConfigRow,
    ComplianceDocumentRow,
    ComplianceSettingRow,
    PrefectNotificationRow,
    PrivacyMaskRow,
    SignRow,
)
from sentinelle.db.engine import Database
from sentinelle.errors import InputError, NotFoundError

#: Controller details the public register and the signs need (key → French label).
SETTINGS_FR: dict[str, str] = {
    "controller": "Responsable du traitement",
    "service": "Service responsable",
    "contact": "Contact pour l'exercice des droits",
    "dpo_contact": "Contact du délégué à la protection des données",
    "ropa_entry": "Référence de la fiche du registre des traitements",
}
NOTIFICATION_KINDS = ("ajout", "deplacement", "mise_en_service", "modification")


@dataclass(frozen=True)
class Notification:
    """The prefect was told of a camera change (R05)."""

    id: int
    camera_id: str
    authorisation: str | None
    kind: str
    notified_on: date
    reference: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "camera_id": self.camera_id, "authorisation": self.authorisation,
                "kind": self.kind, "notified_on": self.notified_on.isoformat(),
                "reference": self.reference}


@dataclass(frozen=True)
class CameraConfig:
    """A camera's settings as observed on the equipment (R30, R37)."""

    camera_id: str
    retention_days: int | None
    audio_enabled: bool
    analytics_enabled: bool
    analytics_legal_basis: str | None
    analytics_until: date | None
    observed_on: date
    source: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "camera_id": self.camera_id, "retention_days": self.retention_days,
            "audio_enabled": self.audio_enabled, "analytics_enabled": self.analytics_enabled,
            "analytics_legal_basis": self.analytics_legal_basis,
            "analytics_until": self.analytics_until.isoformat() if self.analytics_until
            else None,
            "observed_on": self.observed_on.isoformat(), "source": self.source,
        }


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


class ComplianceStore:
    """The compliance records of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # documents -------------------------------------------------------------------------

    def add_document(
        self, *, kind: DocumentKind | str, title: str, doc_date: date,
        authorisation: str | None = None, version: str | None = None,
        dpo_opinion_date: date | None = None, location: str | None = None,
        added_by: str = "cli", now: datetime | None = None,
    ) -> Document:
        """Record a file piece (`authorisation` None: a network-wide piece)."""
        try:
            kind = DocumentKind(str(kind))
        except ValueError:
            valid = ", ".join(k.value for k in DocumentKind)
            raise InputError(f"unknown document kind {kind!r}; valid kinds: {valid}") from None
        if not title.strip():
            raise InputError("a document needs a title")
        with self.db.session() as s:
            row = ComplianceDocumentRow(
                authorisation=authorisation, kind=kind.value, title=title.strip(),
                version=version, doc_date=doc_date, dpo_opinion_date=dpo_opinion_date,
                location=location, added_at=_now(now), added_by=added_by)
            s.add(row)
            s.flush()
            return _document(row)

    def documents(self, *, authorisation: str | None = None) -> list[Document]:
        with self.db.session() as s:
            q = select(ComplianceDocumentRow).order_by(ComplianceDocumentRow.id)
            if authorisation is not None:
                q = q.where(ComplianceDocumentRow.authorisation == authorisation)
            return [_document(r) for r in s.scalars(q).all()]

    # signs -----------------------------------------------------------------------------

    def add_sign(
        self, *, name: str, lon: float, lat: float, camera_ids: list[str] | None = None,
        pictogram: bool = False, controller: bool = False, purposes: bool = False,
        rights_contact: bool = False, notice_link: bool = False,
        photo_date: date | None = None, now: datetime | None = None,
    ) -> Sign:
        """Record a sign with its position and content checklist."""
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(f"sign {name!r}: position ({lon}, {lat}) is not WGS84")
        with self.db.session() as s:
            row = SignRow(name=name, lon=lon, lat=lat, camera_ids=list(camera_ids or []),
                          pictogram=pictogram, controller=controller, purposes=purposes,
                          rights_contact=rights_contact, notice_link=notice_link,
                          photo_date=photo_date, added_at=_now(now))
            s.add(row)
            s.flush()
            return _sign(row)

    def signs(self) -> list[Sign]:
        with self.db.session() as s:
            return [_sign(r) for r in s.scalars(select(SignRow).order_by(SignRow.id)).all()]

    # masks -----------------------------------------------------------------------------

    def add_mask(
        self, *, camera_id: str, geometry: Any, mode: str = MaskMode.on_camera,
        note: str | None = None, added_by: str = "cli", now: datetime | None = None,
    ) -> Mask:
        """Record a privacy mask (a WGS84 polygon) for one camera."""
        if mode not in MaskMode.ALL:
            raise InputError(f"mask mode {mode!r}: expected one of {', '.join(MaskMode.ALL)}")
        if isinstance(geometry, dict):
            geometry = shapely.geometry.shape(geometry)
        if geometry is None or geometry.is_empty or geometry.geom_type not in (
                "Polygon", "MultiPolygon"):
            raise InputError(f"camera {camera_id}: a mask must be a (multi)polygon")
        if not geometry.is_valid:
            geometry = shapely.make_valid(geometry)
        with self.db.session() as s:
            row = PrivacyMaskRow(camera_id=camera_id, geometry_wkt=geometry.wkt, mode=mode,
                                 note=note, added_at=_now(now), added_by=added_by)
            s.add(row)
            s.flush()
            return _mask(row)

    def masks(self, *, camera_id: str | None = None) -> list[Mask]:
        with self.db.session() as s:
            q = select(PrivacyMaskRow).order_by(PrivacyMaskRow.id)
            if camera_id is not None:
                q = q.where(PrivacyMaskRow.camera_id == camera_id)
            return [_mask(r) for r in s.scalars(q).all()]

    def delete_mask(self, mask_id: int) -> None:
        with self.db.session() as s:
            if s.get(PrivacyMaskRow, mask_id) is None:
                raise NotFoundError(f"no mask with id {mask_id}")
            s.execute(delete(PrivacyMaskRow).where(PrivacyMaskRow.id == mask_id))

    # prefect notifications ------------------------------------------------------------

    def add_notification(
        self, *, camera_id: str, kind: str, notified_on: date,
        authorisation: str | None = None, reference: str | None = None,
        now: datetime | None = None,
    ) -> Notification:
        """Record that the prefect was told of a camera's addition, move or commissioning."""
        if kind not in NOTIFICATION_KINDS:
            raise InputError(f"notification kind {kind!r}: expected one of "
                             f"{', '.join(NOTIFICATION_KINDS)}")
        with self.db.session() as s:
            row = PrefectNotificationRow(camera_id=camera_id, authorisation=authorisation,
                                         kind=kind, notified_on=notified_on,
                                         reference=reference, added_at=_now(now))
            s.add(row)
            s.flush()
            return _notification(row)

    def notifications(self) -> list[Notification]:
        with self.db.session() as s:
            q = select(PrefectNotificationRow).order_by(PrefectNotificationRow.id)
            return [_notification(r) for r in s.scalars(q).all()]

    # observed settings ----------------------------------------------------------------

    def set_config(self, config: CameraConfig) -> None:
        """Record (replace) the settings observed on one camera."""
        with self.db.session() as s:
            row = s.get(CameraConfigRow, config.camera_id) or CameraConfigRow(
                camera_id=config.camera_id)
            for k, v in config.as_dict().items():
                if k in ("analytics_until", "observed_on"):
                    v = getattr(config, k)
                setattr(row, k, v)
            s.add(row)

    def configs(self) -> dict[str, CameraConfig]:
        with self.db.session() as s:
            rows = s.scalars(select(CameraConfigRow)).all()
            return {r.camera_id: CameraConfig(
                camera_id=r.camera_id, retention_days=r.retention_days,
                audio_enabled=r.audio_enabled, analytics_enabled=r.analytics_enabled,
                analytics_legal_basis=r.analytics_legal_basis,
                analytics_until=r.analytics_until, observed_on=r.observed_on,
                source=r.source) for r in rows}

    # settings --------------------------------------------------------------------------

    def set_setting(self, key: str, value: str) -> None:
        if key not in SETTINGS_FR:
            raise InputError(f"unknown setting {key!r}; valid keys: {', '.join(SETTINGS_FR)}")
        with self.db.session() as s:
            row = s.get(ComplianceSettingRow, key) or ComplianceSettingRow(key=key)
            row.value = value
            s.add(row)

    def settings(self) -> dict[str, str]:
        with self.db.session() as s:
            return {r.key: r.value for r in s.scalars(select(ComplianceSettingRow)).all()}


def _document(r: ComplianceDocumentRow) -> Document:
    return Document(id=r.id, authorisation=r.authorisation, kind=DocumentKind(r.kind),
                    title=r.title, version=r.version, doc_date=r.doc_date,
                    dpo_opinion_date=r.dpo_opinion_date, location=r.location,
                    added_at=r.added_at, added_by=r.added_by)


def _sign(r: SignRow) -> Sign:
    return Sign(id=r.id, name=r.name, lon=r.lon, lat=r.lat, camera_ids=tuple(r.camera_ids or ()),
                pictogram=r.pictogram, controller=r.controller, purposes=r.purposes,
                rights_contact=r.rights_contact, notice_link=r.notice_link,
                photo_date=r.photo_date)


def _mask(r: PrivacyMaskRow) -> Mask:
    return Mask(id=r.id, camera_id=r.camera_id, geometry=shapely.from_wkt(r.geometry_wkt),
                mode=r.mode, note=r.note, added_at=r.added_at, added_by=r.added_by)


def _notification(r: PrefectNotificationRow) -> Notification:
    return Notification(id=r.id, camera_id=r.camera_id, authorisation=r.authorisation,
                        kind=r.kind, notified_on=r.notified_on, reference=r.reference)
