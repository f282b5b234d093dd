"""The public register: what anyone may know of the network (LEGAL.md R24, L251-3).

Built from an allow-list of fields, never from whole records: no stream URL, no credential, no
user, no habilitation, no mask geometry (a mask says where dwellings are seen). Open-data
exports are GeoJSON and CSV.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from typing import Any

from sentinelle.registry.camera import Camera, CameraStatus
from sentinelle.registry.purposes import LABELS_FR
from sentinelle.registry.zone import Authorisation

CAMERA_COLUMNS = (
    "id", "nom", "statut", "longitude", "latitude", "type", "directions_deg", "angle_deg",
    "finalites", "finalites_libelles", "autorisation", "autorisation_date",
    "autorisation_echeance", "autorisation_en_vigueur", "conservation_jours", "installation",
    "position_supposee",
)
REGISTER_COLUMNS = (
    "reference", "type", "date_autorisation", "echeance", "en_vigueur", "autorite",
    "responsable", "service_responsable", "finalites", "cameras",
)
STATUS_FR = {"in_service": "en service", "planned": "projetée",
             "out_of_service": "hors service", "removed": "retirée"}
TYPE_FR = {"standard": "autorisation", "provisional": "autorisation provisoire",
           "event": "autorisation événementielle"}


def _auths(auths: list[Authorisation]) -> dict[str, Authorisation]:
    return {a.reference: a for a in auths}


def camera_record(c: Camera, auths: dict[str, Authorisation], today: date) -> dict[str, Any]:
    """One camera's public record (French field names, the open-data contract)."""
    a = auths.get(c.authorisation or "")
    return {
        "id": c.id,
        "nom": c.name,
        "statut": STATUS_FR.get(str(c.status), str(c.status)),
        "longitude": round(c.lon, 6),
        "latitude": round(c.lat, 6),
        "type": str(c.type) if c.type else None,
        "directions_deg": [h.azimuth_deg for h in c.heads if h.azimuth_deg is not None],
        "angle_deg": [h.hfov_deg for h in c.heads if h.hfov_deg is not None],
        "finalites": [str(p) for p in c.purposes],
        "finalites_libelles": [LABELS_FR[p] for p in c.purposes],
        "autorisation": a.reference if a else None,
        "autorisation_date": a.issued.isoformat() if a else None,
        "autorisation_echeance": a.expires.isoformat() if a else None,
        "autorisation_en_vigueur": bool(a and a.in_force(today)),
        "conservation_jours": c.retention_days,
        "installation": c.installed.isoformat() if c.installed else None,
        "position_supposee": c.assumed,
    }


def public_cameras(cameras: list[Camera], authorisations: list[Authorisation], *, today: date
                   ) -> list[dict[str, Any]]:
    """Public records of the cameras that exist or are planned (removed ones left out)."""
    auths = _auths(authorisations)
    return [camera_record(c, auths, today) for c in cameras
            if c.status is not CameraStatus.removed]


def cameras_geojson(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "id": r["id"],
                      "geometry": {"type": "Point",
                                   "coordinates": [r["longitude"], r["latitude"]]},
                      "properties": r} for r in records],
    }


def _cell(v: Any) -> Any:
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, bool):
        return "oui" if v else "non"
    return "" if v is None else v


def to_csv(records: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """CSV text (comma-separated, lists `;`-joined, booleans oui/non)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in records:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def register(cameras: list[Camera], authorisations: list[Authorisation],
             settings: dict[str, str], *, today: date) -> list[dict[str, Any]]:
    """The public register of authorised systems (R24): one row per authorisation."""
    rows = []
    for a in sorted(authorisations, key=lambda x: (x.issued, x.reference)):
        n = sum(1 for c in cameras if c.authorisation == a.reference
                and c.status is not CameraStatus.removed)
        rows.append({
            "reference": a.reference,
            "type": TYPE_FR.get(str(a.type), str(a.type)),
            "date_autorisation": a.issued.isoformat(),
            "echeance": a.expires.isoformat(),
            "en_vigueur": a.in_force(today),
            "autorite": a.authority,
            "responsable": settings.get("controller"),
            "service_responsable": settings.get("service"),
            "finalites": [LABELS_FR[p] for p in a.purposes],
            "cameras": n,
        })
    return rows


def figures(cameras: list[Camera], authorisations: list[Authorisation], *, today: date,
            signs: int = 0) -> dict[str, Any]:
    """Aggregate figures for the public page."""
    live = [c for c in cameras if c.status is not CameraStatus.removed]
    auths = _auths(authorisations)
    in_service = [c for c in live if c.status is CameraStatus.in_service]
    covered = [c for c in in_service
               if c.authorisation in auths and auths[c.authorisation].in_force(today)]
    purposes = Counter(str(p) for c in in_service for p in c.purposes)
    retention = [c.retention_days for c in in_service if c.retention_days is not None]
    return {
        "date": today.isoformat(),
        "cameras_en_service": len(in_service),
        "cameras_projetees": sum(1 for c in live if c.status is CameraStatus.planned),
        "cameras_hors_service": sum(1 for c in live if c.status is CameraStatus.out_of_service),
        "cameras_couvertes_par_une_autorisation": len(covered),
        "autorisations_en_vigueur": sum(1 for a in authorisations if a.in_force(today)),
        "conservation_max_jours": max(retention) if retention else None,
        "panneaux": signs,
        "par_finalite": {LABELS_FR[p]: n for p, n in
                         ((p, purposes.get(p.value, 0)) for p in LABELS_FR) if n},
    }


def load_public(db: Any, keys: Any, *, today: date) -> dict[str, Any]:
    """Everything the public page and the open-data exports show, read from the database."""
    from sentinelle.compliance.store import ComplianceStore
    from sentinelle.registry.store import Registry

    reg = Registry(db, keys=keys)
    cams, auths = reg.cameras(), reg.authorisations()
    store = ComplianceStore(db)
    settings = {k: v for k, v in store.settings().items()
                if k in ("controller", "service", "contact", "dpo_contact")}
    return {
        "cameras": public_cameras(cams, auths, today=today),
        "register": register(cams, auths, settings, today=today),
        "figures": figures(cams, auths, today=today, signs=len(store.signs())),
        "controller": settings,
    }
