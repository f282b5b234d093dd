"""The operators' alerts page and the DPO's page, through the real app (access guard, CSRF,
habilitations)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import numpy as np
from fastapi.testclient import TestClient

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.habilitations import Habilitations
from sentinelle.events.alerts import Alerts
from sentinelle.events.basis import EventBases
from sentinelle.events.detectors import EventHit
from tests.web.conftest import login, make_app


def _client(app, role: str) -> TestClient:
    c = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    assert login(c, role).status_code == 303
    return c


def _csrf(c: TestClient) -> str:
    return c.get("/api/me").json()["csrf_token"]


def test_alerts_page_decisions_and_dpo_page(tmp_path):
    app = make_app(tmp_path / "home")
    db, keys = app.state.db, app.state.keys
    now = datetime.now(UTC)
    b = EventBases(db, keys).add(text="loi 2023-380 art. 10 ; décret 2023-828",
                                 decision="AP-WEB-77", cameras="REN-001",
                                 start=now - timedelta(hours=1), end=now + timedelta(hours=4),
                                 events="zone_interdite,objet_abandonne", actor=Actor.cli())
    frame = np.random.default_rng(1).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    hit = EventHit("zone_interdite", "REN-001", now, (4,), ((0.4, 0.3, 0.5, 0.7),),
                   "zone_interdite:quai")
    a = Alerts(db, keys).raise_(hit, basis_id=b.id, frame=frame, now=now)
    Habilitations(db, keys).grant(username="operator", rights="live", cameras=["REN-001"],
                                  valid_from=date(2026, 1, 1), valid_until=date(2030, 12, 31),
                                  training_date=date(2025, 12, 1),
                                  refresher_due=date(2030, 12, 1), actor=Actor.cli())

    op = _client(app, "operator")
    page = op.get("/alertes")
    assert page.status_code == 200 and f'data-alert="{a.id}"' in page.text
    assert "Confirmer" in page.text and "Lever le doute" in page.text
    img = op.get(f"/api/alerts/{a.id}/thumbnail")
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"
    assert img.content[:2] == b"\xff\xd8"
    assert [x["id"] for x in op.get("/api/alerts").json()["alerts"]] == [a.id]

    # a supervisor without a habilitation on REN-001 sees nothing and may not decide
    sup = _client(app, "supervisor")
    assert 'id="no-alerts"' in sup.get("/alertes").text
    assert sup.get(f"/api/alerts/{a.id}/thumbnail").status_code == 403
    r = sup.post(f"/alertes/{a.id}/decision", data={
        "csrf_token": _csrf(sup), "decision": "confirm", "reason": "vu"})
    assert r.status_code == 403 and "no habilitation" in r.text

    # the form needs the session's CSRF token and a reason
    r = op.post(f"/alertes/{a.id}/decision", data={"decision": "dismiss", "reason": "x"})
    assert r.status_code == 403
    r = op.post(f"/alertes/{a.id}/decision", data={
        "csrf_token": _csrf(op), "decision": "dismiss", "reason": " "})
    assert r.status_code == 400 and "--reason" in r.text
    r = op.post(f"/alertes/{a.id}/decision", data={
        "csrf_token": _csrf(op), "decision": "dismiss", "reason": "agent de nettoyage"})
    assert r.status_code == 200, r.text
    assert "agent de nettoyage" in r.text and "Confirmer" not in r.text
    got = Alerts(db, keys).get(a.id)
    assert (got.state, got.decided_by, got.reason) == ("dismissed", "operator",
                                                       "agent de nettoyage")
    outcomes = sorted(e.outcome for e in AuditLog(db, keys).entries(action="alert_decision"))
    assert outcomes == ["denied", "ok"]

    dpo = _client(app, "dpo")
    page = dpo.get("/dpo/evenements")
    assert page.status_code == 200
    assert "AP-WEB-77" in page.text and "agent de nettoyage" in page.text
    perf = re.search(r'<table class="list" id="performance">.*?</table>', page.text, re.S)
    assert "zone_interdite" in perf.group(0) and "100 %" in perf.group(0)  # 1 of 1 false
    assert dpo.get("/alertes").status_code == 403  # the DPO does not watch images
    app.state.db.dispose()
