"""The evaluation report renders on the Rennes demo, says "synthetic" on every page, and the
CLI writes it from a panel."""

from __future__ import annotations

import json
import shutil
import subprocess
from html import unescape

import pytest
from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.db.engine import open_database
from sentinelle.demo import rennes
from sentinelle.evaluate.report import write_report
from sentinelle.evaluate.study import demo_study
from sentinelle.registry.store import Registry


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    """The demo registry (no base map: circular viewsheds, faster) evaluated and rendered."""
    home = tmp_path_factory.mktemp("eval-demo")
    db = open_database(f"sqlite:///{home / 'sentinelle.db'}")
    rennes.build_registry(Registry(db))
    study = demo_study(db, margin_m=1000.0, annual_cost_eur=400_000.0)
    files = write_report(study, home / "out", dpi=60)
    db.dispose()
    return study, files


def test_demo_study_is_synthetic_and_finds_the_planted_fall(demo_report):
    study, _ = demo_report
    assert study.synthetic and study.truth is not None and study.truth.effect == 0.8
    res = study.staggered
    assert res.n_treated == 5  # dated sites: Sainte-Anne+Saint-Michel, Gast, Colombier, Europe,
    assert res.att.ci_high < 1  # Gros Chêne; a significant fall, as planted
    assert 0.65 < res.att.ratio < 0.95
    assert res.pretrend.kind == "slope"  # 5 treated areas: too few for the joint test
    assert any("R07-1" in n for n in study.notes)  # undated cameras named
    assert study.effects is not None and len(study.effects.areas) == 5
    assert study.usefulness is not None and study.usefulness.cost is not None


def test_report_files_and_pages(demo_report):
    study, files = demo_report
    html = unescape(files.html.read_text(encoding="utf-8"))
    assert 'lang="fr"' in html and "Données synthétiques" in html
    for title in ("Zones étudiées", "Méthode", "Hypothèses", "Effet moyen et étude d'événement",
                  "Zone par zone", "Déplacement", "Puissance", "Utilité pour les enquêtes",
                  "Limites et précautions"):
        assert title in html
    assert html.count("data:image/png;base64,") >= 4  # event study, forest plot, maps
    doc = json.loads(files.json.read_text(encoding="utf-8"))
    assert doc["synthetic"] is True and doc["panel"]["att"] == pytest.approx(
        study.staggered.att.ratio)
    assert {f.name for f in files.figures} >= {"etude_evenement.png", "graphique_en_foret.png",
                                                "carte_zones.png"}
    assert files.pdf is not None and files.pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed: pages not inspected")
    text = subprocess.run(["pdftotext", str(files.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 5
    assert all("Données synthétiques" in " ".join(p.split()) for p in pages)
    out = files.pdf.parent / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(files.pdf),
                    str(out)], check=True)
    png = next(files.pdf.parent.glob("page*.png"))
    assert png.stat().st_size > 5_000


runner = CliRunner()


def test_cli_report_from_a_panel(write_csv, tmp_path, home):
    rows = ["area,period,count,treated_from"]
    for i in range(10):
        treated = "" if i < 5 else "2015-07"
        for m in range(24):
            count = 10 - (3 if treated and m >= 18 else 0) + (i % 3)
            rows.append(f"Z{i},{2014 + m // 12}-{m % 12 + 1:02d},{count},{treated}")
    panel = write_csv("\n".join(rows), "panel.csv")
    res = runner.invoke(app, ["evaluate", "report", "--panel", str(panel), "--out",
                              str(tmp_path / "r"), "--no-pdf", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["pdf"] is None and doc["synthetic"] is False and doc["att"] < 1
    html = (tmp_path / "r" / "rapport_evaluation.html").read_text(encoding="utf-8")
    assert "Données synthétiques" not in html and "Pas de comptes avant/après" in html
    res = runner.invoke(app, ["evaluate", "report", "--panel", str(panel), "--incidents",
                              str(panel)])
    assert res.exit_code == 2 and "not both" in res.stderr
