"""The control room in the web app: health API and page, log and tickets (API and browser),
behind access control: operators write, auditors read, anonymous visitors are refused."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.keys import load_keys
from sentinelle.access.users import Users
from sentinelle.db.engine import open_database
from sentinelle.record.journal import CameraState, CameraStatusUpdate, RecorderJournal
from sentinelle.record.segments import Segment, SegmentIndex
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings
from sentinelle.web import create_app
from tests.servers import open_logged_in, serve_app
from tests.web.conftest import PASSWORD, login


@pytest.fixture
def room_home(tmp_path):
    """A data folder with two cameras, one recording (live recorder), one silent."""
    home = tmp_path / "room"
    settings = Settings(home=home, database_url=None)
    settings.ensure_home()
    keys = load_keys(settings)
    db = open_database(settings.url)
    users = Users(db, keys)
    for role in ("operator", "auditor"):
        users.add(username=role, password=PASSWORD, role=role, actor=Actor.cli())
    Registry(db, keys=keys).save_cameras([
        Camera(id="REN-001", lon=-1.68, lat=48.11, stream_main="rtsp://u:s3cret@10.0.0.1/1"),
        Camera(id="REN-002", lon=-1.68, lat=48.11, stream_main="rtsp://u:s3cret@10.0.0.2/1"),
    ])
    now = datetime.now(UTC)
    index = SegmentIndex(db, home / "recordings")
    for i in range(6):
        start = now - timedelta(seconds=60 - 10 * i)
        index.add(Segment("REN-001", f"REN-001/{i}.mp4", start, start + timedelta(seconds=10),
                          500_000, "0" * 64), now=now)
    journal = RecorderJournal(db)
    rid = journal.register_recorder(recordings=str(home / "recordings"), now=now,
                                    heartbeat_s=5, offline_after_s=30)
    journal.heartbeat(rid, now=now, cameras=[
        CameraStatusUpdate("REN-001", CameraState.recording, now, now, now, 0, None),
        CameraStatusUpdate("REN-002", CameraState.reconnecting, now - timedelta(minutes=5),
                           now - timedelta(minutes=5), None, 7, "Connection refused"),
    ])
    db.dispose()
    return home


def _client(app, role: str | None) -> TestClient:
    c = TestClient(app, follow_redirects=False)
    if role is not None:
        assert login(c, role).status_code == 303
        c.headers["X-CSRF-Token"] = c.get("/api/me").json()["csrf_token"]
    return c


@pytest.fixture
def room(room_home):
    app = create_app(Settings(home=room_home, database_url=None))
    with _client(app, "operator") as c:
        yield c
    app.state.db.dispose()


def test_status_api(room):
    r = room.get("/api/record/status")
    assert r.status_code == 200
    body = r.json()
    cams = {c["id"]: c for c in body["cameras"]}
    assert body["recorder"]["running"]
    assert cams["REN-001"]["state"] == "recording"
    assert cams["REN-001"]["bitrate_kbps"] == pytest.approx(400)
    assert cams["REN-002"]["state"] == "offline" and cams["REN-002"]["alert"]
    assert body["alerts"] and "REN-002" in body["alerts"][0]
    assert "s3cret" not in r.text and "rtsp" not in r.text


def test_log_and_tickets_api(room, room_home):
    r = room.post("/api/log", json={"camera_id": "REN-001", "category": "incident",
                                     "text": "Rixe devant le bar"})
    assert r.status_code == 201 and r.json()["author"] == "operator"
    assert room.post("/api/log", json={"category": "crime", "text": "x"}).status_code == 422
    r = room.post("/api/log", json={"camera_id": "NOPE", "category": "other", "text": "x"})
    assert r.status_code == 404 and "not in the registry" in r.json()["detail"]
    assert [e["text"] for e in room.get("/api/log").json()["entries"]] == ["Rixe devant le bar"]
    t = room.post("/api/tickets", json={"camera_id": "REN-002", "fault": "Pas d'image"})
    assert t.status_code == 201
    tid = t.json()["id"]
    assert room.get("/api/tickets?open=true").json()["count"] == 1
    r = room.post(f"/api/tickets/{tid}/close", json={"resolution": "Switch redémarré"})
    assert r.status_code == 200 and not r.json()["open"]
    assert room.post(f"/api/tickets/{tid}/close", json={}).status_code == 422
    assert room.post("/api/tickets/999/close", json={}).status_code == 404
    assert room.get("/api/tickets?open=true").json()["count"] == 0
    # Each write is in the audit log under the logged-in user.
    settings = Settings(home=room_home, database_url=None)
    db = open_database(settings.url)
    audit = AuditLog(db, load_keys(settings))
    assert [(a.actor, a.action, a.details.get("change")) for a in audit.entries(
        actor="operator", newest_first=False) if a.action != "login"] == [
        ("operator", "log_entry", None), ("operator", "ticket_change", "open"),
        ("operator", "ticket_change", "close"),
    ]
    db.dispose()


def test_who_may_read_and_write(room_home):
    app = create_app(Settings(home=room_home, database_url=None))
    anonymous, auditor = _client(app, None), _client(app, "auditor")
    assert anonymous.get("/api/record/status").status_code == 401
    assert anonymous.get("/salle").status_code == 303  # to the login page
    assert auditor.get("/api/record/status").status_code == 200
    assert auditor.get("/salle").status_code == 200
    assert auditor.get("/api/log").status_code == 200
    r = auditor.post("/api/log", json={"category": "other", "text": "x"})
    assert r.status_code == 403 and "control_room:write" in r.json()["detail"]
    operator = _client(app, "operator")
    del operator.headers["X-CSRF-Token"]
    r = operator.post("/api/log", json={"category": "other", "text": "x"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    app.state.db.dispose()


@pytest.fixture
def room_server(room_home):
    app = create_app(Settings(home=room_home, database_url=None))
    with serve_app(app) as url:
        yield url


def test_control_room_page(room_server, browser):
    page, errors = open_logged_in(browser, room_server, "/salle", "operator", PASSWORD)
    page.wait_for_selector("#health tbody tr[data-camera='REN-002']", timeout=15_000)
    assert errors == []
    row = page.inner_text("#health tbody tr[data-camera='REN-001']")
    assert "enregistre" in row and "400" in row
    assert "hors ligne" in page.inner_text("#health tbody tr[data-camera='REN-002']")
    assert "REN-002" in page.inner_text("#alerts")
    # An operator writes in the log and opens then closes a ticket.
    page.fill("#log-form input[name=camera_id]", "REN-001")
    page.select_option("#log-form select[name=category]", "signalement")
    page.fill("#log-form input[name=text]", "Signalement transmis à la police nationale")
    page.click("#log-form button")
    page.wait_for_selector("#log tbody tr", timeout=5_000)
    assert "Signalement transmis" in page.inner_text("#log tbody")
    page.fill("#ticket-form input[name=camera_id]", "REN-002")
    page.fill("#ticket-form input[name=fault]", "Pas d'image")
    page.click("#ticket-form button")
    page.wait_for_selector("#tickets button[data-ticket]", timeout=5_000)
    page.on("dialog", lambda d: d.accept("Switch redémarré"))
    page.click("#tickets button[data-ticket]")
    page.wait_for_function("!document.querySelector('#tickets button[data-ticket]')",
                           timeout=5_000)
    assert "Switch redémarré" in page.inner_text("#tickets tbody")
    page.goto(room_server + "/salle?lang=en")
    page.wait_for_selector("#health tbody tr[data-camera='REN-001']", timeout=15_000)
    assert "Camera health" in page.inner_text("#h-health")
    assert "offline" in page.inner_text("#health tbody tr[data-camera='REN-002']")
    page.close()
