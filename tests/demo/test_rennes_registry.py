"""The Rennes demo registry: honest, complete, idempotent."""

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.db.engine import open_database
from sentinelle.db.tables import CameraVersionRow, ZoneRow
from sentinelle.demo import rennes

runner = CliRunner()


def test_demo_network_is_22_assumed_four_head_units():
    cams = rennes.demo_cameras()
    assert len(cams) == 22
    per_site = {}
    for c in cams:
        per_site[c.id.split("-")[0]] = per_site.get(c.id.split("-")[0], 0) + 1
        assert c.assumed and c.type == "multisensor" and c.height_m == 6
        assert [h.azimuth_deg for h in c.heads] == [0, 90, 180, 270]
        assert all((h.hfov_deg, h.focal_mm, h.sensor_width_mm, h.image_width_px)
                   == (90, 2.8, 5.37, 2560) for h in c.heads)
    assert per_site == {"R01": 2, "R02": 2, "R03": 2, "R04": 5, "R05": 2, "R06": 2, "R07": 3,
                        "R08": 2, "R09": 2}
    # No two units share a position.
    assert len({(c.lon, c.lat) for c in cams}) == 22
    sainte_anne = next(c for c in cams if c.id == "R01-1")
    assert sainte_anne.installed.isoformat() == "2010-03"
    assert next(c for c in cams if c.id == "R08-1").installed_raw == "<=2017"


def test_demo_is_idempotent(home):
    res = runner.invoke(app, ["demo", "--no-serve"])
    assert res.exit_code == 0, res.output
    assert "Rennes demo built" in res.output and "Approximate positions" in res.output
    out = " ".join(res.output.split())
    for qpv in ("Villejean", "Maurepas", "Le Blosne", "Cleunay", "Les Clôteaux - Champs"):
        assert qpv in out
    assert "Street coverage — QPV" in out and "Street coverage — Quartiers" in out
    db = open_database(f"sqlite:///{home / 'sentinelle.db'}")
    with db.session() as s:
        before = (s.scalar(select(func.count()).select_from(CameraVersionRow)),
                  s.scalar(select(func.max(ZoneRow.updated_at))))
    res = runner.invoke(app, ["demo", "--no-serve"])
    assert res.exit_code == 0 and "nothing imported" in res.output
    with db.session() as s:
        after = (s.scalar(select(func.count()).select_from(CameraVersionRow)),
                 s.scalar(select(func.max(ZoneRow.updated_at))))
    assert before == after and before[0] == 22
    zones = json.loads(runner.invoke(app, ["zones", "list", "--kind", "qpv", "--json"]).stdout)
    assert len(zones) == 5
