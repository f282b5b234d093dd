"""`sentinelle export` and `sentinelle export verify` as a user runs them (exit codes,
messages), on real footage in SENTINELLE_HOME."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sentinelle.access.audit import AuditLog
from sentinelle.access.keys import load_keys
from sentinelle.cli.main import app
from sentinelle.db.engine import open_database
from sentinelle.settings import Settings
from tests.evidence.conftest import CAMERA, T0
from tests.evidence.footage import record_runs

runner = CliRunner()


def said(res) -> str:
    """The command's output on one line (the console wraps long messages)."""
    return " ".join(res.output.split())


def _args(out, *extra):
    return ["export", "--camera", CAMERA, "--from", "2026-11-20T08:59:00Z",
            "--to", "2026-11-20T09:05:00", "--out", str(out), *extra]


def test_export_and_verify_cli(home, clip, tmp_path):
    settings = Settings()
    settings.ensure_home()
    db = open_database(settings.url)
    record_runs(db, home / "recordings", CAMERA, clip, start=T0, runs=1, segment_s=5)
    out = tmp_path / "scelle"
    # refused without a basis, and without --requisition on a judicial basis
    res = runner.invoke(app, _args(out))
    assert res.exit_code == 2 and "--legal-basis is required" in said(res)
    res = runner.invoke(app, _args(out, "--legal-basis", "requisition_judiciaire"))
    assert res.exit_code == 2 and "--requisition is required" in said(res)
    res = runner.invoke(app, _args(out, "--legal-basis", "droit_acces_rgpd"))
    assert res.exit_code == 2 and "blurred" in said(res)
    assert not out.exists()
    res = runner.invoke(app, _args(out, "--legal-basis", "requisition_judiciaire",
                                   "--requisition", "PV-2026-77", "--recipient", "OPJ Martin",
                                   "--json"))
    assert res.exit_code == 0, res.output
    done = json.loads(res.output)
    assert len(done["runs"]) == 1 and done["segments"] == 2
    res = runner.invoke(app, ["export", "verify", str(out)])
    assert res.exit_code == 0, res.output
    assert "OK: 3 file(s)" in said(res)
    key = json.loads(runner.invoke(app, ["export", "public-key"]).output)
    res = runner.invoke(app, ["export", "verify", str(out), "--key", key["public_key_sha256"]])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["export", "verify", str(out), "--key", "0" * 64])
    assert res.exit_code == 1 and "not by the expected key" in said(res)
    # one byte changed in the joined run
    run = out / done["runs"][0]
    data = bytearray(run.read_bytes())
    data[len(data) // 3] ^= 0x01
    run.write_bytes(bytes(data))
    res = runner.invoke(app, ["export", "verify", str(out)])
    assert res.exit_code == 1 and "file altered" in said(res) and done["runs"][0] in said(res)
    res = runner.invoke(app, ["export", "verify", str(tmp_path)])
    assert res.exit_code == 2 and "manifest.json: missing" in said(res)
    # the register of transmissions, as CSV
    res = runner.invoke(app, ["export", "register", "--csv", str(tmp_path / "reg.csv")])
    assert res.exit_code == 0
    lines = (tmp_path / "reg.csv").read_text().splitlines()
    assert len(lines) == 2 and "PV-2026-77" in lines[1]
    [e] = AuditLog(db, load_keys(settings)).entries(action="export")
    assert e.actor.startswith("cli:") and e.requisition_ref == "PV-2026-77"
    db.dispose()
