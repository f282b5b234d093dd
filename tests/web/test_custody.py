"""Custody in the web app: requisitions, holds and access requests over the API and in the
browser, behind access control, every change audited under the logged-in user."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from sentinelle.custody.holds import HoldStore
from tests.servers import log_in, serve_app
from tests.web.conftest import PASSWORD, login, make_app


def _client(app, role: str | None) -> TestClient:
    c = TestClient(app, follow_redirects=False)
    if role is not None:
        assert login(c, role).status_code == 303
        c.headers["X-CSRF-Token"] = c.get("/api/me").json()["csrf_token"]
    return c


@pytest.fixture
def custody_app(tmp_path):
    app = make_app(tmp_path / "home")
    yield app
    app.state.db.dispose()


REQ = {"reference": "PV 2026/0042", "authority": "Parquet de Rennes", "officer": "OPJ Martin",
       "document": "req.pdf", "procedure": "flagrance", "category": "vol",
       "windows": [{"camera_id": "REN-001", "start": "2026-11-20T21:00:00Z",
                    "end": "2026-11-20T22:00:00Z"}]}


def test_requisitions_and_holds_api(custody_app):
    sup = _client(custody_app, "supervisor")
    r = sup.post("/api/requisitions", json=REQ)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["windows"][0]["camera_id"] == "REN-001"
    assert sup.post("/api/requisitions", json=REQ).status_code == 422  # recorded already
    bad = {**REQ, "reference": "PV-2", "procedure": "enquête"}
    r = sup.post("/api/requisitions", json=bad)
    assert r.status_code == 422 and "procedure" in r.json()["detail"]
    far = {**REQ, "reference": "PV-3", "windows": [{
        "camera_id": "REN-001", "start": "0001-01-01T00:00:00+02:00",
        "end": "2026-11-20T22:00:00Z"}]}
    r = sup.post("/api/requisitions", json=far)
    assert r.status_code == 422 and "out of range" in r.json()["detail"]
    holds = sup.get("/api/holds").json()["holds"]
    assert [(h["camera_id"], h["kind"], h["active"]) for h in holds] == [
        ("REN-001", "requisition", True)]
    r = sup.post(f"/api/requisitions/{rid}/close", json={
        "footage_found": False, "useful": True, "case_solved": False})
    assert r.status_code == 422 and "useful" in r.json()["detail"]
    r = sup.post(f"/api/requisitions/{rid}/close", json={
        "footage_found": True, "useful": True, "case_solved": False})
    assert r.status_code == 200 and r.json()["closed_at"]
    assert sup.get("/api/holds").json()["holds"] == []
    assert sup.get("/api/holds?all=true").json()["count"] == 1
    # An operator may not see requisitions; the auditor reads holds but writes nothing.
    op, aud = _client(custody_app, "operator"), _client(custody_app, "auditor")
    assert op.get("/api/requisitions").status_code == 403
    assert op.get("/garde").status_code == 403
    assert aud.get("/api/holds").status_code == 200
    assert aud.post("/api/requisitions", json={**REQ, "reference": "X"}).status_code == 403
    from sentinelle.access.audit import AuditLog

    audit = AuditLog(custody_app.state.db, custody_app.state.keys)
    assert [(e.action, e.details.get("change")) for e in audit.entries(
        actor="supervisor", newest_first=False) if e.action != "login"] == [
        ("hold_change", "placed"), ("requisition_change", "created"),
        ("hold_change", "released"), ("requisition_change", "closed")]


def test_rights_request_holds_at_once_and_tracks_deadline(custody_app):
    dpo = _client(custody_app, "dpo")
    r = dpo.post("/api/rights-requests", json={
        "requester": "Mme Durand", "camera_id": "REN-002", "start": "2026-11-24T08:00:00Z",
        "end": "2026-11-24T08:30:00Z", "received_at": "2026-11-25T10:00:00+01:00"})
    assert r.status_code == 201, r.text
    q = r.json()
    assert q["deadline_at"] == "2026-12-25T09:00:00+00:00" and not q["overdue"]
    now = datetime.now(UTC)
    assert HoldStore(custody_app.state.db).covers(
        "REN-002", datetime(2026, 11, 24, 8, 10, tzinfo=UTC),
        datetime(2026, 11, 24, 8, 11, tzinfo=UTC), now)
    r = dpo.post("/api/rights-requests", json={
        "requester": "x", "camera_id": "REN-002", "start": "2026-11-24T09:00:00Z",
        "end": "2026-11-24T08:00:00Z"})
    assert r.status_code == 422 and "requested window" in r.json()["detail"]
    r = dpo.post(f"/api/rights-requests/{q['id']}/close", json={"answer": "maybe"})
    assert r.status_code == 422 and "answer" in r.json()["detail"]
    r = dpo.post(f"/api/rights-requests/{q['id']}/close", json={"answer": "communicated"})
    assert r.status_code == 200 and r.json()["answer"] == "communicated"
    assert not HoldStore(custody_app.state.db).covers(
        "REN-002", datetime(2026, 11, 24, 8, 10, tzinfo=UTC),
        datetime(2026, 11, 24, 8, 11, tzinfo=UTC), datetime.now(UTC))
    sup = _client(custody_app, "supervisor")
    assert sup.get("/api/rights-requests").json()["count"] == 1
    assert sup.post("/api/rights-requests", json={}).status_code == 403


@pytest.fixture
def custody_server(custody_app):
    with serve_app(custody_app) as url:
        yield url


def _login(page, url: str, who: str) -> None:
    page.goto(url + "/garde")
    log_in(page, who, PASSWORD)
    page.wait_for_url("**/garde")


def test_custody_page(custody_server, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, custody_server, "admin")
    page.fill("#req-form input[name=reference]", "PV-WEB-1")
    page.fill("#req-form input[name=authority]", "Parquet de Rennes")
    page.fill("#req-form input[name=officer]", "OPJ Le Goff")
    page.select_option("#req-form select[name=procedure]", "preliminaire")
    page.fill("#req-form input[name=camera_id]", "REN-003")
    page.fill("#req-form input[name=start]", "2026-11-20T21:00")
    page.fill("#req-form input[name=end]", "2026-11-20T22:00")
    page.click("#req-form button")
    page.wait_for_selector("#requisitions tr[data-reference='PV-WEB-1']", timeout=10_000)
    assert "incomplète" in page.inner_text("#requisitions tr[data-reference='PV-WEB-1']")
    page.wait_for_selector("#holds tbody tr", timeout=5_000)
    assert "REN-003" in page.inner_text("#holds tbody")
    page.on("dialog", lambda d: d.accept("oui"))
    page.click("#requisitions tr[data-reference='PV-WEB-1'] button")
    page.wait_for_function(
        "!document.querySelector(\"#requisitions tr[data-reference='PV-WEB-1'] button\")",
        timeout=10_000)
    assert "close" in page.inner_text("#requisitions tr[data-reference='PV-WEB-1']")
    assert page.inner_text("#holds tbody").strip() == ""
    assert errors == []
    # An auditor sees holds but not the requisitions' section.
    page2 = browser.new_context().new_page()
    _login(page2, custody_server, "auditor")
    page2.wait_for_function("document.getElementById('sec-req').hidden", timeout=10_000)
    assert page2.is_visible("#sec-rr")
    page2.close()
    page.close()
