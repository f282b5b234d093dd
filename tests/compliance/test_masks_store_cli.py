"""Masks on real geometry, the compliance store on both databases, the CLI on the demo."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import shapely
from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.compliance.masks import dwelling_views, unmasked_m
from sentinelle.compliance.store import CameraConfig, ComplianceStore
from sentinelle.db.engine import open_database
from sentinelle.demo import rennes
from sentinelle.geo.basemap import Basemap
from sentinelle.geo.layers import BuildingsLayer
from sentinelle.registry.camera import Camera
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings

runner = CliRunner()
LON, LAT = -1.6500, 48.1300
DX = 0.0004  # ≈ 30 m east


def _basemap() -> Basemap:
    home = shapely.box(LON + DX, LAT - 0.0001, LON + DX + 0.0002, LAT + 0.0001)
    shop = shapely.box(LON - DX - 0.0002, LAT - 0.0001, LON - DX, LAT + 0.0001)
    layer = BuildingsLayer(
        polygons=np.array([home, shop], dtype=object), source_id=np.array(["H", "S"], object),
        height_m=np.array([12.0, 6.0]), usage=np.array([None, "commercial"], object),
        dwellings=np.array([8.0, np.nan]))
    return Basemap.from_layers(None, layer, derive=False)


def _camera(azimuth: float) -> Camera:
    return Camera.model_validate({"id": "C1", "lon": LON, "lat": LAT, "height_m": 6,
                                  "purposes": ["TERRORISME"],
                                  "heads": [{"azimuth_deg": azimuth, "hfov_deg": 60,
                                             "range_m": 80}]})


def test_a_camera_facing_a_dwelling_sees_its_facade_and_a_suggested_mask_covers_it():
    bm = _basemap()
    views = dwelling_views([_camera(90)], bm)["C1"]
    assert [v.building_id for v in views] == ["H"] and views[0].dwellings == 8
    assert views[0].facade_m > 5
    from sentinelle.compliance.masks import Mask

    mask = Mask(1, "C1", views[0].suggested_mask(), "on_camera", None, None, "t")
    assert unmasked_m(views[0], []) > 5 and unmasked_m(views[0], [mask]) < 1
    # facing the shop (no dwellings): nothing to mask
    assert dwelling_views([_camera(270)], bm)["C1"] == []


def test_store_round_trip(db):
    st = ComplianceStore(db)
    d = st.add_document(kind="aipd", title="AIPD réseau", doc_date=date(2025, 1, 1),
                        dpo_opinion_date=date(2025, 1, 15))
    assert st.documents()[0] == d and d.dpo_opinion_date == date(2025, 1, 15)
    s = st.add_sign(name="Place", lon=LON, lat=LAT, camera_ids=["C1"], pictogram=True)
    assert st.signs()[0] == s and s.missing_items() == ["controller", "purposes",
                                                         "rights_contact"]
    m = st.add_mask(camera_id="C1", geometry=shapely.box(LON, LAT, LON + 1e-4, LAT + 1e-4))
    assert st.masks(camera_id="C1")[0].geometry.equals(m.geometry)
    st.add_notification(camera_id="C1", kind="ajout", notified_on=date(2025, 2, 1))
    assert st.notifications()[0].kind == "ajout"
    cfg = CameraConfig("C1", 20, False, True, "décret", date(2026, 1, 1), date(2025, 3, 1), "x")
    st.set_config(cfg)
    st.set_config(cfg)  # replace, not duplicate
    assert st.configs() == {"C1": cfg}
    st.set_setting("controller", "Ville de Rennes")
    assert st.settings() == {"controller": "Ville de Rennes"}


def _demo(home) -> Settings:
    settings = Settings(home=home, database_url=None)
    settings.ensure_home()
    db = open_database(settings.url)
    rennes.build_registry(Registry(db))
    db.dispose()
    return settings


def test_check_on_the_demo_reports_r01_for_every_camera_in_service(home):
    settings = _demo(home)
    res = runner.invoke(app, ["compliance", "check", "--today", "2026-06-01", "--json"])
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert doc["today"] == "2026-06-01"
    assert set(doc["summary"]) == {"violation", "warning", "info"}
    db = open_database(settings.url)
    in_service = {c.id for c in Registry(db).cameras(status=["in_service"])}
    db.dispose()
    assert len(in_service) == 22
    r01 = {f["subject_id"] for f in doc["findings"] if f["rule"] == "R01"}
    assert r01 == in_service
    assert all(f["legal_ref"] == "CSI L252-1" for f in doc["findings"] if f["rule"] == "R01")
    assert doc["summary"]["violation"] == sum(f["severity"] == "violation"
                                              for f in doc["findings"])
    # text output too
    assert runner.invoke(app, ["compliance", "check", "--today", "2026-06-01"]).exit_code == 1


def test_cli_records_clear_the_findings_they_answer(home, tmp_path):
    _demo(home)
    ok = runner.invoke(app, ["compliance", "documents", "add", "--kind", "aipd", "--title",
                             "AIPD", "--date", "2025-01-01", "--dpo-opinion", "2025-01-10"])
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(app, ["compliance", "settings", "set", "controller",
                               "Ville de Rennes"]).exit_code == 0
    assert runner.invoke(app, ["compliance", "documents", "add", "--kind", "registre_traitements",
                               "--title", "Fiche", "--date", "2025-01-01"]).exit_code == 0
    csv_file = tmp_path / "signs.csv"
    csv_file.write_text("name,lon,lat,cameras,pictogram,controller,purposes,rights_contact\n"
                        "Sainte-Anne,-1.6805,48.1145,R01-1;R01-2,oui,oui,oui,oui\n")
    assert runner.invoke(app, ["compliance", "signs", "import", str(csv_file)]).exit_code == 0
    mask = tmp_path / "mask.geojson"
    mask.write_text(json.dumps(shapely.geometry.mapping(
        shapely.box(-1.681, 48.114, -1.680, 48.115))))
    assert runner.invoke(app, ["compliance", "masks", "add", "R01-1", "--geojson",
                               str(mask)]).exit_code == 0
    assert runner.invoke(app, ["compliance", "masks", "add", "NOPE", "--geojson",
                               str(mask)]).exit_code == 1
    res = runner.invoke(app, ["compliance", "check", "--today", "2026-06-01", "--json",
                              "--no-dwellings"])
    doc = json.loads(res.stdout)
    rules = {f["rule"] for f in doc["findings"]}
    assert "R27" not in rules and "R28" not in rules
    assert not [f for f in doc["findings"] if f["rule"] == "R23"
                and f["subject_id"] in ("R01-1", "R01-2")]
    bad = runner.invoke(app, ["compliance", "documents", "add", "--kind", "nope", "--title",
                              "x", "--date", "2025-01-01"])
    assert bad.exit_code == 2
    assert runner.invoke(app, ["compliance", "check", "--rule", "R99"]).exit_code == 2


def test_pack_renders_on_the_demo(home, tmp_path):
    import shutil
    import subprocess

    _demo(home)
    runner.invoke(app, ["compliance", "masks", "add", "R01-1", "--geojson",
                        _mask_file(tmp_path)])
    out = tmp_path / "pack"
    res = runner.invoke(app, ["compliance", "pack", "--out", str(out), "--today",
                              "2026-06-01"])
    assert res.exit_code == 0, res.output
    html = (out / "dossier_inspection.html").read_text(encoding="utf-8")
    html = html.replace("\u2019", "'").replace("&#39;", "'").replace("\u202f", " ")
    for title in ("Autorisations préfectorales", "Inventaire des caméras",
                  "Masques de confidentialité", "Durées de conservation", "Registres",
                  "Journal d'audit", "Habilitations et formation", "Constats"):
        assert title in html
    assert "CSI L252-1" in html and "intègre" in html
    assert "rtsp" not in html.lower()
    assert json.loads((out / "constats.json").read_text())["summary"]["violation"] >= 22
    pdf = out / "dossier_inspection.pdf"
    assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf),
                        str(tmp_path / "page")], check=True)
        assert list(tmp_path.glob("page*.png"))


def _mask_file(tmp_path) -> str:
    p = tmp_path / "m.geojson"
    p.write_text(json.dumps(shapely.geometry.mapping(
        shapely.box(-1.681, 48.114, -1.680, 48.115))))
    return str(p)
