"""Login, logout, CSRF, throttling and cookies as a browser sees them."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, login


def test_login_sets_a_hardened_cookie_and_redirects_by_role(app):
    c = TestClient(app, follow_redirects=False)
    res = login(c, "operator")
    assert res.status_code == 303 and res.headers["location"] == "/planner"
    cookie = res.headers["set-cookie"]
    assert "sentinelle_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Max-Age=43200" in cookie
    res = login(TestClient(app, follow_redirects=False), "auditor")
    assert res.headers["location"] == "/audit"
    res = login(TestClient(app, follow_redirects=False), "admin", next_="/users")
    assert res.headers["location"] == "/users"
    res = login(TestClient(app, follow_redirects=False), "admin", next_="//evil.example/x")
    assert res.headers["location"] == "/planner"  # never an open redirect


def test_login_page_in_french_and_english(app):
    c = TestClient(app)
    assert "Mot de passe" in c.get("/login").text
    assert "Password" in c.get("/login?lang=en").text
    assert "Password" in c.get("/login").text  # remembered


def test_login_form_needs_its_csrf_token(app):
    c = TestClient(app, follow_redirects=False)
    c.get("/login")
    res = c.post("/login", data={"username": "admin", "password": PASSWORD,
                                 "csrf_token": "forged"})
    assert res.status_code == 403 and "sentinelle_session" not in res.headers.get(
        "set-cookie", "")


def test_wrong_password_then_throttled(app):
    c = TestClient(app, follow_redirects=False)
    for _ in range(5):
        assert login(c, "dpo", "wrong password!").status_code == 401
    res = login(c, "dpo")
    assert res.status_code == 429 and int(res.headers["Retry-After"]) > 0


def test_forms_and_api_refuse_a_missing_csrf_token(app):
    c = TestClient(app, follow_redirects=False)
    login(c, "admin")
    assert c.post("/users", data={"username": "zed", "role": "dpo"}).status_code == 403
    assert c.post("/api/users", json={"username": "zed", "role": "dpo"}).status_code == 403
    token = c.get("/api/me").json()["csrf_token"]
    res = c.post("/api/users", json={"username": "zed", "role": "dpo"},
                 headers={"X-CSRF-Token": token})
    assert res.status_code == 201 and len(res.json()["password"]) >= 16


def test_planner_carries_the_csrf_token_for_its_scripts(app):
    c = TestClient(app, follow_redirects=False)
    login(c, "operator")
    page = c.get("/planner").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    assert token == c.get("/api/me").json()["csrf_token"]


def test_logout_ends_the_session_and_is_audited(app):
    c = TestClient(app, follow_redirects=False)
    login(c, "supervisor")
    token = c.get("/api/me").json()["csrf_token"]
    assert c.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    assert c.get("/api/me").status_code == 200
    assert c.post("/logout", data={"csrf_token": token}).status_code == 303
    assert c.get("/api/me").status_code == 401
    admin = TestClient(app, follow_redirects=False)
    login(admin, "admin")
    entries = admin.get("/api/audit", params={"actor": "supervisor"}).json()["data"]
    assert [e["action"] for e in entries] == ["logout", "login"]


def test_a_disabled_account_loses_its_session_at_once(app):
    op = TestClient(app, follow_redirects=False)
    login(op, "operator")
    admin = TestClient(app, follow_redirects=False)
    login(admin, "admin")
    token = admin.get("/api/me").json()["csrf_token"]
    res = admin.post("/api/users/operator/disable", headers={"X-CSRF-Token": token})
    assert res.status_code == 200 and res.json()["active"] is False
    assert op.get("/api/cameras").status_code == 401
    res = admin.post("/api/users/admin/disable", headers={"X-CSRF-Token": token})
    assert res.status_code == 422  # not oneself


def test_audit_page_shows_verification(app):
    c = TestClient(app, follow_redirects=False)
    login(c, "dpo")
    page = c.get("/audit").text
    assert "Journal intègre" in page and "login" in page
    assert c.get("/api/audit/verify").json()["ok"] is True
