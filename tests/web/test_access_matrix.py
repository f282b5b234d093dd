"""The access matrix: every route of the policy × every role (anonymous included).

Each route is called as a legitimate client would; a role holding the permission gets the
route's own answer, anonymous gets a redirect to /login (pages) or 401 (API), any other role 403.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from sentinelle.access import policy
from tests.web.conftest import ROLES

_n = itertools.count()
PASSES_GUARD = -1  # the route answers what its handler answers (not a guard refusal)


def _token(c: TestClient) -> str:
    return c.headers.get("X-CSRF-Token", "")


def _grant_form(c: TestClient):
    return c.post("/habilitations", data={
        "csrf_token": _token(c), "username": "operator", "rights": ["live"],
        "cameras": "REN-001", "valid_from": "2026-01-01", "valid_until": "2030-12-31",
        "training_date": "2025-12-01", "refresher_due": "2030-12-01"})


def _grant_api(c: TestClient):
    return c.post("/api/habilitations", json={
        "username": "supervisor", "rights": ["replay"], "all_cameras": True,
        "valid_from": "2026-01-01", "valid_until": "2030-12-31",
        "training_date": "2025-12-01", "refresher_due": "2030-12-01"})


# (method, path) → (how to call it, the status a permitted caller gets)
CALLS: dict[tuple[str, str], tuple[Callable[[TestClient], object], int]] = {
    ("GET", "/"): (lambda c: c.get("/"), 200),
    ("GET", "/health"): (lambda c: c.get("/health"), 200),
    ("GET", "/login"): (lambda c: c.get("/login"), 200),
    ("POST", "/login"): (lambda c: c.post("/login", data={"username": "x", "password": "y"}),
                         403),  # the login form's own CSRF check
    ("GET", "/logout"): (lambda c: c.get("/logout"), 200),
    ("POST", "/logout"): (lambda c: c.post("/logout", data={"csrf_token": "wrong"}),
                          PASSES_GUARD),  # 401 anonymous, 403 wrong token: never logs out here
    ("GET", "/api/public/info"): (lambda c: c.get("/api/public/info"), 200),
    ("GET", "/api/public/cameras"): (lambda c: c.get("/api/public/cameras"), 200),
    ("GET", "/api/public/zones"): (lambda c: c.get("/api/public/zones"), 200),
    ("GET", "/api/public/coverage"): (lambda c: c.get("/api/public/coverage"), 200),
    ("GET", "/api/public/basemap"): (lambda c: c.get("/api/public/basemap"), 200),
    ("GET", "/api/public/timeline"): (lambda c: c.get("/api/public/timeline"), 200),
    ("GET", "/transparence"): (lambda c: c.get("/transparence"), 200),
    ("GET", "/api/public/transparence/cameras.geojson"): (
        lambda c: c.get("/api/public/transparence/cameras.geojson"), 200),
    ("GET", "/api/public/transparence/cameras.csv"): (
        lambda c: c.get("/api/public/transparence/cameras.csv"), 200),
    ("GET", "/api/public/transparence/registre.json"): (
        lambda c: c.get("/api/public/transparence/registre.json"), 200),
    ("GET", "/api/public/transparence/registre.csv"): (
        lambda c: c.get("/api/public/transparence/registre.csv"), 200),
    ("GET", "/api/public/transparence/chiffres"): (
        lambda c: c.get("/api/public/transparence/chiffres"), 200),
    ("GET", "/conformite"): (lambda c: c.get("/conformite"), 200),
    ("GET", "/api/compliance/findings"): (lambda c: c.get("/api/compliance/findings"), 200),
    ("GET", "/api/me"): (lambda c: c.get("/api/me"), 200),
    ("GET", "/planner"): (lambda c: c.get("/planner"), 200),
    ("POST", "/api/preview"): (
        lambda c: c.post("/api/preview", json={"camera_id": "REN-001", "lon": -1.68,
                                               "lat": 48.11}), PASSES_GUARD),
    ("GET", "/api/cameras"): (lambda c: c.get("/api/cameras"), 200),
    ("GET", "/api/zones"): (lambda c: c.get("/api/zones"), 200),
    ("GET", "/api/coverage"): (lambda c: c.get("/api/coverage"), 200),
    ("GET", "/api/basemap"): (lambda c: c.get("/api/basemap"), 200),
    ("GET", "/planning"): (lambda c: c.get("/planning"), 200),
    ("GET", "/api/planning/example"): (lambda c: c.get("/api/planning/example"), 200),
    ("POST", "/api/planning/validate"): (
        lambda c: c.post("/api/planning/validate", json={"toml": "[siting]"}), 422),
    ("GET", "/api/planning/jobs"): (lambda c: c.get("/api/planning/jobs"), 200),
    ("POST", "/api/planning/jobs"): (  # an invalid scenario: refused before anything runs
        lambda c: c.post("/api/planning/jobs", json={"toml": "[siting]"}), 422),
    ("GET", "/api/planning/jobs/{job_id}"): (lambda c: c.get("/api/planning/jobs/nope"), 404),
    ("GET", "/api/planning/jobs/{job_id}/scenario"): (
        lambda c: c.get("/api/planning/jobs/nope/scenario"), 404),
    ("GET", "/api/planning/jobs/{job_id}/files/{name}"): (
        lambda c: c.get("/api/planning/jobs/nope/files/plan.json"), 404),
    ("GET", "/users"): (lambda c: c.get("/users"), 200),
    ("POST", "/users"): (lambda c: c.post("/users", data={
        "csrf_token": _token(c), "username": f"form{next(_n)}", "role": "auditor"}), 200),
    ("POST", "/users/{username}/disable"): (
        lambda c: c.post("/users/nobody/disable", data={"csrf_token": _token(c)}), 400),
    ("GET", "/api/users"): (lambda c: c.get("/api/users"), 200),
    ("POST", "/api/users"): (
        lambda c: c.post("/api/users", json={"username": f"api{next(_n)}", "role": "dpo"}), 201),
    ("POST", "/api/users/{username}/disable"): (
        lambda c: c.post("/api/users/nobody/disable"), 404),
    ("GET", "/evaluation"): (lambda c: c.get("/evaluation"), 200),
    ("GET", "/api/evaluation"): (lambda c: c.get("/api/evaluation"), 404),  # no report yet
    ("GET", "/evaluation/files/{name}"): (
        lambda c: c.get("/evaluation/files/evaluation.pdf"), 404),
    ("GET", "/habilitations"): (lambda c: c.get("/habilitations"), 200),
    ("POST", "/habilitations"): (_grant_form, 200),
    ("POST", "/habilitations/{habilitation_id}/revoke"): (
        lambda c: c.post("/habilitations/9999/revoke", data={"csrf_token": _token(c)}), 404),
    ("GET", "/api/habilitations"): (lambda c: c.get("/api/habilitations"), 200),
    ("POST", "/api/habilitations"): (_grant_api, 201),
    ("POST", "/api/habilitations/{habilitation_id}/revoke"): (
        lambda c: c.post("/api/habilitations/9999/revoke"), 404),
    ("GET", "/audit"): (lambda c: c.get("/audit"), 200),
    ("GET", "/api/audit"): (lambda c: c.get("/api/audit"), 200),
    ("GET", "/api/audit/verify"): (lambda c: c.get("/api/audit/verify"), 200),
    ("GET", "/salle"): (lambda c: c.get("/salle"), 200),
    ("GET", "/api/record/status"): (lambda c: c.get("/api/record/status"), 200),
    ("GET", "/api/log"): (lambda c: c.get("/api/log"), 200),
    ("POST", "/api/log"): (lambda c: c.post("/api/log", json={
        "camera_id": "REN-001", "category": "other", "text": "matrix"}), 201),
    ("GET", "/api/tickets"): (lambda c: c.get("/api/tickets"), 200),
    ("POST", "/api/tickets"): (lambda c: c.post("/api/tickets", json={
        "camera_id": "REN-001", "fault": "matrix"}), 201),
    ("POST", "/api/tickets/{ticket_id}/close"): (
        lambda c: c.post("/api/tickets/999999/close", json={}), 404),
    # video: the role passes the guard, then the camera's habilitation decides (none here)
    ("GET", "/lecture"): (lambda c: c.get("/lecture"), 200),
    ("GET", "/api/video/cameras"): (lambda c: c.get("/api/video/cameras"), 200),
    ("GET", "/api/video/{camera_id}/segments"): (
        lambda c: c.get("/api/video/REN-001/segments"), PASSES_GUARD),
    ("GET", "/api/video/{camera_id}/live"): (
        lambda c: c.get("/api/video/REN-001/live"), PASSES_GUARD),
    ("GET", "/api/video/{camera_id}/file/{path:path}"): (
        lambda c: c.get("/api/video/REN-001/file/REN-001/2026-01-01/x.mp4"), PASSES_GUARD),
    ("POST", "/api/exports"): (lambda c: c.post("/api/exports", json={
        "camera_id": "REN-001", "from": "2026-11-20T09:00:00Z", "to": "2026-11-20T10:00:00Z",
        "legal_basis": "destinataire_L252-3", "recipient": "Police nationale"}), PASSES_GUARD),
    ("GET", "/api/exports"): (lambda c: c.get("/api/exports"), 200),
    ("GET", "/api/exports/jobs/{job_id}"): (lambda c: c.get("/api/exports/jobs/nope"), 404),
    ("GET", "/garde"): (lambda c: c.get("/garde"), 200),
    ("GET", "/api/holds"): (lambda c: c.get("/api/holds"), 200),
    ("GET", "/api/requisitions"): (lambda c: c.get("/api/requisitions"), 200),
    ("POST", "/api/requisitions"): (lambda c: c.post("/api/requisitions", json={
        "reference": f"PV-matrix-{next(_n)}", "authority": "TJ Rennes", "officer": "OPJ",
        "windows": [{"camera_id": "REN-001", "start": "2026-11-20T21:00:00Z",
                     "end": "2026-11-20T22:00:00Z"}]}), 201),
    ("POST", "/api/requisitions/{requisition_id}/close"): (
        lambda c: c.post("/api/requisitions/999999/close", json={
            "footage_found": True, "useful": False, "case_solved": False}), 404),
    ("GET", "/api/rights-requests"): (lambda c: c.get("/api/rights-requests"), 200),
    ("POST", "/api/rights-requests"): (lambda c: c.post("/api/rights-requests", json={
        "requester": "M. Dupont", "camera_id": "REN-001", "start": "2026-11-20T21:00:00Z",
        "end": "2026-11-20T21:30:00Z"}), 201),
    ("POST", "/api/rights-requests/{request_id}/close"): (
        lambda c: c.post("/api/rights-requests/999999/close", json={"answer": "refused"}),
        404),
    ("GET", "/alertes"): (lambda c: c.get("/alertes"), 200),
    ("POST", "/alertes/{alert_id}/decision"): (
        lambda c: c.post("/alertes/999999/decision", data={
            "csrf_token": _token(c), "decision": "dismiss", "reason": "matrix"}), 404),
    ("GET", "/api/alerts"): (lambda c: c.get("/api/alerts"), 200),
    ("GET", "/api/alerts/{alert_id}/thumbnail"): (
        lambda c: c.get("/api/alerts/999999/thumbnail"), 404),
    ("GET", "/dpo/evenements"): (lambda c: c.get("/dpo/evenements"), 200),
    ("GET", "/statistiques"): (lambda c: c.get("/statistiques"), 200),
    ("GET", "/api/analytics/cameras"): (lambda c: c.get("/api/analytics/cameras"), 200),
    ("GET", "/api/analytics/stats"): (lambda c: c.get("/api/analytics/stats?camera=REN-001"),
                                      200),
    ("GET", "/api/analytics/cameras/{camera_id}/still"): (
        lambda c: c.get("/api/analytics/cameras/NO-SUCH/still"), 403),  # no habilitation
}


def test_every_policy_route_is_exercised():
    assert set(CALLS) == set(policy.ROUTES)


def test_every_api_route_of_the_app_is_in_the_policy(web_app):
    for path, ops in web_app.openapi()["paths"].items():
        for method in ops:
            assert (method.upper(), path) in policy.ROUTES, (method, path)


@pytest.mark.parametrize("role", [None, *ROLES], ids=["anonymous", *ROLES])
@pytest.mark.parametrize("route", list(CALLS), ids=[f"{m} {p}" for m, p in CALLS])
def test_access_matrix(clients, route, role):
    call, ok_status = CALLS[route]
    permission = policy.ROUTES[route]
    allowed = permission == policy.PUBLIC or (role is not None and policy.allows(role, permission))
    res = call(clients[role])
    if allowed:
        if ok_status == PASSES_GUARD:
            assert not _guard_refusal(res), res.text
        else:
            assert res.status_code == ok_status, res.text[:300]
    elif role is None and route[1].startswith("/api/"):
        assert res.status_code == 401
        assert res.json() == {"detail": "login required"}
    elif role is None:
        assert res.status_code == 303
        assert res.headers["location"].startswith("/login?next=")
    else:
        assert res.status_code == 403
        assert "may not do this" in res.json()["detail"]


def _guard_refusal(res) -> bool:
    if res.status_code == 303 and res.headers.get("location", "").startswith("/login"):
        return True
    try:
        detail = res.json().get("detail", "")
    except ValueError:
        return False
    return res.status_code in (401, 403) and (
        "may not do this" in str(detail) or "login required" == detail
        or "access policy" in str(detail))


def test_a_route_missing_from_the_policy_is_refused_even_to_admin(tmp_path):
    from tests.web.conftest import login, make_app

    app = make_app(tmp_path / "home")

    @app.get("/api/forgotten")
    def forgotten() -> dict:
        return {"secret": True}

    @app.get("/forgotten-page")
    def forgotten_page() -> dict:
        return {"secret": True}

    c = TestClient(app)
    assert c.get("/api/forgotten").status_code == 403
    login(c, "admin")
    for path in ("/api/forgotten", "/forgotten-page"):
        res = c.get(path)
        assert res.status_code == 403 and "deny by default" in res.json()["detail"]
    assert c.get("/no/such/page").status_code == 404


def test_anonymous_closed_api_refused_before_the_body_is_read(clients):
    res = clients[None].post("/api/users", content=b"{not json", headers={
        "Content-Type": "application/json"})
    assert res.status_code == 401
    assert res.headers["WWW-Authenticate"].startswith("Cookie")
