"""The compliance rules of LEGAL.md that need no video, each a pure function of a snapshot.

Every rule takes a `Snapshot` and returns findings; none raises on a breach or blocks
anything. `RULES` lists them with their legal reference and a French title; `run_rules` runs
them all (or some). R11 (footage past retention only under a legal hold) and R10's purge side
read the snapshot's custody facts (``Snapshot.custody``); the export rules (R12, R13, R20,
R22) live in `transmission_rules`; R08 (irreversible masks) is checked inside R07 from the
masks' recorded mode only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import shapely

from sentinelle.analytics.basis import STATS_BASIS, Mode
from sentinelle.compliance.documents import LABELS_FR as DOC_LABELS
from sentinelle.compliance.documents import DocumentKind, missing_pieces, pieces_for
from sentinelle.compliance.findings import Finding, Severity, sort_findings
from sentinelle.compliance.masks import (
    MIN_UNMASKED_M,
    MaskMode,
    unmasked_in_image_m,
    unmasked_m,
)
from sentinelle.compliance.signage import CHECKLIST_FR, signs_for_camera
from sentinelle.compliance.snapshot import Snapshot
from sentinelle.compliance.transmission_rules import (
    LEGAL_REFS,
    r12_recipient_copies,
    r13_register_of_transmissions,
    r20_lossless,
    r22_lawful_recipients,
)
from sentinelle.registry.camera import Camera, CameraStatus
from sentinelle.registry.purposes import LABELS_FR as PURPOSE_LABELS
from sentinelle.registry.zone import MAX_RETENTION_DAYS, Authorisation, AuthorisationType

V, W, I = Severity.violation, Severity.warning, Severity.info  # noqa: E741

#: Roles that may ever see images (a habilitation for another role is a breach of R14).
VIDEO_ROLES = frozenset({"operator", "supervisor", "admin"})
REFRESHER_SOON_DAYS = 30


def add_months(d: date, months: int) -> date:
    """`d` plus (or minus) whole months, the day clipped to the month's length."""
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, min(d.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _in_service(s: Snapshot) -> list[Camera]:
    return [c for c in s.cameras if c.status is CameraStatus.in_service]


def _live(s: Snapshot) -> list[Camera]:
    return [c for c in s.cameras if c.status in (CameraStatus.in_service, CameraStatus.planned)]


def _finding(rule: str, sev: Severity, stype: str, sid: str, msg: str, **evidence: Any
             ) -> Finding:
    return Finding(rule=rule, legal_ref=RULES[rule].legal_ref, severity=sev, subject_type=stype,
                   subject_id=sid, message=msg, evidence=evidence)


# R01 ----------------------------------------------------------------------------------------

def r01_authorisation_in_force(s: Snapshot) -> list[Finding]:
    """Every camera in service is covered by a prefectoral authorisation in force."""
    out = []
    for c in _live(s):
        a = s.authorisation(c.authorisation)
        planned = c.status is CameraStatus.planned
        sev = I if planned else V
        if not c.authorisation:
            msg = ("Caméra en service sans autorisation préfectorale." if not planned else
                   "Caméra projetée sans autorisation : pas de mise en service sans arrêté.")
            out.append(_finding("R01", sev, "camera", c.id, msg, authorisation=None))
        elif a is None:
            out.append(_finding("R01", sev, "camera", c.id,
                                f"L'autorisation « {c.authorisation} » n'est pas au dossier.",
                                authorisation=c.authorisation))
        elif not a.in_force(s.today):
            when = "expirée le" if s.today >= a.expires else "en vigueur à partir du"
            day = a.expires if s.today >= a.expires else a.issued
            out.append(_finding("R01", sev, "camera", c.id,
                                f"Autorisation « {a.reference} » {when} {day.isoformat()}.",
                                authorisation=a.reference, issued=a.issued.isoformat(),
                                expires=a.expires.isoformat()))
    return out


# R02 ----------------------------------------------------------------------------------------

def _cameras_of(s: Snapshot, a: Authorisation) -> list[Camera]:
    return [c for c in _in_service(s) if c.authorisation == a.reference]


def r02_expiry(s: Snapshot) -> list[Finding]:
    """Five years, renewable; renewal file 6 months (prepare) and 4 months (file) ahead."""
    out = []
    for a in s.authorisations:
        if a.type is not AuthorisationType.standard:
            continue
        ev = {"issued": a.issued.isoformat(), "expires": a.expires.isoformat()}
        if a.expires > add_months(a.issued, 60):
            out.append(_finding("R02", V, "authorisation", a.reference,
                                "Durée supérieure à cinq ans.", **ev))
        cams = [c.id for c in _cameras_of(s, a)]
        if s.today >= a.expires:
            if cams:
                out.append(_finding("R02", V, "authorisation", a.reference,
                                    f"Autorisation expirée ; {len(cams)} caméra(s) en service "
                                    "y sont rattachées.", cameras=cams, **ev))
            continue
        if s.today < a.issued:
            continue
        if s.today >= add_months(a.expires, -4):
            out.append(_finding("R02", W, "authorisation", a.reference,
                                "Échéance dans moins de 4 mois : le dossier de renouvellement "
                                "doit être déposé en préfecture.", cameras=cams, **ev))
        elif s.today >= add_months(a.expires, -6):
            out.append(_finding("R02", W, "authorisation", a.reference,
                                "Échéance dans moins de 6 mois : préparer le dossier de "
                                "renouvellement.", cameras=cams, **ev))
    return out


# R03 ----------------------------------------------------------------------------------------

def r03_temporary(s: Snapshot) -> list[Finding]:
    """A provisional authorisation lasts at most 4 months; an event one ends with the event."""
    out = []
    for a in s.authorisations:
        ev = {"type": str(a.type), "issued": a.issued.isoformat(),
              "expires": a.expires.isoformat()}
        if a.type is AuthorisationType.provisional and a.expires > add_months(a.issued, 4):
            out.append(_finding("R03", V, "authorisation", a.reference,
                                "Autorisation provisoire de plus de quatre mois.", **ev))
        elif a.type is AuthorisationType.event and a.in_force(s.today):
            out.append(_finding("R03", I, "authorisation", a.reference,
                                "Autorisation événementielle : elle prend fin avec "
                                f"l'événement (fin enregistrée le {a.expires.isoformat()}).",
                                **ev))
    return out


# R04 ----------------------------------------------------------------------------------------

def r04_purposes(s: Snapshot) -> list[Finding]:
    """Each camera has ≥ 1 purpose of the closed list of L251-2, all in its authorisation."""
    out = []
    for c in _live(s):
        if not c.purposes:
            out.append(_finding("R04", V, "camera", c.id, "Aucune finalité déclarée."))
            continue
        a = s.authorisation(c.authorisation)
        if a is None:
            continue
        extra = [p for p in c.purposes if p not in a.purposes]
        if extra:
            labels = "; ".join(PURPOSE_LABELS[p] for p in extra)
            out.append(_finding("R04", V, "camera", c.id,
                                f"Finalité(s) hors de l'autorisation « {a.reference} » : "
                                f"{labels}.", purposes=[str(p) for p in extra],
                                authorised=[str(p) for p in a.purposes]))
    for a in s.authorisations:
        if not a.purposes and a.in_force(s.today):
            out.append(_finding("R04", V, "authorisation", a.reference,
                                "L'autorisation ne mentionne aucune finalité."))
    return out


# R05 ----------------------------------------------------------------------------------------

def _day(ts: str) -> date:
    return datetime.fromisoformat(ts).date()


def _placement(data: dict[str, Any]) -> tuple[Any, ...]:
    heads = tuple((h.get("azimuth_deg"), h.get("hfov_deg"), h.get("tilt_deg"),
                   h.get("pan_min_deg"), h.get("pan_max_deg")) for h in data.get("heads") or [])
    return (round(float(data.get("lon", 0)), 6), round(float(data.get("lat", 0)), 6), heads)


def placement_changes(history: list[dict[str, Any]], since: date) -> list[date]:
    """Days (after `since`) on which a camera was created, moved or re-aimed."""
    days, prev = [], None
    for v in history:
        if v.get("change") == "delete":
            prev = None
            continue
        place = _placement(v.get("data") or {})
        if place != prev and _day(v["recorded_at"]) > since:
            days.append(_day(v["recorded_at"]))
        prev = place
    return days


def r05_matches_authorised_file(s: Snapshot) -> list[Finding]:
    """Cameras match the authorised file; additions and moves are notified to the prefect."""
    out = []
    for c in _in_service(s):
        a = s.authorisation(c.authorisation)
        if a is None:
            continue
        if a.perimeter is not None and not a.perimeter.covers(shapely.Point(c.lon, c.lat)):
            out.append(_finding("R05", V, "camera", c.id,
                                f"Caméra hors du périmètre autorisé par « {a.reference} » : "
                                "demande de modification de l'autorisation requise.",
                                lon=c.lon, lat=c.lat))
        listed = not a.cameras or c.id in a.cameras
        changes = placement_changes(s.histories.get(c.id, []), a.issued)
        if listed and not changes:
            continue
        last = changes[-1] if changes else a.issued
        start = changes[-2] if len(changes) > 1 else a.issued
        notes = [n for n in s.notifications if n.camera_id == c.id and n.notified_on > start
                 or n.camera_id == c.id and n.notified_on == start == a.issued]
        what = "ajoutée après l'autorisation" if not listed else "déplacée ou réorientée"
        ev = {"authorisation": a.reference, "change_day": last.isoformat(),
              "listed_in_authorisation": listed}
        if not notes:
            out.append(_finding("R05", V, "camera", c.id,
                                f"Caméra {what} le {last.isoformat()} sans notification au "
                                "préfet : tâche « notification préfecture » à clore.", **ev))
        elif changes and all(n.notified_on > last for n in notes):
            out.append(_finding("R05", W, "camera", c.id,
                                f"Caméra {what} : le préfet a été informé après le "
                                "changement (il doit l'être avant).",
                                notified_on=min(n.notified_on for n in notes).isoformat(), **ev))
    return out


# R06 ----------------------------------------------------------------------------------------

def _relevant_authorisations(s: Snapshot) -> list[Authorisation]:
    used = {c.authorisation for c in _live(s)}
    return [a for a in s.authorisations if a.in_force(s.today) or a.reference in used]


def r06_file_complete(s: Snapshot) -> list[Finding]:
    """Each authorisation file holds every required piece (AIPD and undertaking included)."""
    out = []
    for a in _relevant_authorisations(s):
        missing = missing_pieces(s.documents, a.reference)
        if missing:
            out.append(_finding("R06", V, "authorisation", a.reference,
                                "Dossier incomplet : " + "; ".join(DOC_LABELS[k] for k in missing)
                                + ".", missing=[str(k) for k in missing]))
    return out


# R07 ----------------------------------------------------------------------------------------

def _calibrated(s: Snapshot, c: Camera) -> list[Any]:
    """The camera's head geometries when every head has a homography, else []."""
    geoms = [g for g in s.head_geometries.get(c.id, []) if g.has_homography]
    heads = {g.head for g in geoms}
    return geoms if heads >= set(range(max(1, len(c.heads)))) else []


def r07_dwellings_masked(s: Snapshot) -> list[Finding]:
    """No view of the inside of dwellings or of their entrances: seen façades are masked.

    Where every head of a camera has an image-to-ground homography, the façades the map says
    the view reaches are projected into the images and must lie under the image masks (or the
    ground masks); otherwise they must lie under the ground masks.
    """
    if s.dwellings is None:
        return [_finding("R07", I, "network", "réseau",
                         "Non vérifié : aucun fond de plan avec bâtiments n'est chargé.")]
    out = []
    for c in _live(s):
        cam_masks = [m for m in s.masks if m.camera_id == c.id]
        for m in cam_masks:
            if m.mode == MaskMode.overlay:
                out.append(_finding("R07", W, "camera", c.id,
                                    f"Masque n° {m.id} appliqué en surimpression logicielle "
                                    "seulement : il n'est pas irréversible (R08).", mask=m.id))
        for g in s.head_geometries.get(c.id, []):
            if g.masks and g.mask_mode == MaskMode.overlay:
                out.append(_finding("R07", W, "camera", c.id,
                                    f"Masques d'image de la tête {g.head} appliqués en "
                                    "surimpression logicielle seulement : ils ne sont pas "
                                    "irréversibles (R08).", head=g.head))
        if c.id not in s.dwellings:
            out.append(_finding("R07", I, "camera", c.id,
                                "Non vérifié : champ de vision inconnu (orientation ou angle)."))
            continue
        geoms = _calibrated(s, c)
        bad = []
        for v in s.dwellings[c.id]:
            left = unmasked_in_image_m(v, geoms, cam_masks) if geoms \
                else unmasked_m(v, cam_masks)
            if left >= MIN_UNMASKED_M:
                bad.append({"building": v.building_id, "dwellings": v.dwellings,
                            "facade_seen_m": round(v.facade_m, 1),
                            "unmasked_m": round(left, 1)})
        if bad:
            sev = V if c.status is CameraStatus.in_service else W
            total = sum(b["unmasked_m"] for b in bad)
            where = " dans l'image (homographie)" if geoms else ""
            out.append(_finding("R07", sev, "camera", c.id,
                                f"Le champ de vision atteint {len(bad)} bâtiment(s) "
                                f"d'habitation sans masque{where} ({round(total)} m de façade "
                                "non masquée).", buildings=bad,
                                checked="image" if geoms else "map"))
    return out


# R09 / R10 ------------------------------------------------------------------------------------

def r09_retention_max(s: Snapshot) -> list[Finding]:
    """Retention ≤ the authorisation's maximum, never more than one month (30 days)."""
    out = []
    for c in _in_service(s):
        a = s.authorisation(c.authorisation)
        cap = min(a.max_retention_days, MAX_RETENTION_DAYS) if a else MAX_RETENTION_DAYS
        if c.retention_days is None:
            out.append(_finding("R09", W, "camera", c.id,
                                "Durée de conservation non renseignée.", limit_days=cap))
        elif c.retention_days > cap:
            out.append(_finding("R09", V, "camera", c.id,
                                f"Conservation de {c.retention_days} jours au-delà de la limite "
                                f"de {cap} jours.", retention_days=c.retention_days,
                                limit_days=cap))
        cfg = s.configs.get(c.id)
        if cfg and cfg.retention_days is not None and cfg.retention_days > cap:
            out.append(_finding("R09", V, "camera", c.id,
                                f"Réglage constaté sur l'équipement : {cfg.retention_days} "
                                f"jours de conservation, au-delà de {cap} jours.",
                                observed_days=cfg.retention_days, limit_days=cap,
                                observed_on=cfg.observed_on.isoformat()))
    return out


def r10_retention_min(s: Snapshot) -> list[Finding]:
    """Retention ≥ the minimum the authorisation sets, if it sets one."""
    out = []
    for c in _in_service(s):
        a = s.authorisation(c.authorisation)
        if a is None or a.min_retention_days is None:
            continue
        for source, days in (("registre", c.retention_days),
                             ("équipement", getattr(s.configs.get(c.id), "retention_days",
                                                    None))):
            if days is not None and days < a.min_retention_days:
                out.append(_finding("R10", V, "camera", c.id,
                                    f"Conservation ({source}) de {days} jours, sous le minimum "
                                    f"de {a.min_retention_days} jours fixé par l'autorisation.",
                                    retention_days=days, minimum_days=a.min_retention_days))
    if s.custody is not None:
        for d in s.custody.below_minimum:
            out.append(_finding("R10", V, "camera", d.camera_id,
                                f"Quota d'enregistrement atteint le {d.destroyed_at:%Y-%m-%d} : "
                                "images détruites avant la durée minimale fixée par "
                                f"l'autorisation (du {d.period_start:%Y-%m-%d %H:%M} au "
                                f"{d.period_end:%Y-%m-%d %H:%M} UTC).",
                                run_id=d.run_id, segments=d.segments,
                                period_start=d.period_start.isoformat(),
                                period_end=d.period_end.isoformat()))
    return out


# R11 ----------------------------------------------------------------------------------------

def r11_holds(s: Snapshot) -> list[Finding]:
    """Footage past its retention only under an active legal hold, itself standing on a penal
    procedure (flagrance, préliminaire, information judiciaire) with a complete requisition."""
    c = s.custody
    if c is None:
        return []
    out = []
    unheld: dict[str, list] = {}
    for seg in c.past_limit:
        if not any(h.active_at(c.now) and h.overlaps(seg.camera_id, seg.start, seg.end)
                   for h in c.holds):
            unheld.setdefault(seg.camera_id, []).append(seg)
    for cam, segs in sorted(unheld.items()):
        oldest = min(x.start for x in segs)
        days = c.limits.get(cam)
        out.append(_finding("R11", V, "camera", cam,
                            f"{len(segs)} segment(s) conservé(s) au-delà de {days} jours sans "
                            f"gel judiciaire (le plus ancien du {oldest:%Y-%m-%d %H:%M} UTC) : "
                            "lancer la purge (sentinelle record purge).",
                            segments=len(segs), oldest_start=oldest.isoformat(),
                            limit_days=days))
    for h in c.holds:
        days = c.limits.get(h.camera_id)
        if days is None or h.start > c.now - timedelta(days=days):
            continue  # the hold keeps nothing past the retention yet
        if h.kind == "manual":
            out.append(_finding("R11", W, "hold", str(h.id),
                                f"Gel manuel sur {h.camera_id} au-delà de {days} jours sans "
                                "procédure pénale : rattacher une réquisition (flagrance, "
                                "préliminaire, information judiciaire) ou lever le gel.",
                                camera_id=h.camera_id, reason=h.reason))
        elif h.kind == "requisition":
            r = c.requisitions.get(h.requisition_id) if h.requisition_id else None
            missing = [] if r is not None else ["réquisition"]
            if r is not None:
                missing = [label for label, v in (("type de procédure", r.procedure),
                                                  ("autorité", r.authority),
                                                  ("OPJ ou magistrat", r.officer),
                                                  ("pièce", r.document)) if not v]
            if missing:
                ref = r.reference if r else "?"
                out.append(_finding("R11", W, "hold", str(h.id),
                                    f"Gel sur {h.camera_id} (réquisition {ref}) au-delà de "
                                    f"{days} jours, dossier incomplet : "
                                    f"{', '.join(missing)}.",
                                    camera_id=h.camera_id, requisition=ref, missing=missing))
    return out


# R14 / R15 ------------------------------------------------------------------------------------

def _current(s: Snapshot) -> list[Any]:
    return [h for h in s.habilitations
            if h.state(s.today) in ("active", "refresher_overdue")]


def r14_habilitations(s: Snapshot) -> list[Finding]:
    """Only individually designated, habilitated persons of a video role see images."""
    out = []
    for h in _current(s):
        sid = str(h.id)
        u = s.users.get(h.username)
        ev = {"user": h.username, "rights": [str(r) for r in h.rights]}
        if u is None or u.role not in VIDEO_ROLES:
            out.append(_finding("R14", V, "habilitation", sid,
                                "Habilitation d'un compte dont le rôle ne permet pas de voir "
                                "les images.", role=u.role if u else None, **ev))
        elif not u.active:
            out.append(_finding("R14", W, "habilitation", sid,
                                "Habilitation en vigueur d'un compte désactivé : à révoquer.",
                                **ev))
        if not h.authorisation:
            out.append(_finding("R14", W, "habilitation", sid,
                                "Habilitation rattachée à aucune autorisation préfectorale.",
                                **ev))
        else:
            a = s.authorisation(h.authorisation)
            if a is None or not a.in_force(s.today):
                out.append(_finding("R14", V, "habilitation", sid,
                                    f"Habilitation rattachée à l'autorisation "
                                    f"« {h.authorisation} », absente ou hors vigueur.", **ev))
    return out


def r15_training(s: Snapshot) -> list[Finding]:
    """Habilitated agents are trained before access, refreshed on time, on their territory."""
    out = []
    for h in _current(s):
        sid = str(h.id)
        ev = {"user": h.username, "training_date": h.training_date.isoformat(),
              "refresher_due": h.refresher_due.isoformat()}
        if h.training_date > h.valid_from:
            out.append(_finding("R15", V, "habilitation", sid,
                                "Habilitation ouverte avant la formation à la protection des "
                                "données.", valid_from=h.valid_from.isoformat(), **ev))
        if s.today > h.refresher_due:
            out.append(_finding("R15", W, "habilitation", sid,
                                "Recyclage en retard : l'accès aux images est refusé jusqu'au "
                                "recyclage.", **ev))
        elif (h.refresher_due - s.today).days <= REFRESHER_SOON_DAYS:
            out.append(_finding("R15", I, "habilitation", sid,
                                f"Recyclage à prévoir avant le {h.refresher_due.isoformat()}.",
                                **ev))
        if not h.territory:
            out.append(_finding("R15", W, "habilitation", sid,
                                "Habilitation sans territoire : l'accès doit être limité au "
                                "territoire de la commune.", **ev))
    return out


# R23 ----------------------------------------------------------------------------------------

def r23_signage(s: Snapshot) -> list[Finding]:
    """Each covered area is signed; each sign shows pictogram, controller, purposes, rights."""
    out = []
    for c in _in_service(s):
        near = signs_for_camera(s.signs, c.id, c.lon, c.lat, radius_m=s.sign_radius_m)
        if not near:
            out.append(_finding("R23", V, "camera", c.id,
                                "Aucun panneau d'information du public pour cette caméra "
                                f"(à moins de {round(s.sign_radius_m)} m ou nommé sur le "
                                "registre).", radius_m=s.sign_radius_m))
    for sign in s.signs:
        missing = sign.missing_items()
        if missing:
            out.append(_finding("R23", V, "sign", str(sign.id),
                                f"Panneau « {sign.name} » incomplet : il manque "
                                + ", ".join(CHECKLIST_FR[k] for k in missing) + ".",
                                missing=missing))
        if not sign.notice_link:
            out.append(_finding("R23", I, "sign", str(sign.id),
                                f"Panneau « {sign.name} » sans lien vers l'information "
                                "complète (second niveau d'information)."))
    return out


# R24 ----------------------------------------------------------------------------------------

def r24_public_register(s: Snapshot) -> list[Finding]:
    """The public register of authorised systems names each system's responsible service."""
    missing = [k for k in ("controller", "service") if not s.settings.get(k)]
    if not missing or not s.authorisations:
        return []
    return [_finding("R24", W, "network", "réseau",
                     "Registre public des systèmes autorisés incomplet : responsable du "
                     "traitement ou service responsable non renseigné "
                     "(`sentinelle compliance settings set`).", missing=missing)]


# R27 ----------------------------------------------------------------------------------------

def r27_dpia(s: Snapshot) -> list[Finding]:
    """An AIPD, with the DPO's opinion, covers the network and is reviewed after changes."""
    out = []
    aipds = [d for d in s.documents if d.kind is DocumentKind.aipd]
    if _in_service(s) and not aipds:
        out.append(_finding("R27", V, "network", "réseau",
                            "Aucune analyse d'impact (AIPD) au dossier pour le réseau en "
                            "service."))
    for a in _relevant_authorisations(s):
        mine = [d for d in pieces_for(s.documents, a.reference) if d.kind is DocumentKind.aipd]
        if not mine:
            if aipds:
                out.append(_finding("R27", V, "authorisation", a.reference,
                                    "Aucune AIPD au dossier de cette autorisation."))
            continue
        last = max(mine, key=lambda d: d.doc_date)
        ev = {"document": last.id, "doc_date": last.doc_date.isoformat()}
        if last.dpo_opinion_date is None:
            out.append(_finding("R27", V, "authorisation", a.reference,
                                "AIPD sans date d'avis du délégué à la protection des "
                                "données.", **ev))
        changed = [c.id for c in _live(s) if c.authorisation == a.reference
                   and placement_changes(s.histories.get(c.id, []), last.doc_date)]
        if changed:
            out.append(_finding("R27", W, "authorisation", a.reference,
                                f"{len(changed)} caméra(s) ajoutée(s) ou modifiée(s) depuis "
                                "l'AIPD : revue de l'AIPD requise.", cameras=changed, **ev))
    return out


# R28 ----------------------------------------------------------------------------------------

def r28_record_of_processing(s: Snapshot) -> list[Finding]:
    """The processing is in the record of processing activities; the controller is named."""
    out = []
    if not _in_service(s):
        return out
    ropa = [d for d in s.documents if d.kind is DocumentKind.registre_traitements]
    if not ropa and not s.settings.get("ropa_entry"):
        out.append(_finding("R28", V, "network", "réseau",
                            "Traitement absent du registre des activités de traitement "
                            "(aucune fiche enregistrée)."))
    if not s.settings.get("controller"):
        out.append(_finding("R28", V, "network", "réseau",
                            "Responsable du traitement non identifié (la commune pour la voie "
                            "publique)."))
    return out


# R30 ----------------------------------------------------------------------------------------

def r30_no_audio_no_analytics(s: Snapshot) -> list[Finding]:
    """No sound capture; no real-time analytics without a legal basis in force."""
    out = []
    for cid, cfg in sorted(s.configs.items()):
        ev = {"observed_on": cfg.observed_on.isoformat(), "source": cfg.source}
        if cfg.audio_enabled:
            out.append(_finding("R30", V, "camera", cid, "Captation du son activée.", **ev))
        if cfg.analytics_enabled:
            if not cfg.analytics_legal_basis:
                out.append(_finding("R30", V, "camera", cid,
                                    "Analyse automatisée activée sans base légale.", **ev))
            elif cfg.analytics_until is None or cfg.analytics_until < s.today:
                out.append(_finding("R30", V, "camera", cid,
                                    "Analyse automatisée activée : base légale "
                                    f"« {cfg.analytics_legal_basis} » sans échéance ou échue.",
                                    until=cfg.analytics_until.isoformat()
                                    if cfg.analytics_until else None, **ev))
    for e in s.analytics:
        if not e.enabled:
            continue
        ev = {"mode": e.mode, "legal_basis": e.legal_basis, "until": e.until.isoformat()}
        if e.mode != Mode.stats or e.legal_basis != STATS_BASIS:
            out.append(_finding("R30", V, "camera", e.camera_id,
                                f"Analyse automatisée en mode « {e.mode} » sans base légale "
                                "reconnue (seules les statistiques anonymes sont permises).",
                                **ev))
        elif e.until < s.today:
            out.append(_finding("R30", W, "camera", e.camera_id,
                                f"Base légale « {e.legal_basis} » échue le "
                                f"{e.until:%d/%m/%Y} : plus aucune analyse ne tourne ; "
                                "désactiver (sentinelle analytics disable).", **ev))
    return out


# R31 ----------------------------------------------------------------------------------------

def _utc_day(t: datetime) -> str:
    return t.isoformat()


def r31_event_detection(s: Snapshot) -> list[Finding]:
    """Event detection (décret 2023-828): only the eight event types, only under a basis in
    force, only on its cameras, during its period, for its types; every pipeline run and alert
    is checked against the bases."""
    from sentinelle.events.basis import EXPERIMENT_END
    from sentinelle.events.types import ALL_EVENTS, UNAVAILABLE

    out = []
    bases = {b.id: b for b in s.event_bases}
    known = {c.id for c in s.cameras}
    for b in s.event_bases:
        ev = {"text": b.text_ref, "decision": b.decision_ref, "cameras": list(b.camera_ids),
              "start": b.start.isoformat(), "end": b.end.isoformat(), "events": list(b.events)}
        sid = f"#{b.id}"
        extra = [e for e in b.events if e not in ALL_EVENTS]
        if extra:
            out.append(_finding("R31", V, "event_basis", sid,
                                f"Types d'événements hors de la liste du décret : "
                                f"{', '.join(extra)}.", **ev))
        if not b.text_ref.strip() or not b.decision_ref.strip():
            out.append(_finding("R31", V, "event_basis", sid,
                                "Base légale sans texte ou sans décision préfectorale.", **ev))
        missing = [c for c in b.camera_ids if c not in known]
        if missing:
            out.append(_finding("R31", W, "event_basis", sid,
                                f"Caméras inconnues du registre : {', '.join(missing)}.", **ev))
        if b.end > EXPERIMENT_END:
            out.append(_finding("R31", W, "event_basis", sid,
                                "Période au-delà du 31 mars 2025, fin de l'expérimentation de "
                                "la loi 2023-380 : vérifier que le texte de prolongation cité "
                                "est promulgué et en vigueur.", **ev))
        for e in b.events:
            if e in UNAVAILABLE:
                out.append(_finding("R31", I, "event_basis", sid,
                                    f"« {e} » autorisé mais non détecté par cette version "
                                    f"({UNAVAILABLE[e]}).", **ev))
    for r in s.event_sessions:
        b = bases.get(r["basis"])
        sid = f"session #{r['id']}"
        ev = {"camera": r["camera"], "basis": r["basis"], "events": r["events"],
              "started_at": _utc_day(r["started_at"]),
              "stopped_at": _utc_day(r["stopped_at"]) if r["stopped_at"] else None}
        if b is None:
            out.append(_finding("R31", V, "camera", r["camera"],
                                f"Détection d'événements ({sid}) sans base légale "
                                "enregistrée.", **ev))
            continue
        outside = [e for e in r["events"] if e not in b.events]
        if (r["camera"] not in b.camera_ids or r["started_at"] < b.start
                or r["started_at"] >= b.end or outside
                or (r["stopped_at"] is not None and r["stopped_at"] > b.end)):
            out.append(_finding("R31", V, "camera", r["camera"],
                                f"Détection d'événements ({sid}) hors du lieu, de la période "
                                "ou des types autorisés par la base légale "
                                f"#{b.id}.", **ev))
    for a in s.event_alerts:
        b = bases.get(a.basis_id)
        if b is None or not b.covers(a.camera_id, a.ts, a.type):
            out.append(_finding("R31", V, "camera", a.camera_id,
                                f"Alerte #{a.id} ({a.type}) hors de toute base légale en "
                                "vigueur pour cette caméra et ce type.",
                                alert=a.id, ts=a.ts.isoformat(), basis=a.basis_id))
    return out


# R36 ----------------------------------------------------------------------------------------

def r36_anonymous_statistics(s: Snapshot) -> list[Finding]:
    """Statistics only as aggregates, images deleted at once, under a DPIA and a purpose."""
    out = []
    ours = {e.camera_id for e in s.analytics if e.enabled}
    for e in s.analytics:
        if not e.enabled or e.mode != Mode.stats or e.until < s.today:
            continue
        ev = {"purpose": e.purpose, "dpia": e.dpia_ref, "until": e.until.isoformat(),
              "frames_kept_s": 0, "stored": "aggregate counts per bucket, zone or line, "
              "direction and class"}
        if not e.purpose.strip() or not e.dpia_ref.strip():
            out.append(_finding("R36", V, "camera", e.camera_id,
                                "Statistiques anonymes sans finalité ou sans référence d'AIPD.",
                                **ev))
        else:
            out.append(_finding("R36", I, "camera", e.camera_id,
                                "Statistiques anonymes : traitement en mémoire, images "
                                "supprimées aussitôt, seuls des agrégats sont conservés.", **ev))
    for cid, cfg in sorted(s.configs.items()):
        if cfg.analytics_enabled and cid not in ours:
            out.append(_finding("R36", W, "camera", cid,
                                "Analyse activée sur l'équipement hors de Sentinelle : "
                                "suppression immédiate des images et agrégats seuls non "
                                "vérifiables.", observed_on=cfg.observed_on.isoformat(),
                                legal_basis=cfg.analytics_legal_basis))
    return out


# R37 ----------------------------------------------------------------------------------------

def r37_settings_match(s: Snapshot) -> list[Finding]:
    """The equipment's settings match the registry, itself derived from the authorisation."""
    out = []
    unobserved = []
    for c in _in_service(s):
        cfg = s.configs.get(c.id)
        if cfg is None:
            unobserved.append(c.id)
            continue
        if cfg.retention_days != c.retention_days:
            out.append(_finding("R37", W, "camera", c.id,
                                f"Écart de réglage : {cfg.retention_days} jours sur "
                                f"l'équipement, {c.retention_days} jours au registre.",
                                observed_days=cfg.retention_days, registry_days=c.retention_days,
                                observed_on=cfg.observed_on.isoformat()))
    if unobserved:
        out.append(_finding("R37", I, "network", "réseau",
                            f"{len(unobserved)} caméra(s) sans relevé des réglages de "
                            "l'équipement : écarts non vérifiés.", cameras=unobserved))
    return out


# registry --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """A rule: its code, legal reference, French title and function."""

    code: str
    legal_ref: str
    title_fr: str
    check: Callable[[Snapshot], list[Finding]]


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("R01", "CSI L252-1", "Autorisation préfectorale en vigueur",
         r01_authorisation_in_force),
    Rule("R02", "CSI L252-1 (5 ans renouvelables) ; pratique préfectorale (4 mois)",
         "Échéance et renouvellement de l'autorisation", r02_expiry),
    Rule("R03", "CSI L252-1 (procédure provisoire) [numéro d'article à vérifier]",
         "Autorisations provisoires et événementielles", r03_temporary),
    Rule("R04", "CSI L251-2 1° à 11°", "Finalités de la liste fermée et autorisées",
         r04_purposes),
    Rule("R05", "CSI R252-11 al. 2 (numérotation 2013) ; R252-3",
         "Conformité au dossier autorisé et information du préfet",
         r05_matches_authorised_file),
    Rule("R06", "CSI R252-3 (numérotation 2013) ; instruction du 20 mars 2024",
         "Complétude du dossier d'autorisation", r06_file_complete),
    Rule("R07", "CSI L251-3 ; CNIL (masquage irrémédiable)",
         "Pas de vue de l'intérieur des habitations ni de leurs entrées", r07_dwellings_masked),
    Rule("R09", "CSI L252-5 al. 1", "Durée maximale de conservation (un mois au plus)",
         r09_retention_max),
    Rule("R10", "CSI L252-5 al. 2", "Durée minimale de conservation", r10_retention_min),
    Rule("R11", "CSI L252-5", "Conservation au-delà de la durée légale sous gel judiciaire "
         "seulement", r11_holds),
    Rule("R12", LEGAL_REFS["R12"], "Copies des destinataires conservées un mois au plus",
         r12_recipient_copies),
    Rule("R13", LEGAL_REFS["R13"], "Registre des transmissions", r13_register_of_transmissions),
    Rule("R14", "CSI L252-2, L252-3", "Personnes habilitées individuellement",
         r14_habilitations),
    Rule("R15", "CSI R252-12 (décret 2022-1152)", "Formation, recyclage et territoire",
         r15_training),
    Rule("R20", LEGAL_REFS["R20"], "Exports sans perte de qualité", r20_lossless),
    Rule("R22", LEGAL_REFS["R22"], "Exports aux seuls destinataires légitimes",
         r22_lawful_recipients),
    Rule("R23", "CSI L251-3 ; R253-3 (numérotation 2013) ; instruction du 20 mars 2024",
         "Information du public par panneaux", r23_signage),
    Rule("R24", "CSI R252-10 (numérotation 2013)", "Registre public des systèmes autorisés",
         r24_public_register),
    Rule("R27", "RGPD art. 35 ; instruction du 20 mars 2024",
         "Analyse d'impact (AIPD) avec avis du DPD", r27_dpia),
    Rule("R28", "RGPD art. 30 ; CSI R251-1", "Registre des activités de traitement",
         r28_record_of_processing),
    Rule("R30", "CNIL « La vidéoprotection » ; CNIL caméras augmentées (2022)",
         "Ni son ni analyse automatisée sans base légale", r30_no_audio_no_analytics),
    Rule("R31", "Loi 2023-380 art. 10 ; décret 2023-828 art. 3",
         "Vidéo algorithmique : 8 événements, base légale, lieux et période autorisés",
         r31_event_detection),
    Rule("R36", "CNIL caméras augmentées (19 juillet 2022)",
         "Statistiques anonymes : agrégats seuls, images non conservées",
         r36_anonymous_statistics),
    Rule("R37", "CSI L252-2, L252-5", "Réglages conformes à l'autorisation",
         r37_settings_match),
)}


def run_rules(snapshot: Snapshot, *, rules: Iterable[str] | None = None) -> list[Finding]:
    """Run the rules (all by default) on `snapshot`; findings sorted, violations first."""
    codes = list(rules) if rules is not None else list(RULES)
    out: list[Finding] = []
    for code in codes:
        out.extend(RULES[code].check(snapshot))
    return sort_findings(out)
