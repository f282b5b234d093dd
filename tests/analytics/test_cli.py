"""`sentinelle analytics …` end to end on the default SQLite database of SENTINELLE_HOME."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from typer.testing import CliRunner

from sentinelle.analytics.stats import CountStore
from sentinelle.cli.main import app
from sentinelle.db.engine import open_database
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.vision.counting import Count

runner = CliRunner()


def test_enable_zones_stats_disable(home, tmp_path):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    db = open_database(f"sqlite:///{home / 'sentinelle.db'}")
    Registry(db).save_cameras([Camera(id="CAM-1", lon=-1.68, lat=48.11)])

    zones = tmp_path / "zones.geojson"
    zones.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"camera": "CAM-1", "name": "passage"},
         "geometry": {"type": "LineString", "coordinates": [[0.3, 0.2], [0.3, 0.8]]}}]}))
    r = runner.invoke(app, ["analytics", "zones", "import", str(zones), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"imported": 1, "cameras": {"CAM-1": 1}}
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"camera": "CAM-1"},
         "geometry": {"type": "Point", "coordinates": [0.3, 0.2]}}]}))
    r = runner.invoke(app, ["analytics", "zones", "import", str(bad)])
    assert r.exit_code == 2 and "feature 1, field `properties.name`" in r.output

    until = (date.today() + timedelta(days=30)).isoformat()
    r = runner.invoke(app, ["analytics", "enable", "CAM-1", "--mode", "stats", "--purpose",
                            "fréquentation", "--dpia", "AIPD-7", "--until", until, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["legal_basis"] == "CNIL 2022 — statistiques anonymes"
    r = runner.invoke(app, ["analytics", "enable", "CAM-1", "--mode", "events", "--purpose",
                            "x", "--dpia", "y", "--until", until])
    assert r.exit_code == 2 and "only `stats`" in r.output
    r = runner.invoke(app, ["analytics", "status", "--json"])
    assert [(e["camera_id"], e["active"]) for e in json.loads(r.stdout)] == [("CAM-1", True)]

    t = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    CountStore(db).add("CAM-1", [Count(t, None, "passage", "a_to_b", "person", 2),
                                 Count(t + timedelta(minutes=20), None, "passage", "b_to_a",
                                       "person", 1)], bucket_s=10)
    r = runner.invoke(app, ["analytics", "stats", "--camera", "CAM-1", "--from",
                            "2026-11-26T08:00:00Z", "--to", "2026-11-26T09:00:00Z", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"camera", "interval", "series"}
    assert out["camera"] == "CAM-1" and out["interval"] == "15min"
    assert out["series"] == [
        {"start": "2026-11-26T08:00:00Z", "zone": None, "line": "passage",
         "direction": "a_to_b", "class": "person", "count": 2},
        {"start": "2026-11-26T08:15:00Z", "zone": None, "line": "passage",
         "direction": "b_to_a", "class": "person", "count": 1}]
    r = runner.invoke(app, ["analytics", "stats", "--camera", "CAM-1", "--from",
                            "2026-11-26T08:00:00Z", "--to", "2026-11-26T09:00:00Z",
                            "--interval", "1h", "--json"])
    assert [s["count"] for s in json.loads(r.stdout)["series"]] == [2, 1]
    r = runner.invoke(app, ["analytics", "stats", "--camera", "CAM-1", "--from", "yesterday",
                            "--to", "2026-11-26T09:00:00Z"])
    assert r.exit_code == 2 and "--from" in r.output

    r = runner.invoke(app, ["analytics", "disable", "CAM-1"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["analytics", "disable", "CAM-1"])
    assert r.exit_code == 1 and "not enabled" in r.output
    from sentinelle.access.audit import AuditLog
    from sentinelle.cli.common import get_keys

    changes = AuditLog(db, get_keys()).entries(action="analytics_change")
    assert [e.details["change"] for e in reversed(changes)] == [
        "zones_import", "enable", "disable"]
    assert all(e.actor.startswith("cli:") for e in changes)
    db.dispose()
