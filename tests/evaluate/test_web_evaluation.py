"""The web app's evaluation page shows the last report written under SENTINELLE_HOME."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sentinelle.access.audit import Actor
from sentinelle.access.users import Users
from sentinelle.evaluate.panel import Panel
from sentinelle.evaluate.report import write_report
from sentinelle.evaluate.study import run_study
from sentinelle.settings import Settings
from sentinelle.web import create_app
from tests.web.conftest import PASSWORD, login


def test_evaluation_page_and_api(home):
    settings = Settings()
    app = create_app(settings)
    Users(app.state.db, app.state.keys).add(username="elu", password=PASSWORD, role="auditor",
                                            actor=Actor.cli())
    with TestClient(app) as client:
        assert client.get("/api/evaluation").status_code == 401  # closed to anonymous
        assert login(client, "elu").status_code == 303
        page = client.get("/evaluation")
        assert page.status_code == 200 and "Évaluation de la vidéoprotection" in page.text
        missing = client.get("/api/evaluation")
        assert missing.status_code == 404 and "sentinelle evaluate report" in missing.text
        y = [[10, 11, 9, 10, 7, 6], [12, 11, 12, 13, 12, 12], [8, 9, 8, 9, 6, 5],
             [9, 10, 11, 9, 10, 10]]
        panel = Panel.from_arrays(y, treated_from=[2020 * 12 + 4, None, 2020 * 12 + 4, None],
                                  first_month=2020 * 12, synthetic=True)
        study = run_study(place="Essai", panel=panel, pre_months=2, post_months=2,
                          synthetic_note_fr="Données synthétiques (essai).")
        write_report(study, settings.home / "evaluation", pdf=False, dpi=50)
        doc = client.get("/api/evaluation").json()
        assert doc["synthetic"] is True and doc["att"] < 1
        assert doc["synthetic_note"] == "Données synthétiques (essai)."
        assert "rapport_evaluation.html" in doc["files"]
        assert "rapport_evaluation.pdf" not in doc["files"]
        report = client.get("/evaluation/files/rapport_evaluation.html")
        assert report.status_code == 200 and "Données synthétiques" in report.text
        assert client.get("/evaluation/files/etude_evenement.png").headers[
            "content-type"] == "image/png"
        assert client.get("/evaluation/files/..%2Fsentinelle.db").status_code == 404
        assert client.get("/evaluation/files/rapport_evaluation.pdf").status_code == 404
