"""`sentinelle export` and `sentinelle export verify` as a user runs them (exit codes,
messages), on real footage in SENTINELLE_HOME."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sentinelle.access.audit import AuditLog
from sentinelle.access.keys import load_keys
from sentinelle.cli.main import app
from sentinelle.custody.requisitions import RequisitionStore
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
    res = runner.invoke(app, _args(out, "--legal-basis", "requisition_judiciaire",
                                   "--requisition", "PV-1", "--subject",
                                   "2026-11-20T09:00:02Z@0.5,0.5"))
    assert res.exit_code == 2 and "--subject: only for --legal-basis droit_acces_rgpd" in \
        said(res)
    assert not out.exists()
    res = runner.invoke(app, _args(out, "--legal-basis", "requisition_judiciaire",
                                   "--requisition", "PV-2026-77", "--recipient", "OPJ Martin",
                                   "--json"))
    assert res.exit_code == 0, res.output
    done = json.loads(res.output)
    assert len(done["runs"]) == 1 and done["segments"] == 2
    # the unknown requisition reference is now on record, flagged incomplete
    req = RequisitionStore(db).get("PV-2026-77")
    assert req is not None and req.incomplete and req.opened_by.startswith("cli:")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["requisition"]["reference"] == "PV-2026-77"
    assert manifest["requisition"]["incomplete"] is True
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
    audit = AuditLog(db, load_keys(settings))
    [e] = audit.entries(action="export")
    assert e.actor.startswith("cli:") and e.requisition_ref == "PV-2026-77"
    [r] = audit.entries(action="requisition_change")
    assert r.object_id == "PV-2026-77" and r.seq < e.seq
    # the compliance rules see the export: registered (R13), lossless (R20), and lawful but
    # on an incomplete requisition (R22 warning)
    from datetime import date

    from sentinelle.compliance.rules import run_rules
    from sentinelle.compliance.snapshot import load_snapshot

    snap = load_snapshot(db, load_keys(settings), today=date(2026, 11, 26), dwellings=False)
    found = [(f.rule, str(f.severity)) for f in run_rules(snap, rules=["R13", "R20", "R22"])]
    assert found == [("R22", "warning")]
    db.dispose()


def test_right_of_access_export_cli(home, clip, tmp_path):
    """A droit_acces_rgpd export on the command line: re-encoded with every person blurred,
    no original segment, verifiable; a designation that points at nobody is refused."""
    settings = Settings()
    settings.ensure_home()
    db = open_database(settings.url)
    record_runs(db, home / "recordings", CAMERA, clip, start=T0, runs=1, segment_s=5)
    out = tmp_path / "acces"
    rgpd = ("--legal-basis", "droit_acces_rgpd", "--recipient", "Mme Martin (demandeuse)")
    res = runner.invoke(app, _args(out, *rgpd, "--subject", "2026-11-20T09:00:02Z"))
    assert res.exit_code == 2 and "--subject `2026-11-20T09:00:02Z`: expected TIME@X,Y" in \
        said(res)
    # the test pattern shows nobody: a designated point is in no person box
    res = runner.invoke(app, _args(out, *rgpd, "--subject", "2026-11-20T09:00:02Z@0.5,0.5"))
    assert res.exit_code == 2 and "no person box contains point (0.5, 0.5)" in said(res)
    assert not out.exists()
    res = runner.invoke(app, _args(out, *rgpd, "--json"))
    assert res.exit_code == 0, res.output
    done = json.loads(res.output)
    assert done["segments"] == 2 and len(done["runs"]) == 1
    assert done["redaction"]["frames_processed"] == 150  # 10 s at 15 fps, every frame
    assert done["redaction"]["subject_designation"]["points"] == []
    assert not (out / "segments").exists()
    res = runner.invoke(app, ["export", "verify", str(out)])
    assert res.exit_code == 0 and "OK: 1 file(s)" in said(res), res.output
    # the compliance rules accept a blurred, re-encoded right-of-access export
    from datetime import date

    from sentinelle.compliance.rules import run_rules
    from sentinelle.compliance.snapshot import load_snapshot

    snap = load_snapshot(db, load_keys(settings), today=date(2026, 11, 26), dwellings=False)
    assert run_rules(snap, rules=["R13", "R20", "R22"]) == []
    db.dispose()
