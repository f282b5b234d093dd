"""The planning page's API on the synthetic city: validate, run in the background, download."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from sentinelle.access.audit import Actor
from sentinelle.access.users import Users
from sentinelle.settings import Settings
from sentinelle.web import create_app
from tests.plan import city
from tests.plan.test_run_cli import _store_city
from tests.web.conftest import PASSWORD, login


@pytest.fixture
def planning(tmp_path):
    home = tmp_path / "home"
    _store_city(home)
    files = city.write_files(tmp_path / "in")
    text = city.SCENARIO
    for name in ("population.geojson", "incidents.csv", "metro.geojson"):
        text = text.replace(f'"{name}"', f'"{files[name.split(".")[0]]}"')
    app = create_app(Settings(home=home, database_url=None))
    Users(app.state.db, app.state.keys).add(username="planner", password=PASSWORD,
                                            role="supervisor", actor=Actor.cli())
    with TestClient(app) as client:
        assert login(client, "planner").status_code == 303
        client.headers["X-CSRF-Token"] = client.get("/api/me").json()["csrf_token"]
        yield client, text, home


def _wait(client, job_id, timeout_s=120):
    end = time.time() + timeout_s
    while time.time() < end:
        job = client.get(f"/api/planning/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def test_page_and_example(planning):
    client, _, _ = planning
    page = client.get("/planning")
    assert page.status_code == 200 and 'id="scenario"' in page.text
    assert "/static/planning.js" in page.text
    assert 'name="csrf-token"' in page.text  # for the page's POST requests
    example = client.get("/api/planning/example").text
    assert "new_cameras = 138" in example


def test_validation_errors_name_line_and_key(planning):
    client, text, _ = planning
    ok = client.post("/api/planning/validate", json={"toml": text}).json()
    assert ok["ok"] and ok["new_cameras"] == 6
    bad = text.replace("new_cameras = 6", "new_cameras = -2")
    r = client.post("/api/planning/validate", json={"toml": bad})
    assert r.status_code == 422
    d = r.json()["detail"]
    assert d["key"] == "siting.new_cameras"
    assert d["line"] == bad.splitlines().index("new_cameras = -2") + 1
    assert client.post("/api/planning/jobs", json={"toml": bad}).status_code == 422


def test_run_two_scenarios_and_download(planning):
    client, text, home = planning
    a = client.post("/api/planning/jobs", json={"toml": text, "label": "six"})
    assert a.status_code == 202
    b = client.post("/api/planning/jobs",
                    json={"toml": text.replace("new_cameras = 6", "new_cameras = 3"),
                          "label": "trois"}).json()
    ja = _wait(client, a.json()["id"])
    jb = _wait(client, b["id"])
    assert ja["status"] == "done", ja["error"]
    assert jb["status"] == "done", jb["error"]
    assert ja["summary"]["new_sites"] <= 6 and jb["summary"]["new_sites"] <= 3
    assert ja["summary"]["priority_after"] >= jb["summary"]["priority_after"]
    assert {q["name"] for q in ja["summary"]["qpv"]} == {"Ouest"}
    assert set(ja["outputs"]) == {"plan.json", "sites.geojson", "schema-directeur.html",
                                  "schema-directeur.pdf"}
    jobs = client.get("/api/planning/jobs").json()
    assert [j["label"] for j in jobs] == ["trois", "six"]
    sites = client.get(f"/api/planning/jobs/{ja['id']}/files/sites.geojson").json()
    assert any(f["properties"]["status"] == "proposed" for f in sites["features"])
    pdf = client.get(f"/api/planning/jobs/{ja['id']}/files/schema-directeur.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert "attachment" in pdf.headers["content-disposition"]
    assert (home / "planning" / ja["id"] / "plan.json").exists()
    assert client.get(f"/api/planning/jobs/{ja['id']}/files/secret.txt").status_code == 404
    assert client.get("/api/planning/jobs/nope").status_code == 404
    assert client.get(f"/api/planning/jobs/{ja['id']}/scenario").text == text


def test_failed_run_reports_why(planning):
    client, text, _ = planning
    bad = text.replace('zone_kind = "quartier"', 'zone_kind = "iris"')
    job = client.post("/api/planning/jobs", json={"toml": bad}).json()
    done = _wait(client, job["id"])
    assert done["status"] == "failed"
    assert "no zone kind 'iris'" in done["error"]
