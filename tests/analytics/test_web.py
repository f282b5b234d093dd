"""The statistics page and its API: aggregates for any logged-in role, the still (masks filled,
people blurred, audited, never stored) only with a live habilitation; the page in chromium
draws the chart, the table and the zones and lines on the still."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.habilitations import Habilitations
from sentinelle.access.keys import load_keys
from sentinelle.access.users import Users
from sentinelle.analytics.basis import Enablements
from sentinelle.analytics.shapes import ShapeStore, parse_shapes
from sentinelle.analytics.stats import CountStore
from sentinelle.db.engine import open_database
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings
from sentinelle.vision.counting import Count
from sentinelle.web import create_app
from tests.servers import open_logged_in, serve_app
from tests.web.conftest import PASSWORD, login

from .test_runner import LINES

CLI = Actor("cli:test", "cli")


@pytest.fixture
def stats_home(tmp_path, clip12, yolox):
    home = tmp_path / "stats"
    settings = Settings(home=home, database_url=None)
    settings.ensure_home()
    keys = load_keys(settings)
    db = open_database(settings.url)
    users = Users(db, keys)
    for role in ("operator", "auditor"):
        users.add(username=role, password=PASSWORD, role=role, actor=CLI)
    Registry(db, keys=keys).save_cameras([
        Camera(id="CAM-1", lon=-1.68, lat=48.11, stream_main=str(clip12))])
    today = date.today()
    Habilitations(db, keys).grant(
        username="operator", rights=["live"], cameras=["CAM-1"], actor=CLI,
        valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=30),
        training_date=today - timedelta(days=10), refresher_due=today + timedelta(days=300))
    ShapeStore(db, keys).replace(parse_shapes(LINES), actor=CLI)
    Enablements(db, keys).enable("CAM-1", mode="stats", purpose="fréquentation",
                                 dpia="AIPD-1", until=today + timedelta(days=30), actor=CLI)
    now = datetime.now(UTC).replace(microsecond=0)
    CountStore(db).add("CAM-1", [
        Count(now - timedelta(hours=2), None, "ouest", "a_to_b", "person", 4),
        Count(now - timedelta(hours=1), None, "ouest", "b_to_a", "person", 2),
        Count(now - timedelta(hours=1), "chemin", None, None, "person", 7)], bucket_s=10)
    db.dispose()
    return home


def _client(app, role):
    c = TestClient(app, follow_redirects=False)
    if role:
        assert login(c, role).status_code == 303
    return c


def test_stats_api_and_a_blurred_still_only_with_a_habilitation(stats_home):
    from PIL import Image

    app = create_app(Settings(home=stats_home, database_url=None))
    auditor, operator = _client(app, "auditor"), _client(app, "operator")
    cams = auditor.get("/api/analytics/cameras").json()["cameras"]
    assert [(c["camera_id"], c["active"], len(c["shapes"])) for c in cams] == [
        ("CAM-1", True, 2)]
    r = auditor.get("/api/analytics/stats", params={"camera": "CAM-1", "interval": "1d"})
    body = r.json()
    assert set(body) == {"camera", "interval", "series"}
    assert sum(s["count"] for s in body["series"]) == 13
    assert auditor.get("/api/analytics/stats", params={"camera": "CAM-1",
                                                       "interval": "weekly"}).status_code == 422
    assert auditor.get("/api/analytics/cameras/CAM-1/still").status_code == 403
    r = operator.get("/api/analytics/cameras/CAM-1/still")
    assert r.status_code == 200, r.text[:200]
    assert r.headers["content-type"] == "image/jpeg" and r.headers["cache-control"] == "no-store"
    img = np.asarray(Image.open(io.BytesIO(r.content)))
    assert img.shape[1] == 640
    views = AuditLog(app.state.db, app.state.keys).entries(action="live_view")
    assert [(v.actor, v.object_id, v.outcome) for v in views] == [("operator", "CAM-1", "ok")]
    assert not list((stats_home).rglob("*.jp*g"))
    app.state.db.dispose()


@pytest.fixture
def stats_server(stats_home):
    app = create_app(Settings(home=stats_home, database_url=None))
    with serve_app(app) as url:
        yield url


def test_statistics_page(stats_server, browser):
    page, errors = open_logged_in(browser, stats_server, "/statistiques", "operator", PASSWORD,
                                  height=1000)
    page.wait_for_selector("#st-table tbody tr", timeout=15_000)
    assert errors == []
    assert "CNIL 2022 — statistiques anonymes" in page.inner_text("#st-basis")
    assert page.locator("#st-chart polyline").count() == 3
    assert page.locator("#st-shapes polyline").count() == 1  # the line
    assert page.locator("#st-shapes polygon").count() == 1  # the zone
    page.wait_for_function("document.getElementById('st-still').naturalWidth > 0",
                           timeout=30_000)
    assert "floutée" in page.inner_text("#st-caption")
    page.close()
