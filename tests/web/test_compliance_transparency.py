"""The public transparency page and exports (no secret, no personal data) and the dashboard."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from sentinelle.access.audit import Actor
from sentinelle.access.habilitations import Habilitations
from sentinelle.compliance.store import ComplianceStore
from sentinelle.registry.store import Registry
from sentinelle.registry.zone import Authorisation

PUBLIC = [
    "/transparence",
    "/api/public/transparence/cameras.geojson",
    "/api/public/transparence/cameras.csv",
    "/api/public/transparence/registre.json",
    "/api/public/transparence/registre.csv",
    "/api/public/transparence/chiffres",
]
FORBIDDEN = ("rtsp", "s3cret", "admin:", "stream", "10.20.0.", "password", "operator",
             "supervisor", "habilitation")


def _setup(app):
    db, keys = app.state.db, app.state.keys
    reg = Registry(db, keys=keys)
    cams = [c.model_copy(update={"authorisation": "ARR-35-2025-001"}) for c in reg.cameras()]
    reg.save_cameras(cams)
    reg.save_authorisations([Authorisation(
        reference="ARR-35-2025-001", issued=date(2025, 1, 1),
        purposes=["PREVENTION_ATTEINTES_PERSONNES_BIENS", "PROTECTION_BATIMENTS_PUBLICS"],
        max_retention_days=15, cameras=[c.id for c in cams], authority="Préfecture")])
    store = ComplianceStore(db)
    store.set_setting("controller", "Ville de Rennes")
    store.set_setting("service", "Police municipale")
    store.add_sign(name="Panneau place", lon=cams[0].lon, lat=cams[0].lat, pictogram=True)
    Habilitations(db, keys).grant(
        username="operator", rights=["live"], all_cameras=True, valid_from=date(2025, 1, 1),
        valid_until=date(2030, 1, 1), training_date=date(2024, 12, 1),
        refresher_due=date(2030, 1, 1), actor=Actor.cli())
    return cams


def test_public_pages_and_exports_carry_no_secret_nor_personal_data(app, tmp_path):
    from fastapi.testclient import TestClient

    cams = _setup(app)
    with TestClient(app) as c:
        for path in PUBLIC:
            res = c.get(path)
            assert res.status_code == 200, (path, res.text[:200])
            low = res.text.lower()
            for word in FORBIDDEN:
                assert word.lower() not in low, (path, word)
        fc = c.get("/api/public/transparence/cameras.geojson").json()
        assert len(fc["features"]) == len([x for x in cams if str(x.status) != "removed"])
        props = fc["features"][0]["properties"]
        assert props["autorisation"] == "ARR-35-2025-001"
        assert {"directions_deg", "finalites", "conservation_jours"} <= set(props)
        rows = list(csv.DictReader(io.StringIO(c.get(
            "/api/public/transparence/registre.csv").text)))
        assert rows[0]["reference"] == "ARR-35-2025-001"
        assert rows[0]["service_responsable"] == "Police municipale"
        page = c.get("/transparence").text
        assert "Registre des systèmes autorisés" in page and "ARR-35-2025-001" in page
        assert json.loads(c.get("/api/public/transparence/chiffres").text)[
            "autorisations_en_vigueur"] == 1


def test_dashboard_shows_findings_by_rule_and_camera(clients):
    c = clients["dpo"]
    res = c.get("/api/compliance/findings?today=2026-06-01")
    assert res.status_code == 200
    d = res.json()
    assert d["today"] == "2026-06-01"
    assert d["summary"]["violation"] == sum(f["severity"] == "violation" for f in d["findings"])
    assert d["rules"]["R01"]["legal_ref"] == "CSI L252-1"
    assert any(cam["violation"] for cam in d["cameras"])
    page = c.get("/conformite?today=2026-06-01")
    assert page.status_code == 200 and "CSI L252-1" in page.text
    assert c.get("/api/compliance/findings?today=x").status_code == 422
    assert clients["operator"].get("/api/compliance/findings").status_code == 403
