"""`sentinelle plan run` end to end on the synthetic city stored in a database."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from sentinelle.adapters.basemap_store import BasemapStore
from sentinelle.cli.main import app
from sentinelle.db.engine import open_database
from sentinelle.registry.store import Registry
from tests.plan import city

runner = CliRunner()


def _store_city(home) -> None:
    home.mkdir(parents=True, exist_ok=True)
    db = open_database(f"sqlite:///{home / 'sentinelle.db'}")
    BasemapStore(db).replace(city.basemap())
    reg = Registry(db)
    reg.save_zones(city.zones())
    reg.save_cameras(city.existing())
    db.dispose()


def test_plan_run_writes_the_four_outputs(home, tmp_path):
    _store_city(home)
    files = tmp_path / "in"
    city.write_files(files)
    scenario = files / "scenario.toml"
    scenario.write_text(city.SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(app, ["plan", "run", str(scenario), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "QPV Ouest" in res.output
    for name in ("plan.json", "sites.geojson", "schema-directeur.html", "schema-directeur.pdf"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "schema-directeur.pdf").read_bytes()[:5] == b"%PDF-"
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["siting"]["status"] == "optimal"
    assert 0 < len(plan["sites"]) <= 6
    html = (out / "schema-directeur.html").read_text(encoding="utf-8")
    for title in ("Diagnostic", "Priorités", "Sites proposés", "Phasage", "Choix technologiques",
                  "Stockage", "centre de supervision", "Budget", "Indicateurs",
                  "Pré-contrôle de conformité"):
        assert title in html, title
    assert "Cour des comptes" in html and "13 800" in html
    # Nothing is fetched: every src and href is a data URI.
    assert not re.search(r'(src|href)="(?!data:)', html)
    geo = json.loads((out / "sites.geojson").read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection"


def test_bad_scenario_exits_2_with_file_line_and_key(home, tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(city.SCENARIO.replace("[siting]\n", "[siting]\nsites = 3\n"))
    res = runner.invoke(app, ["plan", "run", str(scenario), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "bad.toml" in res.output and "siting.sites" in res.output and "line" in res.output


def test_no_base_map_is_explained(home, tmp_path):
    files = tmp_path / "in"
    city.write_files(files)
    scenario = files / "scenario.toml"
    scenario.write_text(city.SCENARIO, encoding="utf-8")
    res = runner.invoke(app, ["plan", "run", str(scenario), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "no base map" in res.output
