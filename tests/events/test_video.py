"""`sentinelle analytics events-run` on real video (vtest.avi, YOLOX-Nano, the tracker): it
refuses to start without a basis, and raises blurred alerts on a forbidden zone with one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.db.engine import open_database
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from tests.analytics.conftest import cut, vtest, yolox  # noqa: F401  (fixtures)

runner = CliRunner()


def test_events_run_on_vtest(home, tmp_path, vtest, yolox):  # noqa: F811  (fixtures)
    clip = cut(vtest, tmp_path / "vtest-0-6.mp4", 0, 6)

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    db = open_database(f"sqlite:///{home / 'sentinelle.db'}")
    Registry(db).save_cameras([Camera(id="CAM-V", lon=-1.68, lat=48.11)])
    zones = tmp_path / "zones.geojson"
    zones.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"camera": "CAM-V", "name": "zone_interdite:bas"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0.5], [1, 0.5], [1, 1], [0, 1],
                                                          [0, 0.5]]]}}]}))
    assert runner.invoke(app, ["analytics", "zones", "import", str(zones)]).exit_code == 0

    r = runner.invoke(app, ["analytics", "events-run", "--camera", "CAM-V", "--source",
                            str(clip)])
    assert r.exit_code == 2 and "no event-detection legal basis in force" in r.output

    now = datetime.now(UTC)
    r = runner.invoke(app, ["analytics", "basis", "add", "--text", "décret 2023-828",
                            "--decision", "AP-V", "--cameras", "CAM-V", "--start",
                            (now - timedelta(minutes=5)).isoformat(), "--end",
                            (now + timedelta(hours=1)).isoformat(), "--events",
                            "zone_interdite,contresens"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["analytics", "events-run", "--camera", "CAM-V", "--source",
                            str(clip)])
    assert r.exit_code == 0, r.output
    assert "not detected: contresens" in r.output and "stopped: end_of_source" in r.output
    alerts = json.loads(runner.invoke(app, ["analytics", "alerts", "--json"]).stdout)["alerts"]
    assert alerts and {a["type"] for a in alerts} == {"zone_interdite"}
    assert all(a["camera"] == "CAM-V" and a["state"] == "raised" for a in alerts)
    from sentinelle.cli.common import get_keys
    from sentinelle.events.alerts import Alerts

    jpeg = Alerts(db, get_keys()).thumbnail(alerts[0]["id"])
    assert jpeg and jpeg[:2] == b"\xff\xd8"
    # `analytics run` supervises event detection too: the basis covers CAM-V (no statistics
    # are enabled), so it runs there until the clip ends, raising the same alerts again.
    r = runner.invoke(app, ["analytics", "run", "--exit-when-done", "--source",
                            f"CAM-V={clip}"])
    assert r.exit_code == 0, r.output
    assert "every pipeline has ended" in r.output
    again = json.loads(runner.invoke(app, ["analytics", "alerts", "--json"]).stdout)["alerts"]
    assert len(again) == 2 * len(alerts)
    from sentinelle.events.runner import sessions

    assert [(x["camera"], x["stop_reason"]) for x in sessions(db)] == [
        ("CAM-V", "end_of_source")] * 2
    db.dispose()
