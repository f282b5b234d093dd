"""The whole chain on the synthetic city: siting constraints, figures, phasing, outputs."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from sentinelle.errors import InputError
from sentinelle.plan.masterplan import build_masterplan
from sentinelle.plan.scenario import parse_scenario
from tests.plan import city


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    f = tmp_path_factory.mktemp("city")
    city.write_files(f)
    (f / "sites.csv").write_text(
        "id,lon,lat,name\n" + "P1,{:.7f},{:.7f},Mât mairie\n".format(*city.lonlat(3.5, 0.5))
    )
    return f


@pytest.fixture(scope="module")
def plan(folder):
    sc = parse_scenario(city.SCENARIO, base_dir=folder)
    return build_masterplan(city.basemap(), city.zones(), city.existing(), sc)


def test_siting_meets_every_constraint(plan):
    r = plan.result
    assert r.status.value == "optimal" and r.gap == 0
    assert r.bound >= r.objective >= r.greedy_objective
    assert 0 < len(plan.new_sites) <= 6
    assert r.fixed == (0,)
    assert r.group_shares[0] >= 0.2 - 1e-9  # QPV minimum
    c = plan.candidates
    nord = [i for i, z in enumerate(plan.zones) if z.name == "Nord"][0]
    sud = [i for i, z in enumerate(plan.zones) if z.name == "Sud"][0]
    per_zone = Counter(int(c.place_zone["quartier"][c.place[j]]) for j in plan.new_sites)
    assert per_zone[nord] <= 4 and per_zone[sud] <= 4


def test_figures_are_consistent(plan):
    total = plan.demand.weights.sum()
    net = plan.weight_share[0]
    assert net["after"] == pytest.approx(plan.result.objective / total, rel=1e-5)
    assert net["after"] >= net["before"]
    assert plan.after["network"]["covered_m"] > plan.before["network"]["covered_m"]
    # Each site's justification adds up to the weight it adds at its turn.
    for j, gain in zip(plan.programme.order, plan.programme.gains, strict=True):
        assert sum(plan.justification[j].values()) == pytest.approx(gain)
    before = plan.result.objective - sum(plan.programme.gains)
    assert before / total == pytest.approx(net["before"], abs=1e-6)  # shares are rounded


def test_phasing_and_budget(plan):
    placed = [j for y in plan.programme.years for j in y.sites]
    assert sorted(placed + plan.programme.left_over) == sorted(plan.new_sites)
    for y in plan.programme.years:
        assert y.spent_eur <= 60_000 + 1e-6
    b = plan.budget
    assert [y["year"] for y in b["years"]] == [2026, 2027, 2028]
    # The 2012 camera reaches 10 years before 2026: replaced in 2026.
    assert plan.programme.years[0].replacements == [0]
    assert b["capex_total_eur"] == pytest.approx(sum(y.spent_eur for y in plan.programme.years))
    last = b["years"][-1]
    assert last["staffing_fte"] == pytest.approx(12 * last["cameras"] / 100)
    assert plan.staffing_after.cameras == 1 + len(plan.new_sites)


def test_outputs(plan, tmp_path):
    data = plan.to_json()
    for key in ("scenario", "inputs", "demand", "siting", "coverage", "sites", "programme",
                "storage", "staffing", "budget", "sources"):
        assert key in data
    for key in ("objective", "bound", "gap", "status", "seconds", "selected",
                "greedy_objective"):
        assert key in data["siting"]
    assert len(data["sites"]) == len(plan.new_sites)
    row = data["sites"][0]
    for key in ("site_id", "lon", "lat", "model", "dori_level", "resolution", "transmission",
                "cost_eur", "year", "justification", "dwellings"):
        assert key in row
    geo = plan.sites_geojson()
    status = Counter(f["properties"]["status"] for f in geo["features"])
    assert status == {"existing": 1, "proposed": len(plan.new_sites)}
    plan_json, sites = plan.write_json(tmp_path)
    assert plan_json.exists() and sites.exists()


def test_forced_site_is_taken_and_counted_in_k(folder):
    text = city.SCENARIO.replace("[candidates]\n", '[candidates]\nuser_sites_file = "sites.csv"\n')
    text = text.replace("new_cameras = 6", 'new_cameras = 3\nforced = ["P1@fixe"]')
    sc = parse_scenario(text, base_dir=folder)
    plan = build_masterplan(city.basemap(), city.zones(), city.existing(), sc)
    c = plan.candidates
    assert len(plan.forced) == 1
    j = plan.forced[0]
    assert c.places.site_id[c.place[j]] == "P1" and sc.models[c.model[j]].name == "fixe"
    assert j in plan.new_sites and len(plan.new_sites) <= 3
    assert j in plan.result.fixed


def test_infeasible_minimum_and_too_many_forced_sites(folder):
    text = city.SCENARIO.replace("share = 0.2", "share = 0.95")
    sc = parse_scenario(text, base_dir=folder)
    with pytest.raises(InputError, match="infeasible"):
        build_masterplan(city.basemap(), city.zones(), city.existing(), sc)
    text = city.SCENARIO.replace("[candidates]\n", '[candidates]\nuser_sites_file = "sites.csv"\n')
    text = text.replace("new_cameras = 6", 'new_cameras = 0\nforced = ["P1"]')
    sc = parse_scenario(text, base_dir=folder)
    with pytest.raises(InputError, match="fewer than the 1 forced"):
        build_masterplan(city.basemap(), city.zones(), city.existing(), sc)


def test_budget_instead_of_k(folder):
    text = city.SCENARIO.replace("new_cameras = 6", "budget_eur = 50000")
    sc = parse_scenario(text, base_dir=folder)
    plan = build_masterplan(city.basemap(), city.zones(), city.existing(), sc)
    cost = float(np.sum(plan.candidates.cost_eur[plan.new_sites]))
    assert 0 < cost <= 50_000
    assert plan.result.cost == pytest.approx(cost)
