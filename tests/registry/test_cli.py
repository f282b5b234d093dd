"""The registry's commands, as a user runs them."""

import json
import subprocess
import sys

from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.db.migrate import head_revision

runner = CliRunner()


def test_db_upgrade_is_explicit_and_idempotent(home):

    res = runner.invoke(app, ["db", "upgrade"])
    assert res.exit_code == 0 and f"upgraded (empty) → {head_revision()}" in res.output
    assert (home / "sentinelle.db").exists()
    res = runner.invoke(app, ["db", "upgrade"])
    assert "already at revision" in res.output


def test_import_exit_codes_and_all_or_nothing(home, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("id,lon,lat,retention_days\nA,-1.6,48.1,10\nB,-1.6,48.1,45\n")
    res = runner.invoke(app, ["cameras", "import", str(f), "--all-or-nothing"])
    assert res.exit_code == 1
    assert "line 3, field `retention_days`" in res.output and "nothing imported" in res.output
    assert json.loads(runner.invoke(app, ["cameras", "list", "--json"]).stdout) == []
    res = runner.invoke(app, ["cameras", "import", str(f)])
    assert res.exit_code == 1 and "1 created" in res.output
    ids = [c["id"] for c in json.loads(runner.invoke(app, ["cameras", "list", "--json"]).stdout)]
    assert ids == ["A"]


def test_unreadable_file_exits_2_with_the_reason(home, tmp_path):
    f = tmp_path / "c.geojson"
    f.write_text("{not json")
    res = runner.invoke(app, ["cameras", "import", str(f)])
    assert res.exit_code == 2
    assert f"{f}, line 1: not valid JSON" in " ".join(res.output.split())


def test_export_every_format_and_history(home, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("id,lon,lat,azimuth_deg,hfov_deg,stream_main\n"
                 "A,-1.6,48.1,10,60,rtsp://u:pw@10.0.0.2/s\n")
    assert runner.invoke(app, ["cameras", "import", str(f)]).exit_code == 0
    for fmt in ("geojson", "csv", "osm", "gpkg"):
        out = tmp_path / f"out.{fmt}"
        res = runner.invoke(app, ["cameras", "export", "--format", fmt, "--out", str(out)])
        assert res.exit_code == 0, res.output
        assert out.stat().st_size > 0
        assert b"pw@" not in out.read_bytes()
    f.write_text("id,lon,lat,azimuth_deg,hfov_deg\nA,-1.6,48.1,20,60\n")
    runner.invoke(app, ["cameras", "import", str(f)])
    hist = json.loads(runner.invoke(app, ["cameras", "history", "A"]).stdout)
    assert [h["data"]["heads"][0]["azimuth_deg"] for h in hist] == [10, 20]


def test_zones_and_authorisations_commands(home, tmp_path):
    from sentinelle.demo.rennes import data_dir

    qpv = data_dir() / "rennes_qpv_2015.geojson"
    res = runner.invoke(app, ["zones", "import", str(qpv), "--kind", "qpv"])
    assert res.exit_code == 0, res.output
    zones = json.loads(runner.invoke(app, ["zones", "list", "--json"]).stdout)
    names = sorted(z["name"] for z in zones)
    assert names == ["Cleunay", "Le Blosne", "Les Clôteaux - Champs Manceaux", "Maurepas",
                     "Villejean"]
    # The 92 IRIS of Rennes shipped in the package, plus one of Cesson-Sévigné: `--where`
    # keeps Rennes's only.
    iris = tmp_path / "iris_metropole.geojson"
    doc = json.loads((data_dir() / "iris_rennes.geojson").read_text(encoding="utf-8"))
    other = json.loads(json.dumps(doc["features"][0]))
    other["properties"].update(code_insee="35051", nom_com="Cesson-Sévigné",
                               code_iris="350510101")
    doc["features"].append(other)
    iris.write_text(json.dumps(doc), encoding="utf-8")
    res = runner.invoke(app, ["zones", "import", str(iris), "--kind", "iris",
                              "--where", "code_insee=35238"])
    assert res.exit_code == 0 and "92 iris zones" in res.output
    res = runner.invoke(app, ["zones", "import", str(qpv), "--kind", "district"])
    assert res.exit_code == 2 and "valid kinds: qpv" in res.output

    res = runner.invoke(app, ["authorisations", "add", "--reference", "AP-2024-17",
                              "--issued", "2024-03-01", "--purposes", "TERRORISME",
                              "--max-retention-days", "15", "--cameras", "A,B"])
    assert res.exit_code == 0 and "expires 2029-03-01" in res.output
    res = runner.invoke(app, ["authorisations", "add", "--reference", "X", "--issued",
                              "2024-03-01", "--max-retention-days", "45"])
    assert res.exit_code == 2 and "--max-retention-days" in res.output
    csv = tmp_path / "auth.csv"
    csv.write_text("reference,type,issued,purposes,max_retention_days,cameras\n"
                   "AP-1,event,2025-06-01,TERRORISME;REGULATION_FLUX_TRANSPORT,7,A\n"
                   "AP-2,standard,2025-13-01,TERRORISME,7,A\n")
    res = runner.invoke(app, ["authorisations", "import", str(csv)])
    assert res.exit_code == 2 and "line 3, field `issued`" in " ".join(res.output.split())
    auths = json.loads(runner.invoke(app, ["authorisations", "list", "--json"]).stdout)
    assert [a["reference"] for a in auths] == ["AP-2024-17"]  # nothing half-written


def test_console_script_is_installed():
    from pathlib import Path

    exe = str(Path(sys.executable).parent / "sentinelle")
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    assert "cameras" in out and "zones" in out and "authorisations" in out
