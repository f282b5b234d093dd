"""Playback and live view: recorded segments served with HTTP Range to habilitated users only,
every opening (and refusal) in the audit log; a real chromium plays a recorded clip."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.habilitations import Habilitations
from sentinelle.access.keys import load_keys
from sentinelle.access.users import Users
from sentinelle.db.engine import open_database
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings
from sentinelle.web import create_app
from tests.evidence.footage import record_runs
from tests.record.conftest import clip, video_tools  # noqa: F401  (fixtures)
from tests.servers import log_in, serve_app
from tests.web.conftest import PASSWORD, login

CAM = "REN-001"


@pytest.fixture
def video_home(tmp_path, clip):  # noqa: F811
    """alice (operator) holds replay and live on REN-001; bob (operator) holds nothing.
    REN-001 has two recorded segments (about 5 s each) that ended a minute ago."""
    home = tmp_path / "vid"
    settings = Settings(home=home, database_url=None)
    settings.ensure_home()
    keys = load_keys(settings)
    db = open_database(settings.url)
    users = Users(db, keys)
    for name in ("alice", "bob"):
        users.add(username=name, password=PASSWORD, role="operator", actor=Actor.cli())
    Registry(db, keys=keys).save_cameras([Camera(id=CAM, lon=-1.68, lat=48.11),
                                          Camera(id="REN-002", lon=-1.68, lat=48.11)])
    today = date.today()
    Habilitations(db, keys).grant(
        username="alice", rights="replay,live", cameras=[CAM],
        valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=30),
        training_date=today - timedelta(days=10), refresher_due=today + timedelta(days=300),
        actor=Actor.cli())
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=70)
    segs = record_runs(db, home / "recordings", CAM, clip, start=start, segment_s=5)
    db.dispose()
    return home, segs


def _client(app, user: str) -> TestClient:
    c = TestClient(app, follow_redirects=False)
    assert login(c, user).status_code == 303
    return c


def _window(segs) -> dict[str, str]:
    return {"from": (segs[0].start - timedelta(seconds=30)).isoformat(),
            "to": (segs[-1].end + timedelta(seconds=5)).isoformat()}


def test_replay_api_range_and_audit(video_home):
    home, segs = video_home
    app = create_app(Settings(home=home, database_url=None))
    alice, bob = _client(app, "alice"), _client(app, "bob")
    assert [c["id"] for c in alice.get("/api/video/cameras").json()["cameras"]] == [CAM]
    assert bob.get("/api/video/cameras").json()["cameras"] == []
    r = alice.get(f"/api/video/{CAM}/segments", params={**_window(segs), "purpose": "test"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [s["path"] for s in body["segments"]] == [s.path for s in segs]
    assert len(body["gaps"]) == 2  # the 30 s before the first segment, the 5 s after the last
    url = body["segments"][0]["url"]
    for bad in ("yesterday", "0001-01-01T00:00:00+05:00"):
        r = alice.get(f"/api/video/{CAM}/segments", params={"from": bad})
        assert r.status_code == 422 and "`from`" in r.json()["detail"]
    whole = (home / "recordings" / segs[0].path).read_bytes()
    part = alice.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole)}"
    assert part.content == whole[100:200]
    assert alice.get(url).content == whole
    # bob: refused, the refusal audited; nor can he fetch the file itself.
    r = bob.get(f"/api/video/{CAM}/segments", params=_window(segs))
    assert r.status_code == 403 and "holds no habilitation" in r.json()["detail"]
    assert bob.get(url).status_code == 403
    assert alice.get(f"/api/video/{CAM}/file/../../secret.key").status_code == 404
    assert alice.get(f"/api/video/REN-002/file/{segs[0].path}").status_code == 403
    assert alice.get(f"/api/video/{CAM}/file/{CAM}/2026-01-01/none.mp4").status_code == 404
    entries = AuditLog(app.state.db, app.state.keys).entries(action="replay",
                                                             newest_first=False)
    assert [(e.actor, e.outcome, e.object_id) for e in entries] == [
        ("alice", "ok", CAM), ("bob", "denied", CAM)]
    assert entries[0].purpose == "test" and entries[0].time_range.count("/") == 1
    # live view: the newest segments, the opening audited once (polls are not openings).
    r = alice.get(f"/api/video/{CAM}/live")
    assert r.status_code == 200 and r.json()["segments"][-1]["path"] == segs[-1].path
    r = alice.get(f"/api/video/{CAM}/live", params={"opening": "false",
                                                     "after": segs[-1].start.isoformat()})
    assert r.json()["segments"] == []
    assert bob.get(f"/api/video/{CAM}/live").status_code == 403
    live = AuditLog(app.state.db, app.state.keys).entries(action="live_view",
                                                          newest_first=False)
    assert [(e.actor, e.outcome) for e in live] == [("alice", "ok"), ("bob", "denied")]
    served_from = datetime.fromisoformat(live[0].time_range.split("/")[0])
    assert served_from == segs[0].start  # the footage served, up to the opening
    app.state.db.dispose()


@pytest.fixture
def video_server(video_home):
    home, segs = video_home
    app = create_app(Settings(home=home, database_url=None))
    with serve_app(app) as url:
        yield url, app, segs


def _login_page(browser, base: str, user: str, target: str):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(base + target)
    log_in(page, user, PASSWORD)
    page.wait_for_url("**/lecture**")
    return page


def test_operator_plays_recorded_clip_in_chromium(video_server, browser):
    base, app, segs = video_server
    q = httpx.QueryParams({**_window(segs), "camera": CAM, "autoplay": "1"})
    # alice, habilitated: the clip plays past its first seconds and on into the next segment.
    files: list[int] = []
    page = _login_page(browser, base, "alice", f"/lecture?{q}")
    page.on("response", lambda r: files.append(r.status) if "/file/" in r.url else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.wait_for_function(
        "() => { const v = document.getElementById('player');"
        " return v.dataset.segmentIndex === '0' && v.currentTime > 3; }", timeout=30_000)
    page.wait_for_function(
        "() => { const v = document.getElementById('player');"
        " return v.dataset.segmentIndex === '1' && v.currentTime > 1; }", timeout=30_000)
    assert page.evaluate("document.getElementById('player').error") is None
    # the H.264 picture itself is decoded (320×180 test clip), not only the container read
    assert page.evaluate("[document.getElementById('player').videoWidth,"
                         " document.getElementById('player').videoHeight]") == [320, 180]
    assert 206 in files, files
    # live view: the newest complete segment plays; the opening is audited (live_view)
    page.click("#live")
    page.wait_for_function(
        f"() => {{ const v = document.getElementById('player');"
        f" return v.dataset.segmentIndex === '{len(segs) - 1}' && v.currentTime > 1; }}",
        timeout=30_000)
    assert errors == []
    page.close()
    # bob, no habilitation: refused on the page.
    page = _login_page(browser, base, "bob", f"/lecture?{q}")
    page.wait_for_function("document.getElementById('msg').textContent.includes('refusé')",
                           timeout=10_000)
    assert page.evaluate("document.getElementById('player').currentSrc") == ""
    page.close()
    entries = AuditLog(app.state.db, app.state.keys).entries(action="replay",
                                                             newest_first=False)
    assert [(e.actor, e.outcome, e.object_id) for e in entries] == [
        ("alice", "ok", CAM), ("bob", "denied", CAM)]
    live = AuditLog(app.state.db, app.state.keys).entries(action="live_view")
    assert [(e.actor, e.outcome, e.object_id) for e in live] == [("alice", "ok", CAM)]


def test_web_export_needs_the_export_habilitation_and_verifies(video_home):
    from sentinelle.evidence.transmissions import TransmissionRegister
    from sentinelle.evidence.verify import verify_export

    home, segs = video_home
    app = create_app(Settings(home=home, database_url=None))
    db, keys = app.state.db, app.state.keys
    Users(db, keys).add(username="carol", password=PASSWORD, role="admin", actor=Actor.cli())
    today = date.today()
    Habilitations(db, keys).grant(
        username="carol", rights="export", cameras=[CAM],
        valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=30),
        training_date=today - timedelta(days=10), refresher_due=today + timedelta(days=300),
        actor=Actor.cli())
    carol = _client(app, "carol")
    carol.headers["X-CSRF-Token"] = carol.get("/api/me").json()["csrf_token"]
    body = {"camera_id": CAM, **_window(segs), "legal_basis": "destinataire_L252-3",
            "recipient": "Police nationale"}
    r = carol.post("/api/exports", json={**body, "legal_basis": ""})
    assert r.status_code == 422 and "--legal-basis is required" in r.json()["detail"]
    rgpd = {**body, "legal_basis": "droit_acces_rgpd", "recipient": "M. Dupont"}
    r = carol.post("/api/exports", json={**rgpd, "subjects": ["hier@0.5,0.5"]})
    assert r.status_code == 422 and "subjects `hier@0.5,0.5`" in r.json()["detail"]
    r = carol.post("/api/exports", json={**body, "subjects": ["2026-01-01T00:00:00Z@0.5,0.5"]})
    assert r.status_code == 422 and "only for --legal-basis droit_acces_rgpd" in \
        r.json()["detail"]
    r = carol.post("/api/exports", json={**body, "camera_id": "REN-002"})
    assert r.status_code == 403 and "not in the scope" in r.json()["detail"]
    r = carol.post("/api/exports", json=body)
    assert r.status_code == 201, r.text
    done = r.json()
    assert done["segments"] == 2 and len(done["runs"]) == 1
    report = verify_export(Path(done["out_dir"]))
    assert report.ok, report.problems
    assert report.public_key_sha256 == done["signature"]["public_key_sha256"]
    [row] = TransmissionRegister(db).list()
    assert row.exported_by == "carol" and row.recipient == "Police nationale"
    assert carol.get("/api/exports").json()["count"] == 1
    # a right-of-access export from the web: every person blurred, no original segment
    r = carol.post("/api/exports", json=rgpd)
    assert r.status_code == 201, r.text
    done = r.json()
    assert done["redaction"]["frames_processed"] > 0 and len(done["runs"]) == 1
    assert verify_export(Path(done["out_dir"])).ok
    assert not (Path(done["out_dir"]) / "segments").exists()
    # an operator (role without video:export) is refused by the guard
    alice = _client(app, "alice")
    alice.headers["X-CSRF-Token"] = alice.get("/api/me").json()["csrf_token"]
    assert alice.post("/api/exports", json=body).status_code == 403
    entries = AuditLog(db, keys).entries(action="export", newest_first=False)
    assert [(e.actor, e.outcome, e.object_id, e.legal_basis) for e in entries] == [
        ("carol", "denied", "REN-002", "none"), ("carol", "ok", CAM, "destinataire_L252-3"),
        ("carol", "ok", CAM, "droit_acces_rgpd")]
    app.state.db.dispose()


def test_a_right_of_access_export_runs_in_the_background_with_its_progress(video_home):
    import time

    from sentinelle.evidence.verify import verify_export

    home, segs = video_home
    app = create_app(Settings(home=home, database_url=None))
    db, keys = app.state.db, app.state.keys
    today = date.today()
    for name in ("carol", "dave"):
        Users(db, keys).add(username=name, password=PASSWORD, role="admin", actor=Actor.cli())
        Habilitations(db, keys).grant(
            username=name, rights="export", cameras=[CAM],
            valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=30),
            training_date=today - timedelta(days=10), refresher_due=today + timedelta(days=300),
            actor=Actor.cli())
    carol, dave = _client(app, "carol"), _client(app, "dave")
    for c in (carol, dave):
        c.headers["X-CSRF-Token"] = c.get("/api/me").json()["csrf_token"]
    rgpd = {"camera_id": CAM, **_window(segs), "legal_basis": "droit_acces_rgpd",
            "recipient": "M. Dupont", "background": True}

    def finish(url):
        seen, deadline = [], time.monotonic() + 120
        while True:
            job = carol.get(url).json()
            seen.append(job["progress"]["done"])
            if job["state"] in ("done", "failed"):
                return job, seen
            assert time.monotonic() < deadline, job
            time.sleep(0.1)

    # What can be checked at once is answered at once, as without `background`.
    r = carol.post("/api/exports", json={**rgpd, "subjects": ["hier@0.5,0.5"]})
    assert r.status_code == 422 and "subjects `hier@0.5,0.5`" in r.json()["detail"]
    assert carol.post("/api/exports", json={**rgpd, "camera_id": "REN-002"}).status_code == 403
    r = carol.post("/api/exports", json=rgpd)
    assert r.status_code == 202, r.text
    accepted = r.json()
    assert accepted["state"] in ("queued", "running")
    assert accepted["url"] == f"/api/exports/jobs/{accepted['job']}"
    assert dave.get(accepted["url"]).status_code == 404  # another user's job
    job, seen = finish(accepted["url"])
    assert job["state"] == "done", job
    assert job["progress"]["fraction"] == 1.0 and job["progress"]["done"] > 0
    assert seen == sorted(seen)  # the frames done only grow
    done = job["result"]
    assert done["redaction"]["frames_processed"] > 0 and len(done["runs"]) == 1
    assert verify_export(Path(done["out_dir"])).ok
    assert not (Path(done["out_dir"]) / "segments").exists()
    # A designation nobody matches fails in the job, with the status and reason the
    # synchronous request gives; nothing is exported.
    r = carol.post("/api/exports", json={**rgpd, "subjects": [
        f"{(segs[0].start + timedelta(seconds=2)).isoformat()}@0.01,0.01"]})
    assert r.status_code == 202
    job, _ = finish(r.json()["url"])
    assert job["state"] == "failed" and job["error"]["status"] == 422
    assert "no person box" in job["error"]["detail"]
    assert carol.get("/api/exports").json()["count"] == 1
    entries = AuditLog(db, keys).entries(action="export", newest_first=False)
    assert [(e.actor, e.outcome, e.legal_basis) for e in entries] == [
        ("carol", "denied", "none"), ("carol", "ok", "droit_acces_rgpd")]
    app.state.db.dispose()


def test_admin_exports_from_the_page(video_server, browser):
    from sentinelle.evidence.verify import verify_export

    base, app, segs = video_server
    db, keys = app.state.db, app.state.keys
    Users(db, keys).add(username="carol", password=PASSWORD, role="admin", actor=Actor.cli())
    today = date.today()
    Habilitations(db, keys).grant(
        username="carol", rights="replay,export", cameras=[CAM],
        valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=30),
        training_date=today - timedelta(days=10), refresher_due=today + timedelta(days=300),
        actor=Actor.cli())
    q = httpx.QueryParams({**_window(segs), "camera": CAM, "autoplay": "1"})
    page = _login_page(browser, base, "carol", f"/lecture?{q}")
    page.wait_for_selector("#export-section:not([hidden])", timeout=10_000)
    assert page.is_hidden("#subjects-label")
    page.select_option("#legal-basis", "requisition_judiciaire")
    page.click("#export")  # no requisition number: refused, with the reason
    page.wait_for_function(
        "document.getElementById('export-msg').textContent.includes('--requisition')",
        timeout=10_000)
    page.fill("#requisition", "PV-2026-0042")
    page.fill("#recipient", "OPJ Le Gall, commissariat central")
    page.click("#export")
    page.wait_for_selector("#export-msg[data-out-dir]", timeout=30_000)
    out = Path(page.get_attribute("#export-msg", "data-out-dir"))
    # right of access: the subject is designated by a click on the picture (time and point)
    page.select_option("#legal-basis", "droit_acces_rgpd")
    page.wait_for_selector("#subjects-label:not([hidden])")
    page.wait_for_function("document.getElementById('player').dataset.position", timeout=30_000)
    page.fill("#requisition", "")
    page.fill("#recipient", "M. Dupont")
    page.click("#player")
    designation = page.input_value("#subjects")
    assert re.fullmatch(r"20\d\d-\d\d-\d\dT[\d:.]+Z@0\.[45]\d*,0\.[45]\d*", designation), \
        designation
    page.click("#export")  # the test pattern shows nobody: refused, with the reason
    page.wait_for_function(
        "document.getElementById('export-msg').textContent.includes('no person box')",
        timeout=60_000)
    page.fill("#subjects", "")
    page.click("#export")  # no designation: every person blurred
    page.wait_for_function(
        "document.getElementById('export-msg').textContent.includes('floutés')", timeout=60_000)
    blurred = Path(page.get_attribute("#export-msg", "data-out-dir"))
    page.close()
    assert out.parent == app.state.settings.home / "exports"
    report = verify_export(out)
    assert report.ok, report.problems
    assert verify_export(blurred).ok and not (blurred / "segments").exists()
    e, rgpd = AuditLog(db, keys).entries(action="export", newest_first=False)
    assert (e.actor, e.requisition_ref) == ("carol", "PV-2026-0042")
    assert (rgpd.legal_basis, rgpd.recipient) == ("droit_acces_rgpd", "M. Dupont")
