"""Usefulness to investigations: figures computed by hand on a ten-case file, and bad rows.

By hand, from `data/cases_example.csv` (10 cases over 2022-01-01 .. 2023-12-31 = 730 days):
requested 6 (E-01, 02, 03, 05, 06, 10), available 4 (E-01, 02, 05, 10), useful 3 (E-01, 05, 10),
solved 6 (E-01, 03, 05, 07, 09, 10), solved with useful footage 3 (E-01, 05, 10).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sentinelle.cli.main import app
from sentinelle.errors import ImportRejected, InputError
from sentinelle.evaluate.usefulness import (
    CaseTable,
    CostBasis,
    Share,
    cost_basis_from_plan,
    estimate_usefulness,
    read_cases,
    span_years,
)

from .conftest import DATA

CASES = DATA / "cases_example.csv"


def test_figures_match_hand_computation():
    r = estimate_usefulness(read_cases(CASES), cost=CostBasis(300_000.0, "given"))
    o = r.overall
    # requested: E-01 02 03 05 06 10 = 6; available: E-01 02 05 10 = 4; useful: E-01 05 10 = 3
    assert (o.cases, o.requested.count, o.available.count, o.useful.count) == (10, 6, 4, 3)
    assert o.requested.share == 0.6 and o.available.share == 0.4 and o.useful.share == 0.3
    assert o.available_when_requested.share == pytest.approx(4 / 6)
    assert o.useful_when_available.share == pytest.approx(3 / 4)
    # solved: E-01 03 05 07 09 10 = 6, of which helped by footage: E-01 05 10 = 3
    assert (o.solved, o.solved_helped.count, o.solved_helped.share) == (6, 3, 0.5)
    cats = {f.label: f for f in r.by_category}
    assert [f.label for f in r.by_category][0] == "vol avec violence"  # most cases first
    vav = cats["vol avec violence"]
    assert (vav.cases, vav.requested.count, vav.useful.count, vav.solved) == (4, 3, 1, 3)
    assert vav.solved_helped.share == pytest.approx(1 / 3)
    assert cats["stupéfiants"].useful.share == 1.0
    cams = {f.label: f for f in r.by_camera}
    assert set(cams) == {"R01-1", "R01-2", "R04-1", "R04-2", "R03-1"}
    assert (cams["R01-2"].cases, cams["R01-2"].useful.count) == (2, 2)  # E-01, E-10
    assert (cams["R04-1"].cases, cams["R04-1"].available.count, cams["R04-1"].useful.count) == (
        2, 1, 1)
    assert r.by_camera[0].label == "R01-2"  # most useful first
    # cost: 300 000 EUR a year over 730 days = 730/365.25 years
    years = 730 / 365.25
    assert r.cost is not None and r.cost.years == pytest.approx(years)
    assert r.cost.per_useful_case_eur == pytest.approx(300_000 * years / 3)
    assert r.cost.per_solved_helped_eur == pytest.approx(300_000 * years / 3)


def test_wilson_interval_by_hand():
    # Wilson 95 % for 22/1939 (the gendarmerie study): centre and half-width by hand
    s = Share(22, 1939)
    z = 1.959963984540054
    n, p = 1939, 22 / 1939
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    lo, hi = s.interval
    assert lo == pytest.approx(centre - half) and hi == pytest.approx(centre + half)
    assert 0.0074 < lo < 0.0076 and 0.0171 < hi < 0.0172
    assert Share(0, 0).share is None and Share(0, 0).interval is None


def test_given_years_and_plan_hook():
    class Costing:
        annual_cost_eur = 120_000.0
        label = "scénario B"

    basis = cost_basis_from_plan(Costing())
    assert basis.source == "master plan: scénario B"
    r = estimate_usefulness(read_cases(CASES), cost=CostBasis(120_000.0, "given", years=2.0))
    assert r.cost.total_eur == 240_000 and r.cost.per_useful_case_eur == 80_000
    with pytest.raises(InputError, match="positive number of euros"):
        CostBasis(-5.0, "given")
    assert span_years(*(r.first_date, r.last_date)) == pytest.approx(2.0, abs=0.01)


def test_bad_rows_are_named(write_csv):
    path = write_csv(
        """
        case_id,date,category,solved,footage_requested,footage_available,footage_useful
        A,2022-01-01,vol,1,1,1,1
        A,2022-01-02,vol,1,1,1,1
        B,2022-02-30,vol,1,1,1,1
        C,2022-03-01,,maybe,1,1,1
        D,2022-03-02,vol,0,0,1,0
        E,2022-03-03,vol,0,1,0,1
        """,
        "cases.csv",
    )
    with pytest.raises(ImportRejected) as info:
        read_cases(path)
    where = {(e.line, e.field) for e in info.value.errors}
    assert where == {
        (3, "case_id"),
        (4, "date"),
        (5, "category"),
        (5, "solved"),
        (6, "footage_available"),
        (7, "footage_useful"),
    }
    text = "\n".join(str(e) for e in info.value.errors)
    assert "cases.csv, line 6, field `footage_available`" in text and "must nest" in text
    with pytest.raises(InputError, match="missing column footage_useful"):
        read_cases(write_csv("case_id,date,category,solved,footage_requested,"
                             "footage_available\nA,2022-01-01,vol,1,1,1", "c2.csv"))


def test_french_dates_and_flags():
    t = CaseTable.from_records([
        {"case_id": "1", "date": "04/01/2023", "category": "vol", "solved": "oui",
         "footage_requested": "Oui", "footage_available": "non", "footage_useful": "non"}
    ])
    assert t.cases[0].date.isoformat() == "2023-01-04" and t.cases[0].solved


runner = CliRunner()


def test_cli_json_and_text():
    res = runner.invoke(app, ["evaluate", "usefulness", "--cases", str(CASES), "--json",
                              "--annual-cost", "300000"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["cases"] == 10 and doc["useful"]["share"] == 0.3
    assert doc["solved_helped"]["share"] == 0.5
    assert doc["by_category"][0]["category"] == "vol avec violence"
    assert doc["by_camera"][0]["camera_id"] == "R01-2"
    assert doc["cost"]["per_useful_case_eur"] == pytest.approx(300_000 * 730 / 365.25 / 3)
    assert doc["reference"]["solved_helped"] == 22
    res = runner.invoke(app, ["evaluate", "usefulness", "--cases", str(CASES)])
    assert res.exit_code == 0 and "solved cases it helped" in res.stdout
    res = runner.invoke(app, ["evaluate", "usefulness", "--cases", str(CASES), "--years", "2"])
    assert res.exit_code == 2 and "--years needs --annual-cost" in res.stderr
