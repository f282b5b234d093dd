"""`sentinelle requisitions` and `sentinelle holds` end to end; export-cases is accepted by
`sentinelle evaluate usefulness --cases`."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.cli.common import get_database, get_keys
from sentinelle.evaluate.usefulness import read_cases

runner = CliRunner()


def run(*args: str):
    res = runner.invoke(app_(), list(args))
    return res


def app_():
    from sentinelle.cli.main import app

    return app


def test_requisitions_add_list_close_export_cases(home, tmp_path):
    res = run("requisitions", "add", "PV-2026-0042", "--authority", "Parquet de Rennes",
              "--officer", "OPJ Martin", "--document", "req-0042.pdf", "--procedure",
              "flagrance", "--category", "vol avec violence",
              "--window", "REN-001@2026-11-18T21:00/2026-11-18T22:00",
              "--window", "REN-002@2026-11-18T21:30Z/2026-11-18T21:45Z", "--json")
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    assert r["reference"] == "PV-2026-0042" and not r["incomplete"] and len(r["windows"]) == 2
    res = run("requisitions", "add", "PV-2026-0043", "--authority", "TJ Rennes", "--officer",
              "OPJ Le Goff", "--category", "cambriolage",
              "--window", "REN-003@2026-11-19T02:00/2026-11-19T03:00")
    assert res.exit_code == 0, res.output
    assert "incomplete" in res.stdout  # no document yet

    res = run("holds", "list", "--json")
    assert res.exit_code == 0, res.output
    holds = json.loads(res.stdout)["holds"]
    assert sorted(h["camera_id"] for h in holds) == ["REN-001", "REN-002", "REN-003"]
    assert all(h["active"] and h["kind"] == "requisition" for h in holds)
    res = run("holds", "list")
    assert res.exit_code == 0 and "REN-003" in res.stdout

    res = run("requisitions", "close", "PV-2026-0042", "--footage-found", "yes", "--useful",
              "oui", "--case-solved", "yes")
    assert res.exit_code == 0, res.output
    res = run("requisitions", "close", "PV-2026-0043", "--footage-found", "no", "--useful",
              "no", "--case-solved", "no")
    assert res.exit_code == 0, res.output
    res = run("requisitions", "list", "--json")
    got = {r["reference"]: (r["closed_at"] is not None, r["useful"])
           for r in json.loads(res.stdout)["requisitions"]}
    assert got == {"PV-2026-0042": (True, True), "PV-2026-0043": (True, False)}
    assert json.loads(run("holds", "list", "--json").stdout)["holds"] == []
    assert len(json.loads(run("holds", "list", "--all", "--json").stdout)["holds"]) == 3

    # An open requisition is not a case yet.
    run("requisitions", "add", "PV-2026-0050", "--authority", "TJ", "--officer", "OPJ")
    out = tmp_path / "cases.csv"
    res = run("requisitions", "export-cases", "--out", str(out))
    assert res.exit_code == 0, res.output
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["case_id"] for r in rows] == ["PV-2026-0042", "PV-2026-0043"]
    assert rows[0]["camera_ids"] == "REN-001;REN-002" and rows[1]["footage_available"] == "0"
    table = read_cases(out)
    assert [c.footage_useful for c in table.cases] == [True, False]
    res = run("evaluate", "usefulness", "--cases", str(out), "--json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["cases"] == 2 and got["useful"]["count"] == 1
    assert {c["camera_id"] for c in got["by_camera"]} == {"REN-001", "REN-002", "REN-003"}

    entries = AuditLog(get_database(), get_keys()).entries(action="requisition_change")
    assert {e.actor for e in entries} == {Actor.cli().name} and len(entries) == 5


def test_requisitions_bad_input(home):
    res = run("requisitions", "add", "PV-1", "--authority", "TJ", "--officer", "OPJ",
              "--window", "REN-001@2026-11-18T22:00/2026-11-18T21:00")
    assert res.exit_code == 2 and "REN-001@2026-11-18T22:00/2026-11-18T21:00" in res.output
    assert json.loads(run("requisitions", "list", "--json").stdout)["requisitions"] == []
    res = run("requisitions", "close", "PV-404", "--footage-found", "yes", "--useful", "no",
              "--case-solved", "no")
    assert res.exit_code == 1 and "PV-404" in res.output
    run("requisitions", "add", "PV-2", "--authority", "TJ", "--officer", "OPJ")
    res = run("requisitions", "close", "PV-2", "--footage-found", "maybe", "--useful", "no",
              "--case-solved", "no")
    assert res.exit_code == 2 and "--footage-found" in res.output


def test_holds_add_and_release(home):
    res = run("holds", "add", "--camera", "REN-009", "--from", "2026-11-20T10:00",
              "--to", "2026-11-20T10:30", "--reason", "Plainte déposée", "--until",
              "2099-01-01T00:00", "--json")
    assert res.exit_code == 0, res.output
    h = json.loads(res.stdout)
    assert h["active"] and h["kind"] == "manual" and h["start"] == "2026-11-20T10:00:00+00:00"
    res = run("holds", "add", "--camera", "REN-009", "--from", "2026-11-20T10:00",
              "--to", "2026-11-20T10:30", "--reason", "x", "--until", "2020-01-01")
    assert res.exit_code == 2 and "end" in res.output
    res = run("holds", "add", "--camera", "REN-009", "--from", "hier", "--to",
              "2026-11-20T10:30", "--reason", "x", "--until", "2099-01-01")
    assert res.exit_code == 2 and "--from" in res.output
    res = run("holds", "release", str(h["id"]), "--reason", "Plainte retirée")
    assert res.exit_code == 0, res.output
    assert json.loads(run("holds", "list", "--json").stdout)["holds"] == []
    res = run("holds", "release", str(h["id"]), "--reason", "again")
    assert res.exit_code == 2 and "released already" in res.output
    res = run("holds", "release", "999", "--reason", "x")
    assert res.exit_code == 1 and "999" in res.output
