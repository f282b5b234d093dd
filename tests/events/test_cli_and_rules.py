"""`sentinelle analytics basis|alerts|decide` end to end, and rule R31."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from typer.testing import CliRunner

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.cli.main import app
from sentinelle.compliance.rules import RULES, run_rules
from sentinelle.compliance.snapshot import load_snapshot
from sentinelle.db.engine import open_database
from sentinelle.db.events_tables import EventAlertRow, EventSessionRow
from sentinelle.events.runner import EventPipeline
from sentinelle.events.synthetic import LAYOUT, T0, wrong_way, zone_entry
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry

runner = CliRunner()


def test_basis_alerts_decide_cli(home):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    db = open_database(f"sqlite:///{home / 'sentinelle.db'}")
    Registry(db).save_cameras([Camera(id="SYN-1", lon=-1.68, lat=48.11)])
    start = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    end = (datetime.now(UTC) + timedelta(hours=5)).isoformat()
    args = ["analytics", "basis", "add", "--text", "loi 2023-380 art. 10 ; décret 2023-828",
            "--decision", "AP 35-2026-0042", "--cameras", "SYN-1", "--start", start,
            "--end", end, "--events", "zone_interdite,contresens,depart_de_feu", "--json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    b = json.loads(r.stdout)
    assert b["cameras"] == ["SYN-1"] and b["in_force"] is True
    assert b["unavailable"] == ["depart_de_feu"]
    bad = list(args)
    bad[bad.index("--events") + 1] = "contresens,lecture_plaques"
    r = runner.invoke(app, bad)
    assert r.exit_code == 2 and "`lecture_plaques` not an event type" in r.output
    bad = list(args)
    bad[bad.index("--start") + 1] = "demain"
    r = runner.invoke(app, bad)
    assert r.exit_code == 2 and "--start `demain`" in r.output
    r = runner.invoke(app, ["analytics", "basis", "list", "--json"])
    assert [x["id"] for x in json.loads(r.stdout)["bases"]] == [b["id"]]
    r = runner.invoke(app, ["analytics", "basis", "list"])
    assert r.exit_code == 0 and "in force" in r.output

    # alerts raised by the pipeline now (frames re-timed to the present)
    from dataclasses import replace

    from sentinelle.cli.common import get_keys

    keys = get_keys()
    now = datetime.now(UTC)
    pipe = EventPipeline(db, keys, "SYN-1", layout=LAYOUT)
    pipe.start()
    for d in wrong_way().frames:
        pipe.process(replace(d, ts=now + (d.ts - T0)))
    r = runner.invoke(app, ["analytics", "alerts", "--json"])
    assert r.exit_code == 0, r.output
    (a,) = json.loads(r.stdout)["alerts"]
    assert set(a) == {"id", "camera", "type", "ts", "state", "decided_by", "decided_at",
                      "reason"}
    assert (a["camera"], a["type"], a["state"], a["decided_by"]) == (
        "SYN-1", "contresens", "raised", None)
    r = runner.invoke(app, ["analytics", "decide", str(a["id"]), "--confirm", "--dismiss",
                            "--reason", "x"])
    assert r.exit_code == 2 and "exactly one" in r.output
    r = runner.invoke(app, ["analytics", "decide", str(a["id"]), "--dismiss"])
    assert r.exit_code == 2 and "--reason" in r.output
    r = runner.invoke(app, ["analytics", "decide", str(a["id"]), "--dismiss", "--reason",
                            "un agent en service"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["analytics", "alerts", "--json"])
    (a,) = json.loads(r.stdout)["alerts"]
    assert a["state"] == "dismissed" and a["reason"] == "un agent en service"
    assert a["decided_by"].startswith("cli:") and a["decided_at"].endswith("Z")
    r = runner.invoke(app, ["analytics", "decide", str(a["id"]), "--confirm", "--reason", "x"])
    assert r.exit_code == 2 and "already dismissed" in r.output
    r = runner.invoke(app, ["analytics", "decide", "999", "--confirm", "--reason", "x"])
    assert r.exit_code == 1 and "no alert #999" in r.output
    r = runner.invoke(app, ["analytics", "performance", "--json"])
    assert json.loads(r.stdout)["per_type"]["contresens"]["false_positive_rate"] == 1.0
    r = runner.invoke(app, ["analytics", "events-eval", "--json"])
    res = json.loads(r.stdout)
    assert res["per_type"]["zone_interdite"]["recall"] == 1.0
    assert set(res["unavailable"]) == {"arme", "depart_de_feu"}
    r = runner.invoke(app, ["analytics", "alerts-purge", "--keep-days", "30"])
    assert r.exit_code == 2 and "at least 183 days" in r.output
    r = runner.invoke(app, ["analytics", "alerts-purge"])
    assert r.exit_code == 0 and "0 thumbnail(s) and 0 alert(s) removed" in r.output
    (e,) = AuditLog(db, keys).entries(action="alert_decision")
    assert e.details["decision"] == "dismissed"
    r = runner.invoke(app, ["analytics", "basis", "end", str(b["id"]), "--reason",
                            "décision abrogée"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["analytics", "basis", "list", "--json"])
    assert json.loads(r.stdout)["bases"][0]["in_force"] is False
    r = runner.invoke(app, ["analytics", "basis", "end", "999", "--reason", "x"])
    assert r.exit_code == 1 and "no legal basis #999" in r.output
    db.dispose()


def _r31(db, keys, today=date(2026, 6, 21)):
    return [f for f in run_rules(load_snapshot(db, keys, today=today, dwellings=False),
                                 rules=["R31"])]


def test_r31_checks_deployments_against_the_bases(db, keys, cameras, basis):
    assert "R31" in RULES
    found = _r31(db, keys)
    # the basis runs past the end of the experiment (31 March 2025); arme is not detected
    assert {(f.severity.value, f.subject_id) for f in found} == {
        ("warning", f"#{basis.id}"), ("info", f"#{basis.id}")}
    pipe = EventPipeline(db, keys, "SYN-1", layout=LAYOUT, clock=lambda: T0)
    pipe.start()
    for d in zone_entry().frames:
        pipe.process(d)
    assert not [f for f in _r31(db, keys) if f.severity.value == "violation"]
    # a run on a camera the basis does not name, and an alert outside it, are violations
    with db.session() as s:
        s.add(EventSessionRow(camera_id="SYN-2", basis_id=basis.id, events=["contresens"],
                              started_at=T0))
        s.add(EventAlertRow(camera_id="SYN-1", type="objet_abandonne",
                            ts=basis.end + timedelta(minutes=5), basis_id=basis.id,
                            tracks=[3], detail={}, state="raised", created_at=T0))
    v = [f for f in _r31(db, keys) if f.severity.value == "violation"]
    assert sorted(f.subject_id for f in v) == ["SYN-1", "SYN-2"]
    assert any("hors de toute base légale" in f.message for f in v)


def test_r31_silent_without_event_detection(db, keys, cameras):
    assert _r31(db, keys) == []


def test_actor_for_unattended_work_is_system():
    from sentinelle.events.runner import ACTOR

    assert ACTOR == Actor.system("analytics")
