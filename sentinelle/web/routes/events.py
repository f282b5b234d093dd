"""Event detection (décret 2023-828) on the web: the operators' alerts page (confirm or dismiss,
CSRF like every form) and the DPO's page (legal bases, performance, pipeline runs, logs).

An operator sees, and decides on, the alerts of the cameras he holds a ``live`` habilitation
in force for (the thumbnails are blurred images); every decision is audited
``alert_decision``; nothing else follows from it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, Response

from sentinelle.access.habilitations import Habilitations
from sentinelle.errors import AccessDenied, NotFoundError, SentinelleError
from sentinelle.web.deps import CurrentActor, CurrentSession, DbDep, FormCsrf, KeysDep
from sentinelle.web.pages import page_lang, render

router = APIRouter(tags=["events"])
PARIS = ZoneInfo("Europe/Paris")
AlertId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Alert id")]

S: dict[str, dict[str, str]] = {
    "fr": {"alerts": "Alertes (vidéo algorithmique)", "camera": "Caméra", "type": "Type",
           "time": "Heure", "state": "État", "tracks": "Pistes", "thumb": "Vignette floutée",
           "decided": "Décision", "reason": "Motif", "confirm": "Confirmer",
           "dismiss": "Lever le doute", "none": "Aucune alerte.",
           "notice": "Une alerte est un signalement : l'agent confirme ou lève le doute ; "
                     "aucune action automatique ne suit (décret 2023-828 art. 2).",
           "raised": "signalée", "confirmed": "confirmée", "dismissed": "écartée",
           "dpo": "Vidéo algorithmique — DPD", "bases": "Bases légales",
           "text": "Texte", "decision": "Décision préfectorale", "cameras": "Caméras",
           "period": "Période", "events": "Événements", "in_force": "En vigueur",
           "perf": "Performances mesurées (décisions des opérateurs)",
           "alerts_n": "Alertes", "confirmed_n": "Confirmées", "dismissed_n": "Écartées",
           "pending_n": "En attente", "precision": "Précision",
           "fp": "Faux positifs", "runs": "Exécutions du traitement", "logs": "Journal",
           "unavailable": "Non détectés par cette version", "yes": "oui", "no": "non",
           "synthetic": "Jeu d'essai synthétique", "recall": "Rappel", "saved": "Enregistré."},
    "en": {"alerts": "Alerts (algorithmic video)", "camera": "Camera", "type": "Type",
           "time": "Time", "state": "State", "tracks": "Tracks", "thumb": "Blurred thumbnail",
           "decided": "Decision", "reason": "Reason", "confirm": "Confirm",
           "dismiss": "Dismiss", "none": "No alert.",
           "notice": "An alert only signals: the operator confirms or dismisses it; nothing "
                     "follows automatically (décret 2023-828 art. 2).",
           "raised": "raised", "confirmed": "confirmed", "dismissed": "dismissed",
           "dpo": "Algorithmic video — DPO", "bases": "Legal bases", "text": "Text",
           "decision": "Prefectoral decision", "cameras": "Cameras", "period": "Period",
           "events": "Events", "in_force": "In force",
           "perf": "Measured performance (operators' decisions)", "alerts_n": "Alerts",
           "confirmed_n": "Confirmed", "dismissed_n": "Dismissed", "pending_n": "Pending",
           "precision": "Precision", "fp": "False positives", "runs": "Pipeline runs",
           "logs": "Log", "unavailable": "Not detected by this version", "yes": "yes",
           "no": "no", "synthetic": "Synthetic test set", "recall": "Recall",
           "saved": "Saved."},
}


def _visible_cameras(db, keys, user, cameras: set[str], now: datetime) -> set[str]:  # noqa: ANN001
    habs = Habilitations(db, keys)
    return {c for c in cameras if habs.can(user, "live", c, now=now).allowed}


def _alerts_for(db, keys, user, now: datetime) -> list[Any]:  # noqa: ANN001
    from sentinelle.events.alerts import Alerts

    items = Alerts(db, keys).list(limit=500)
    ok = _visible_cameras(db, keys, user, {a.camera_id for a in items}, now)
    return [a for a in items if a.camera_id in ok]


def _alerts_page(request: Request, session, db, keys, *, status_code: int = 200,  # noqa: ANN001
                 **context: object) -> HTMLResponse:
    from sentinelle.events.types import LABELS_FR

    lang = page_lang(request)
    return render(request, "alertes.html", session=session, s=S[lang], labels=LABELS_FR,
                  alerts=_alerts_for(db, keys, session.user, datetime.now(UTC)), paris=PARIS,
                  status_code=status_code, **context)


@router.get("/alertes", include_in_schema=False)
def alerts_page(request: Request, session: CurrentSession, db: DbDep, keys: KeysDep
                ) -> HTMLResponse:
    return _alerts_page(request, session, db, keys)


@router.post("/alertes/{alert_id}/decision", include_in_schema=False, dependencies=[FormCsrf])
def decide_form(request: Request, alert_id: AlertId, session: CurrentSession, actor: CurrentActor,
                db: DbDep, keys: KeysDep,
                decision: Annotated[str, Form(max_length=10)] = "",
                reason: Annotated[str, Form(max_length=2000)] = "") -> HTMLResponse:
    from sentinelle.events.alerts import Alerts

    if decision not in ("confirm", "dismiss"):
        return _alerts_page(request, session, db, keys, status_code=400,
                            error="decision: confirm or dismiss")
    try:
        Alerts(db, keys).decide(alert_id, confirm=decision == "confirm", reason=reason,
                                actor=actor, user=session.user)
    except NotFoundError as exc:
        return _alerts_page(request, session, db, keys, status_code=404, error=str(exc))
    except AccessDenied as exc:
        return _alerts_page(request, session, db, keys, status_code=403, error=str(exc))
    except SentinelleError as exc:
        return _alerts_page(request, session, db, keys, status_code=400, error=str(exc))
    return _alerts_page(request, session, db, keys, message=S[page_lang(request)]["saved"])


@router.get("/api/alerts")
def list_alerts(session: CurrentSession, db: DbDep, keys: KeysDep) -> dict[str, Any]:
    """The alerts of the cameras the user is habilitated to watch live, newest first."""
    keep = ("id", "camera", "type", "ts", "state", "decided_by", "decided_at", "reason",
            "tracks", "zone")
    return {"alerts": [{k: a.as_dict()[k] for k in keep}
                       for a in _alerts_for(db, keys, session.user, datetime.now(UTC))]}


@router.get("/api/alerts/{alert_id}/thumbnail", response_class=Response)
def thumbnail(alert_id: AlertId, session: CurrentSession, db: DbDep, keys: KeysDep) -> Response:
    """The alert's blurred thumbnail (JPEG) for a user habilitated on its camera."""
    from sentinelle.events.alerts import Alerts

    store = Alerts(db, keys)
    try:
        a = store.get(alert_id)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    d = Habilitations(db, keys).can(session.user, "live", a.camera_id, now=datetime.now(UTC))
    if not d.allowed:
        raise HTTPException(403, f"alert #{alert_id}: {d.reason}")
    jpeg = store.thumbnail(alert_id)
    if jpeg is None:
        raise HTTPException(404, f"alert #{alert_id}: no thumbnail (past the video retention)")
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.get("/dpo/evenements", include_in_schema=False)
def dpo_page(request: Request, session: CurrentSession, db: DbDep, keys: KeysDep
             ) -> HTMLResponse:
    from sentinelle.access.audit import AuditLog
    from sentinelle.events.alerts import Alerts
    from sentinelle.events.basis import EventBases
    from sentinelle.events.performance import performance
    from sentinelle.events.runner import sessions
    from sentinelle.events.synthetic import evaluate
    from sentinelle.events.types import UNAVAILABLE

    now = datetime.now(UTC)
    log = AuditLog(db, keys)
    logs = sorted(log.entries(action="analytics_basis_change", limit=100)
                  + log.entries(action="alert_decision", limit=100),
                  key=lambda e: e.seq, reverse=True)
    return render(request, "dpo_evenements.html", session=session, s=S[page_lang(request)],
                  bases=[b.as_dict(now) for b in EventBases(db, keys).all()],
                  perf=performance(Alerts(db, keys).list()), runs=sessions(db),
                  logs=logs, unavailable=UNAVAILABLE, synthetic=evaluate()["per_type"],
                  paris=PARIS)
