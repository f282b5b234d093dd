"""Who may do what: the route × role matrix, in one table. Deny by default.

Every web route is listed in `ROUTES` with the permission it needs, or `PUBLIC`. A route that is
not listed is refused to everyone (the web app checks this on every request, and a test checks
that every route of the app is listed). A permission is granted to the roles in `PERMISSIONS`.

Video permissions (``video:*``) are necessary, not sufficient: the route must also check the
user's habilitation for that camera (``Habilitations.can(user, right, camera_id, now=...)``),
for every role, admin included (CSI L252-2: only individually habilitated persons see images).

To add a route: one line in `ROUTES` (method, path template as FastAPI declares it, permission).
"""

from __future__ import annotations

from typing import Final

from sentinelle.access.users import Role

PUBLIC: Final = "public"
AUTHENTICATED: Final = "authenticated"  # any logged-in role

OP, SUP, DPO, AUD, ADM = Role.operator, Role.supervisor, Role.dpo, Role.auditor, Role.admin

#: permission → roles holding it
PERMISSIONS: Final[dict[str, frozenset[Role]]] = {
    AUTHENTICATED:         frozenset({OP, SUP, DPO, AUD, ADM}),
    "registry:read":       frozenset({OP, SUP, DPO, AUD, ADM}),
    "map:internal":        frozenset({OP, SUP, ADM}),
    "plan:run":            frozenset({SUP, ADM}),
    "video:live":          frozenset({OP, SUP, ADM}),
    "video:replay":        frozenset({OP, SUP, ADM}),
    "video:export":        frozenset({ADM}),
    "habilitations:read":  frozenset({SUP, ADM}),
    "habilitations:write": frozenset({ADM}),
    "requisitions:read":   frozenset({SUP, ADM}),
    "requisitions:write":  frozenset({SUP, ADM}),
    "holds:read":          frozenset({SUP, DPO, AUD, ADM}),
    "rights_requests:read":  frozenset({SUP, DPO, AUD, ADM}),
    "rights_requests:write": frozenset({DPO, ADM}),
    "compliance:read":     frozenset({DPO, AUD, ADM}),
    "audit:read":          frozenset({DPO, AUD, ADM}),
    "evaluation:read":     frozenset({OP, SUP, DPO, AUD, ADM}),
    "users:read":          frozenset({ADM}),
    "users:write":         frozenset({ADM}),
    "config:write":        frozenset({ADM}),
    "control_room:read":   frozenset({OP, SUP, DPO, AUD, ADM}),
    "control_room:write":  frozenset({OP, SUP, ADM}),
    "alerts:read":         frozenset({OP, SUP, ADM}),  # + a live habilitation per camera
    "alerts:decide":       frozenset({OP, SUP, ADM}),  # + a live habilitation per camera
    "events:read":         frozenset({DPO, AUD, ADM}),
    "analytics:read":      frozenset({OP, SUP, DPO, AUD, ADM}),
}

#: (method, path) → permission. Pages are HTML (anonymous → redirect to /login); paths under
#: /api answer JSON (anonymous → 401).
ROUTES: Final[dict[tuple[str, str], str]] = {
    # open to anyone
    ("GET", "/"):                                        PUBLIC,
    ("GET", "/health"):                                  PUBLIC,
    ("GET", "/login"):                                   PUBLIC,
    ("POST", "/login"):                                  PUBLIC,
    ("GET", "/logout"):                                  PUBLIC,
    ("POST", "/logout"):                                 PUBLIC,
    ("GET", "/api/public/info"):                         PUBLIC,
    ("GET", "/api/public/cameras"):                      PUBLIC,
    ("GET", "/api/public/zones"):                        PUBLIC,
    ("GET", "/api/public/coverage"):                     PUBLIC,
    ("GET", "/api/public/basemap"):                      PUBLIC,
    ("GET", "/api/public/timeline"):                     PUBLIC,
    ("GET", "/transparence"):                            PUBLIC,
    ("GET", "/api/public/transparence/cameras.geojson"): PUBLIC,
    ("GET", "/api/public/transparence/cameras.csv"):     PUBLIC,
    ("GET", "/api/public/transparence/registre.json"):   PUBLIC,
    ("GET", "/api/public/transparence/registre.csv"):    PUBLIC,
    ("GET", "/api/public/transparence/chiffres"):        PUBLIC,
    # any account
    ("GET", "/api/me"):                                  AUTHENTICATED,
    # internal map and registry
    ("GET", "/planner"):                                 "map:internal",
    ("POST", "/api/preview"):                            "map:internal",
    ("GET", "/api/cameras"):                             "registry:read",
    ("GET", "/api/zones"):                               "registry:read",
    ("GET", "/api/coverage"):                            "registry:read",
    ("GET", "/api/basemap"):                             "registry:read",
    # master plan (Schéma Directeur): read and compare runs, start a run
    ("GET", "/planning"):                                "map:internal",
    ("GET", "/api/planning/example"):                    "map:internal",
    ("POST", "/api/planning/validate"):                  "map:internal",
    ("GET", "/api/planning/jobs"):                       "map:internal",
    ("POST", "/api/planning/jobs"):                      "plan:run",
    ("GET", "/api/planning/jobs/{job_id}"):              "map:internal",
    ("GET", "/api/planning/jobs/{job_id}/scenario"):     "map:internal",
    ("GET", "/api/planning/jobs/{job_id}/files/{name}"): "map:internal",
    # users
    ("GET", "/users"):                                   "users:read",
    ("POST", "/users"):                                  "users:write",
    ("POST", "/users/{username}/disable"):               "users:write",
    ("GET", "/api/users"):                               "users:read",
    ("POST", "/api/users"):                              "users:write",
    ("POST", "/api/users/{username}/disable"):           "users:write",
    # habilitations
    ("GET", "/habilitations"):                           "habilitations:read",
    ("POST", "/habilitations"):                          "habilitations:write",
    ("POST", "/habilitations/{habilitation_id}/revoke"): "habilitations:write",
    ("GET", "/api/habilitations"):                       "habilitations:read",
    ("POST", "/api/habilitations"):                      "habilitations:write",
    ("POST", "/api/habilitations/{habilitation_id}/revoke"): "habilitations:write",
    # audit log
    ("GET", "/evaluation"):                              "evaluation:read",
    ("GET", "/api/evaluation"):                          "evaluation:read",
    ("GET", "/evaluation/files/{name}"):                 "evaluation:read",

    # compliance
    ("GET", "/conformite"):                              "compliance:read",
    ("GET", "/api/compliance/findings"):                 "compliance:read",

    ("GET", "/audit"):                                   "audit:read",
    ("GET", "/api/audit"):                               "audit:read",
    ("GET", "/api/audit/verify"):                        "audit:read",
    # control room: camera health, log (main courante), maintenance tickets
    ("GET", "/salle"):                                   "control_room:read",
    ("GET", "/api/record/status"):                       "control_room:read",
    ("GET", "/api/log"):                                 "control_room:read",
    ("POST", "/api/log"):                                "control_room:write",
    ("GET", "/api/tickets"):                             "control_room:read",
    ("POST", "/api/tickets"):                            "control_room:write",
    ("POST", "/api/tickets/{ticket_id}/close"):          "control_room:write",
    # playback and live view (each camera also needs a habilitation with the right)
    ("GET", "/lecture"):                                 "video:replay",
    ("GET", "/api/video/cameras"):                       "video:replay",
    ("GET", "/api/video/{camera_id}/segments"):          "video:replay",
    ("GET", "/api/video/{camera_id}/live"):              "video:live",
    ("GET", "/api/video/{camera_id}/file/{path:path}"):  "video:replay",
    # evidence export (also needs the export habilitation on the camera) and its register
    ("POST", "/api/exports"):                            "video:export",
    ("GET", "/api/exports"):                             "video:export",
    ("GET", "/api/exports/jobs/{job_id}"):               "video:export",
    # custody: requisitions, legal holds, data subjects' access requests
    ("GET", "/garde"):                                   "holds:read",
    ("GET", "/api/holds"):                               "holds:read",
    ("GET", "/api/requisitions"):                        "requisitions:read",
    ("POST", "/api/requisitions"):                       "requisitions:write",
    ("POST", "/api/requisitions/{requisition_id}/close"): "requisitions:write",
    ("GET", "/api/rights-requests"):                     "rights_requests:read",
    ("POST", "/api/rights-requests"):                    "rights_requests:write",
    ("POST", "/api/rights-requests/{request_id}/close"): "rights_requests:write",
    # event detection (décret 2023-828): operators' alerts, the DPO's page
    ("GET", "/alertes"):                                 "alerts:read",
    ("POST", "/alertes/{alert_id}/decision"):            "alerts:decide",
    ("GET", "/api/alerts"):                              "alerts:read",
    ("GET", "/api/alerts/{alert_id}/thumbnail"):         "alerts:read",
    ("GET", "/dpo/evenements"):                          "events:read",
    # anonymous statistics (aggregates); the still is an image: video:live + habilitation
    ("GET", "/statistiques"):                            "analytics:read",
    ("GET", "/api/analytics/cameras"):                   "analytics:read",
    ("GET", "/api/analytics/stats"):                     "analytics:read",
    ("GET", "/api/analytics/cameras/{camera_id}/still"): "video:live",
}

#: Paths served outside the routes table: FastAPI's schema and docs, static files.
OPEN_PREFIXES: Final = ("/static/", "/openapi.json", "/docs", "/redoc")


def permission_for(method: str, path: str) -> str | None:
    """The permission a route needs, `PUBLIC`, or None when the route is not in the table."""
    if method == "HEAD":
        method = "GET"
    return ROUTES.get((method, path))


def allows(role: Role | str, permission: str) -> bool:
    """True when `role` holds `permission` (`PUBLIC` is held by everyone)."""
    if permission == PUBLIC:
        return True
    return Role(str(role)) in PERMISSIONS.get(permission, frozenset())


def roles_with(permission: str) -> frozenset[Role]:
    """The roles holding `permission`."""
    if permission == PUBLIC:
        return frozenset(Role)
    return PERMISSIONS.get(permission, frozenset())


#: Roles that may ever be given a habilitation to see images.
VIDEO_ROLES: Final = PERMISSIONS["video:live"] | PERMISSIONS["video:replay"]
