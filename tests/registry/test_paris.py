"""The real Paris list (PVPP 2019): all 707 rows import with the documented mapping."""

import json
import re

from typer.testing import CliRunner

from sentinelle.cli.main import app
from tests.conftest import TEST_DATA

MAPPING = 'id=Numéro,name=Implantation,installed="Date de mise en service"'


def test_paris_list_imports_with_every_date_kind(home):
    runner = CliRunner()
    src = TEST_DATA / "paris" / "paris_videoprotection_cameras_geolocated_2019.csv"
    res = runner.invoke(app, ["cameras", "import", str(src), "--map", MAPPING])
    assert res.exit_code == 0, res.output
    assert "707 created" in res.output and "0 rejected" in res.output

    res = runner.invoke(app, ["cameras", "list", "--json"])
    cams = json.loads(res.stdout)
    assert len(cams) == 707
    assert sum(1 for c in cams if c["installed"]) == 697

    by_raw = {"dmy": 0, "serial": 0, "year": 0, "unknown": 0}
    for c in cams:
        raw, inst = c["installed_raw"], c["installed"]
        if re.fullmatch(r"\d\d/\d\d/\d\d", raw or ""):
            by_raw["dmy"] += 1
            d, m, y = raw.split("/")
            assert inst == f"20{y}-{m}-{d}"
        elif re.fullmatch(r"\d{5}", raw or ""):
            by_raw["serial"] += 1
            assert re.fullmatch(r"20\d\d-\d\d-\d\d", inst)
        elif inst is not None and len(inst) == 4:
            by_raw["year"] += 1
            assert (inst, raw) == ("2019", "Début 2019")
        else:
            by_raw["unknown"] += 1
            assert inst is None and raw in ("inconnue", "#N/A")
    assert by_raw == {"dmy": 435, "serial": 259, "year": 3, "unknown": 10}

    # Spot checks against the source file.
    one = next(c for c in cams if c["id"] == "1051")
    assert (one["name"], one["installed"]) == ("Rue Saint-Denis, rue de Rivoli", "2016-07-08")
    assert (one["lon"], one["lat"]) == (2.34750188, 48.85875016)

    # A second import changes nothing.
    res = runner.invoke(app, ["cameras", "import", str(src), "--map", MAPPING])
    assert res.exit_code == 0 and "707 unchanged" in res.output
