"""A reduced Rennes scenario on the demo database: the real data, end to end, in seconds.

Intersections only, one model (the four-head unit), K = 20, no PDF. The full scenario
(examples/rennes.toml, K = 138) is run by hand: see docs/schema-directeur/README.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sentinelle.db.engine import open_database
from sentinelle.plan.masterplan import run_scenario
from sentinelle.plan.scenario import load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[2]
QPV = {"Villejean", "Maurepas", "Le Blosne", "Cleunay", "Les Clôteaux - Champs Manceaux"}


@pytest.mark.slow
def test_reduced_rennes_scenario(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "SENTINELLE_HOME": str(home)}
    env.pop("SENTINELLE_DATABASE_URL", None)
    exe = Path(sys.executable).parent / "sentinelle"
    subprocess.run([str(exe), "demo", "--no-serve"], env=env, check=True, capture_output=True)
    full = load_scenario(ROOT / "examples" / "rennes.toml")
    text = (ROOT / "examples" / "rennes.toml").read_text(encoding="utf-8")
    text = text.replace("street_spacing_m = 120", "street_spacing_m = 0")
    text = text.replace("new_cameras = 138", "new_cameras = 20")
    text = text.replace("time_limit_s = 60", "time_limit_s = 20")
    text = text.replace("share = 0.10", "share = 0.03")  # 10 % of each QPV needs more than 20
    text = text.replace('at = ["intersection", "street", "user"]', 'at = ["user"]')
    text = text.replace('at = ["intersection"]\n', 'at = ["user"]\n')
    sc = parse_scenario(text, base_dir=ROOT / "examples")
    assert sc.siting.new_cameras == 20 and full.siting.new_cameras == 138
    db = open_database(f"sqlite:///{home / 'sentinelle.db'}")
    try:
        plan = run_scenario(db, sc)
    finally:
        db.dispose()
    assert plan.candidates.n_existing == 22
    assert len(plan.new_sites) == 20
    assert {sc.models[plan.candidates.model[j]].kind.value for j in plan.new_sites} == {
        "multisensor"}
    r = plan.result
    assert r.bound >= r.objective >= r.greedy_objective
    assert r.status.value in ("optimal", "time_limit")
    qpv_after = {z["name"]: z for z in plan.after["zones"] if z["kind"] == "qpv"}
    qpv_before = {z["name"]: z for z in plan.before["zones"] if z["kind"] == "qpv"}
    assert set(qpv_after) == QPV
    assert all(qpv_after[n]["covered_pct"] >= qpv_before[n]["covered_pct"] for n in QPV)
    assert plan.weight_share[0]["after"] > plan.weight_share[0]["before"]
    assert plan.staffing_after.cameras == 42
