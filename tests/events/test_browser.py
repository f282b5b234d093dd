"""The alerts page in chromium: an operator logs in, sees the blurred thumbnail, dismisses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from sentinelle.access.audit import Actor
from sentinelle.access.habilitations import Habilitations
from sentinelle.events.alerts import Alerts
from sentinelle.events.basis import EventBases
from sentinelle.events.detectors import EventHit
from tests.servers import open_logged_in, serve_app
from tests.web.conftest import PASSWORD, make_app


@pytest.fixture
def alerts_server(tmp_path):
    app = make_app(tmp_path / "home")
    db, keys = app.state.db, app.state.keys
    now = datetime.now(UTC)
    b = EventBases(db, keys).add(text="décret 2023-828", decision="AP-B", cameras="REN-001",
                                 start=now - timedelta(hours=1), end=now + timedelta(hours=1),
                                 events="objet_abandonne", actor=Actor.cli())
    frame = np.random.default_rng(2).integers(0, 256, (360, 640, 3), dtype=np.uint8)
    Alerts(db, keys).raise_(EventHit("objet_abandonne", "REN-001", now, (7,),
                                     ((0.5, 0.6, 0.55, 0.66),)), basis_id=b.id, frame=frame,
                            person_boxes=[(0.2, 0.2, 0.3, 0.7)], now=now)
    Habilitations(db, keys).grant(username="operator", rights="live", cameras=["REN-001"],
                                  valid_from=date(2026, 1, 1), valid_until=date(2030, 12, 31),
                                  training_date=date(2025, 12, 1),
                                  refresher_due=date(2030, 12, 1), actor=Actor.cli())
    with serve_app(app) as url:
        yield url, app
    app.state.db.dispose()


def test_operator_dismisses_an_alert_in_the_browser(alerts_server, browser):
    url, app = alerts_server
    page, errors = open_logged_in(browser, url, "/alertes", "operator", PASSWORD)
    row = page.locator("#alerts tr[data-alert]")
    assert row.count() == 1 and "Objet abandonné" in row.inner_text()
    assert page.evaluate("document.querySelector('#alerts img').naturalWidth") > 0
    row.locator("input[name=reason]").fill("mobilier urbain")
    row.locator("button[value=dismiss]").click()
    page.wait_for_selector("p.msg.ok")
    assert "mobilier urbain" in page.inner_text("#alerts")
    assert page.locator("#alerts button").count() == 0
    assert errors == []
    (a,) = Alerts(app.state.db, app.state.keys).list()
    assert (a.state, a.decided_by, a.reason) == ("dismissed", "operator", "mobilier urbain")
    page.close()
