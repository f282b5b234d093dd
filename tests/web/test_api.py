"""The REST API on the Rennes demo: public answers carry no secret; the preview is exact."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sentinelle.access.audit import Actor
from sentinelle.access.users import Users
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings
from sentinelle.web import create_app
from tests.web.conftest import PASSWORD, login


def test_internal_routes_are_closed_to_anonymous(anonymous):
    assert anonymous.get("/api/cameras").status_code == 401
    assert anonymous.post("/api/preview", json={}).status_code in (401, 403)
    res = anonymous.get("/planner")
    assert res.status_code in (302, 303, 307) and "/login" in res.headers["location"]
    assert anonymous.get("/api/public/cameras").status_code == 200


def test_open_routes_and_openapi(client):
    assert client.get("/health").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for p in ("/api/public/cameras", "/api/public/zones", "/api/public/coverage",
              "/api/public/basemap", "/api/cameras", "/api/preview"):
        assert p in paths
    assert client.get("/docs").status_code == 200


def test_public_cameras_are_geojson_with_visibility(client):
    fc = client.get("/api/public/cameras").json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 22
    f = next(f for f in fc["features"] if f["id"] == "R04-1")
    p = f["properties"]
    assert p["assumed"] is True and p["type"] == "multisensor"
    assert p["visibility"]["type"] in ("Polygon", "MultiPolygon")
    assert p["visible_area_m2"] > 0
    assert set(p) >= {"id", "name", "status", "installed", "heads", "purposes"}
    assert not {"stream_main", "stream_sub", "lon", "retention_days"} & set(p)


def test_public_coverage_names_the_five_qpv(client):
    cov = client.get("/api/public/coverage").json()
    qpv = {z["name"] for z in cov["zones"] if z["kind"] == "qpv"}
    assert qpv == {"Villejean", "Maurepas", "Le Blosne", "Cleunay",
                   "Les Clôteaux - Champs Manceaux"}
    assert cov["source"] in ("buildings", "derived_blocks", "mixed")
    assert "cameras" not in cov  # per-camera DORI detail is internal
    assert "Approximate positions" in cov["note"]


def test_basemap_for_drawing(client):
    base = client.get("/api/public/basemap").json()
    assert len(base["streets"]["features"]) > 2000
    assert len(base["buildings"]["features"]) > 600  # La Motte Brûlon footprints
    assert len(base["blocks"]["features"]) > 100
    assert any("OpenStreetMap" in a for a in base["attributions"])


def test_preview_without_change_equals_the_baseline(client):
    cams = {f["id"]: f for f in client.get("/api/cameras").json()["features"]}
    lon, lat = cams["R07-1"]["geometry"]["coordinates"]
    base = client.get("/api/coverage").json()
    res = client.post("/api/preview", json={"camera_id": "R07-1", "lon": lon, "lat": lat})
    assert res.status_code == 200
    body = res.json()
    assert body["network"] == base["network"]
    assert body["zones"] == base["zones"]
    r07 = next(c for c in base["cameras"] if c["id"] == "R07-1")
    assert body["visible_area_m2"] == pytest.approx(r07["visible_area_m2"], abs=0.1)


def test_preview_of_a_moved_camera_changes_the_figures(client):
    base = client.get("/api/coverage").json()
    # Move a Maurepas unit far west into Cleunay, where no camera stands.
    res = client.post("/api/preview", json={"camera_id": "R05-1", "lon": -1.7093,
                                             "lat": 48.0999, "rotate_deg": 45}).json()
    by = {(z["kind"], z["name"]): z for z in res["zones"]}
    before = {(z["kind"], z["name"]): z for z in base["zones"]}
    assert by[("qpv", "Maurepas")]["covered_m"] < before[("qpv", "Maurepas")]["covered_m"]
    assert by[("qpv", "Maurepas")]["cameras"] == before[("qpv", "Maurepas")]["cameras"] - 1
    assert res["visibility"]["type"] in ("Polygon", "MultiPolygon")


def test_preview_bad_input(client):
    assert client.post("/api/preview", json={"camera_id": "NOPE", "lon": -1.68,
                                             "lat": 48.1}).status_code == 404
    res = client.post("/api/preview", json={"camera_id": "R01-1", "lon": -1.68, "lat": 123})
    assert res.status_code == 422 and "lat" in res.text


def test_no_credential_in_any_public_answer(tmp_path):
    home = tmp_path / "home"
    exe = Path(sys.executable).parent / "sentinelle"
    env = {**os.environ, "SENTINELLE_HOME": str(home)}
    env.pop("SENTINELLE_DATABASE_URL", None)
    subprocess.run([str(exe), "demo", "--no-serve"], env=env, check=True, capture_output=True)
    settings = Settings(home=home, database_url=None)
    app = create_app(settings)
    Users(app.state.db, app.state.keys).add(username="dpo-test", password=PASSWORD, role="admin",
                                            actor=Actor.cli())
    Registry(app.state.db, keys=app.state.keys).save_cameras([Camera.from_record({
        "id": "SECRET-1", "lon": -1.6805, "lat": 48.1146, "azimuth_deg": 90, "hfov_deg": 60,
        "stream_main": "rtsp://admin:hunter2@10.1.2.3:554/main",
        "stream_sub": "rtsp://admin:hunter2@10.1.2.3:554/sub"})])
    with TestClient(app) as c:
        for path in ("info", "cameras", "zones", "coverage", "basemap", "timeline"):
            body = c.get(f"/api/public/{path}").text
            assert "hunter2" not in body and "rtsp" not in body and "10.1.2.3" not in body
        assert any(f["id"] == "SECRET-1" for f in c.get("/api/public/cameras").json()["features"])
        assert c.get("/api/cameras").status_code == 401
        assert login(c, "dpo-test").status_code == 303
        internal = c.get("/api/cameras").text
        assert "hunter2" not in internal and "rtsp://***@10.1.2.3:554/main" in internal
