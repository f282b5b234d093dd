"""`evaluate report --incidents` end to end on the demo registry, with matched and chosen
controls (a small seeded incident file, not the synthetic demo set)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

from sentinelle.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_with_incidents(tmp_path_factory):
    home = tmp_path_factory.mktemp("eval-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("SENTINELLE_HOME", str(home))
    mp.delenv("SENTINELLE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    rng = np.random.default_rng(7)
    cams = json.loads(runner.invoke(app, ["cameras", "list", "--json"]).stdout)
    xy = np.array([(c["lon"], c["lat"]) for c in cams])
    # Half the incidents around the cameras (within a few tens of metres), half spread.
    n = 6000
    near = xy[rng.integers(0, len(xy), n // 2)] + rng.normal(0, [0.0004, 0.0003], (n // 2, 2))
    spread = np.column_stack([rng.uniform(-1.72, -1.64, n // 2),
                              rng.uniform(48.08, 48.14, n // 2)])
    lon, lat = np.vstack([near, spread]).T
    days = rng.integers(0, (date(2024, 12, 31) - date(2007, 1, 1)).days, n)
    path = home / "incidents.csv"
    with path.open("w") as f:
        f.write("date,category,lon,lat\n")
        for i in range(n):
            d = date(2007, 1, 1) + timedelta(days=int(days[i]))
            f.write(f"{d.isoformat()},vol,{lon[i]:.6f},{lat[i]:.6f}\n")
    yield home, path
    mp.undo()


def test_report_from_incidents_with_matched_controls(demo_with_incidents, monkeypatch):
    home, incidents = demo_with_incidents
    monkeypatch.setenv("SENTINELLE_HOME", str(home))
    out = home / "report-matched"
    res = runner.invoke(app, ["evaluate", "report", "--incidents", str(incidents), "--out",
                              str(out), "--no-pdf", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout[res.stdout.index("{"):])
    assert doc["synthetic"] is False
    assert doc["ci_low"] <= doc["att"] <= doc["ci_high"]
    assert (out / "rapport_evaluation.html").is_file()
    assert "synthétique" not in (out / "rapport_evaluation.html").read_text().lower()


def test_report_from_incidents_with_chosen_controls(demo_with_incidents, monkeypatch):
    home, incidents = demo_with_incidents
    monkeypatch.setenv("SENTINELLE_HOME", str(home))
    out = home / "report-chosen"
    res = runner.invoke(app, ["evaluate", "report", "--incidents", str(incidents),
                              "--control-zones", "Sud gare,Bréquigny", "--out", str(out),
                              "--no-pdf", "--json"])
    assert res.exit_code == 0, res.output
    saved = json.loads((out / "evaluation.json").read_text())
    assert "2 zones témoins choisies." in json.dumps(saved, ensure_ascii=False)
    res = runner.invoke(app, ["evaluate", "report", "--incidents", str(incidents),
                              "--control-zones", "Atlantis", "--out", str(out), "--no-pdf"])
    assert res.exit_code == 2 and "unknown zone(s) Atlantis" in res.output
