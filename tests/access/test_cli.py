"""The access commands as the machine's operator runs them (actor cli:<os user>)."""

from __future__ import annotations

import getpass
import json

from sqlalchemy import delete, update
from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.db.access_tables import AuditEntryRow
from sentinelle.db.engine import open_database

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def _db(home):
    return open_database(f"sqlite:///{home / 'sentinelle.db'}")


def test_users_and_habilitations_from_the_cli(home, tmp_path):
    cams = tmp_path / "cams.csv"
    cams.write_text("id,lon,lat,azimuth_deg,hfov_deg,stream_main\n"
                    "C1,-1.68,48.11,90,60,rtsp://u:pw@10.0.0.1/s\n")
    assert run("cameras", "import", str(cams)).exit_code == 0
    res = run("users", "add", "j.martin", "--role", "operator", "--full-name", "J. Martin")
    assert res.exit_code == 0 and "password (shown once)" in res.output
    res = run("users", "add", "k.dupont", "--role", "dpo", "--password-stdin",
              input="a long enough passphrase\n")
    assert res.exit_code == 0 and "shown once" not in res.output
    assert run("users", "add", "x", "--role", "king").exit_code == 2
    listed = json.loads(run("users", "list", "--json").output)
    assert [u["username"] for u in listed] == ["j.martin", "k.dupont"]
    assert "password" not in json.dumps(listed).lower().replace("password_", "")
    res = run("habilitations", "grant", "j.martin", "--rights", "live,replay", "--cameras", "C1",
              "--until", "2099-01-01", "--training", "2020-01-01", "--refresher-due",
              "2099-01-01")
    assert res.exit_code == 0, res.output
    habs = json.loads(run("habilitations", "list", "--json").output)
    assert habs[0]["state"] == "active" and habs[0]["granted_by"] == f"cli:{getpass.getuser()}"
    assert run("habilitations", "grant", "k.dupont", "--rights", "live", "--all-cameras",
               "--until", "2099-01-01", "--training", "2020-01-01",
               "--refresher-due", "2099-01-01").exit_code == 2
    assert run("habilitations", "revoke", str(habs[0]["id"])).exit_code == 0
    assert run("users", "disable", "j.martin").exit_code == 0
    entries = json.loads(run("audit", "list", "--json").output)
    actions = [e["action"] for e in reversed(entries)]
    assert actions == ["import", "user_change", "user_change", "habilitation_change",
                       "habilitation_change", "user_change"]
    assert {e["actor"] for e in entries} == {f"cli:{getpass.getuser()}"}
    assert {e["role"] for e in entries} == {"cli"}
    assert "pw@" not in json.dumps(entries)
    assert run("audit", "verify").exit_code == 0


def test_every_registry_import_is_audited(home, tmp_path):
    zones = tmp_path / "z.geojson"
    zones.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"nom": "Centre"},
        "geometry": {"type": "Polygon", "coordinates": [[[-1.69, 48.10], [-1.67, 48.10],
                                                         [-1.67, 48.12], [-1.69, 48.10]]]}}]}))
    assert run("zones", "import", str(zones), "--kind", "quartier",
               "--name-field", "nom").exit_code == 0
    res = run("authorisations", "add", "--reference", "AP-1", "--issued", "2024-01-01")
    assert res.exit_code == 0, res.output
    auths = tmp_path / "a.csv"
    auths.write_text("reference,type,issued,expires,purposes,max_retention_days\n"
                     "AP-2,standard,2024-01-01,2029-01-01,,30\n")
    assert run("authorisations", "import", str(auths)).exit_code == 0
    entries = json.loads(run("audit", "list", "--json").output)
    got = [(e["action"], e["object_type"], e["object_id"]) for e in reversed(entries)]
    assert got == [("import", "zones", "z.geojson"), ("config_change", "authorisation", "AP-1"),
                   ("import", "authorisations", "a.csv")]
    assert entries[-1]["details"]["created"] == 1


def _fill(n: int = 6) -> None:
    for i in range(n):
        run("users", "add", f"user{i}", "--role", "auditor")


def test_audit_verify_names_an_edited_entry(home):
    _fill()
    with _db(home).session() as s:
        s.execute(update(AuditEntryRow).where(AuditEntryRow.seq == 3).values(actor="mallory"))
    res = run("audit", "verify")
    assert res.exit_code == 1 and "seq 3" in res.output


def test_audit_verify_names_deleted_last_entries(home):
    _fill()
    with _db(home).session() as s:
        s.execute(delete(AuditEntryRow).where(AuditEntryRow.seq >= 5))
    res = run("audit", "verify")
    assert res.exit_code == 1 and "seq 5" in res.output and "missing" in res.output


def test_audit_verify_names_a_deleted_middle_entry(home):
    _fill()
    with _db(home).session() as s:
        s.execute(delete(AuditEntryRow).where(AuditEntryRow.seq == 2))
    res = run("audit", "verify")
    assert res.exit_code == 1 and "seq 2" in res.output


def test_audit_purge_keeps_at_least_a_year(home):
    _fill(2)
    assert run("audit", "purge", "--retention-days", "30").exit_code == 1
    res = run("audit", "purge", "--now", "2100-01-01")
    assert res.exit_code == 0 and "2 audit entries" in res.output
    assert run("audit", "verify").exit_code == 0
