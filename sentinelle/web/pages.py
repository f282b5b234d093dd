"""Server-rendered pages of access control: login, users, habilitations, audit log.

French by default, English with ``?lang=en`` (remembered in a cookie). Templates are Jinja2 with
autoescaping; every form that changes something carries the session's CSRF token.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sentinelle.access import policy
from sentinelle.access.sessions import WebSession

TEMPLATES = Path(str(resources.files("sentinelle") / "web" / "templates"))
LANG_COOKIE = "lang"

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "app": "Sentinelle", "login": "Connexion", "logout": "Déconnexion",
        "username": "Identifiant", "password": "Mot de passe",
        "code": "Code de l'application d'authentification (si activée)",
        "submit_login": "Se connecter", "bad_login": "Identifiant, mot de passe ou code incorrect.",
        "throttled": "Trop de tentatives échouées : réessayez plus tard.",
        "form_expired": "Formulaire expiré : veuillez réessayer.",
        "logged_out": "Vous êtes déconnecté.", "confirm_logout": "Se déconnecter",
        "public_map": "Carte publique", "planner": "Planificateur", "users": "Utilisateurs",
        "control_room": "Salle de supervision", "video": "Lecture et direct",
        "custody": "Réquisitions et gels",
        "statistics": "Statistiques anonymes",
        "habilitations": "Habilitations", "audit": "Journal d'audit", "other_lang": "English",
        "nav_alerts": "Alertes", "nav_events": "Vidéo algorithmique",
        "compliance": "Conformité",
        "role": "Rôle", "full_name": "Nom complet", "service": "Service", "active": "Actif",
        "created": "Créé le", "add_user": "Ajouter un utilisateur", "add": "Ajouter",
        "disable": "Désactiver", "yes": "oui", "no": "non", "totp": "TOTP",
        "password_once": "Mot de passe (affiché une seule fois)",
        "password_hint": "Laisser vide pour en générer un",
        "rights": "Droits", "scope": "Périmètre", "from": "Du", "until": "Au",
        "training": "Formation", "refresher": "Recyclage dû le", "state": "État",
        "granted_by": "Accordée par", "revoke": "Révoquer", "grant": "Accorder une habilitation",
        "cameras": "Caméras (identifiants, séparés par des virgules)",
        "zones": "Zones (type:nom, séparées par des virgules)", "all_cameras": "Toutes les caméras",
        "territory": "Territoire (zone type:nom)", "authorisation": "Autorisation préfectorale",
        "note": "Note", "user": "Utilisateur", "all": "toutes",
        "audit_ok": "Journal intègre", "audit_bad": "Journal ALTÉRÉ",
        "entries": "entrées", "first_bad": "première entrée en cause",
        "time": "Horodatage (Europe/Paris)", "actor": "Acteur", "action": "Action",
        "outcome": "Résultat", "object": "Objet", "basis": "Base légale", "purpose": "Motif",
        "details": "Détails", "filter": "Filtrer", "newer": "Plus récentes",
        "older": "Plus anciennes",
        "saved": "Enregistré.", "legal_note": "Seules les personnes individuellement désignées et "
        "habilitées peuvent visionner les images (CSI L252-2, R252-12).",
        "state_active": "en vigueur", "state_revoked": "révoquée", "state_not_yet": "à venir",
        "state_expired": "expirée", "state_refresher_overdue": "recyclage en retard",
    },
    "en": {
        "app": "Sentinelle", "login": "Log in", "logout": "Log out",
        "username": "User name", "password": "Password",
        "code": "Authenticator app code (if enabled)",
        "submit_login": "Log in", "bad_login": "Wrong user name, password or code.",
        "throttled": "Too many failed attempts: try again later.",
        "form_expired": "Form expired: please try again.",
        "logged_out": "You are logged out.", "confirm_logout": "Log out",
        "public_map": "Public map", "planner": "Planner", "users": "Users",
        "control_room": "Control room", "video": "Playback and live",
        "custody": "Requisitions and holds",
        "statistics": "Anonymous statistics",
        "habilitations": "Habilitations", "audit": "Audit log", "other_lang": "Français",
        "nav_alerts": "Alerts", "nav_events": "Algorithmic video",
        "compliance": "Compliance",
        "role": "Role", "full_name": "Full name", "service": "Service", "active": "Active",
        "created": "Created", "add_user": "Add a user", "add": "Add",
        "disable": "Disable", "yes": "yes", "no": "no", "totp": "TOTP",
        "password_once": "Password (shown once)",
        "password_hint": "Leave empty to generate one",
        "rights": "Rights", "scope": "Scope", "from": "From", "until": "Until",
        "training": "Training", "refresher": "Refresher due", "state": "State",
        "granted_by": "Granted by", "revoke": "Revoke", "grant": "Grant a habilitation",
        "cameras": "Cameras (ids, comma-separated)",
        "zones": "Zones (kind:name, comma-separated)", "all_cameras": "All cameras",
        "territory": "Territory (zone kind:name)", "authorisation": "Prefectoral authorisation",
        "note": "Note", "user": "User", "all": "all",
        "audit_ok": "Log intact", "audit_bad": "Log ALTERED",
        "entries": "entries", "first_bad": "first entry at fault",
        "time": "Time (Europe/Paris)", "actor": "Actor", "action": "Action",
        "outcome": "Outcome", "object": "Object", "basis": "Legal basis", "purpose": "Purpose",
        "details": "Details", "filter": "Filter", "newer": "Newer", "older": "Older",
        "saved": "Saved.", "legal_note": "Only individually designated and habilitated persons "
        "may view images (CSI L252-2, R252-12).",
        "state_active": "in force", "state_revoked": "revoked", "state_not_yet": "not yet",
        "state_expired": "expired", "state_refresher_overdue": "refresher overdue",
    },
}

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def page_lang(request: Request) -> str:
    """``en`` when asked for (query or cookie), else ``fr``."""
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "fr"
    return "en" if lang.startswith("en") else "fr"


def render(
    request: Request,
    template: str,
    *,
    session: WebSession | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render `template` in the request's language, with the navigation the role may use."""
    lang = page_lang(request)
    role = session.user.role if session else None
    nav = []
    if role is not None:
        for perm, path, key in (("map:internal", "/planner", "planner"),
                                ("control_room:read", "/salle", "control_room"),
                                ("video:replay", "/lecture", "video"),
                                ("holds:read", "/garde", "custody"),
                                ("analytics:read", "/statistiques", "statistics"),
                                ("users:read", "/users", "users"),
                                ("habilitations:read", "/habilitations", "habilitations"),
                                ("audit:read", "/audit", "audit"),
                                ("compliance:read", "/conformite", "compliance"),
                                ("alerts:read", "/alertes", "nav_alerts"),
                                ("events:read", "/dpo/evenements", "nav_events")):
            if policy.allows(role, perm):
                nav.append((path, key))
    html = _env.get_template(template).render(
        t=STRINGS[lang], lang=lang, other_lang="fr" if lang == "en" else "en",
        session=session, user=session.user if session else None,
        csrf=session.csrf_token if session else None, nav=nav, **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    if "lang" in request.query_params:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=365 * 86400)
    response.headers["Cache-Control"] = "no-store"
    return response
