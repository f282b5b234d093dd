"""`sentinelle evaluate effects|displacement|power`: JSON contract, human output, errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sentinelle.cli.main import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["evaluate", *args])


def flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def test_effects_json_contract(example_counts, tmp_path):
    plot = tmp_path / "forest.png"
    res = run("effects", "--counts", str(example_counts), "--json", "--plot", str(plot))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) >= {"areas", "fixed", "random", "q", "i2"}
    area = doc["areas"][0]
    assert set(area) >= {
        "area",
        "odds_ratio",
        "ci_low",
        "ci_high",
        "percent_change",
        "continuity_correction",
    }
    assert area["area"] == "Place Sainte-Anne"
    assert area["odds_ratio"] == pytest.approx(142 * 402 / (118 * 410))
    assert area["continuity_correction"] is False
    assert set(doc["fixed"]) >= {"odds_ratio", "ci_low", "ci_high"}
    assert set(doc["random"]) >= {"odds_ratio", "ci_low", "ci_high", "tau2"}
    assert doc["i2"] == 0.0 and doc["random"]["tau2"] == 0.0
    assert plot.stat().st_size > 10_000


def test_effects_single_area_gives_null_i2(write_csv):
    path = write_csv("area,treated_before,treated_after,control_before,control_after\nA,0,4,20,22")
    res = run("effects", "--counts", str(path), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["q"] == 0 and doc["i2"] is None and doc["random"]["tau2"] == 0
    assert doc["areas"][0]["continuity_correction"] is True
    # 0.5 added to every cell: OR = 0.5*22.5 / (4.5*20.5)
    assert doc["areas"][0]["odds_ratio"] == pytest.approx(0.5 * 22.5 / (4.5 * 20.5))


def test_effects_options_change_the_intervals(example_counts):
    base = json.loads(run("effects", "--counts", str(example_counts), "--json").stdout)
    wide = json.loads(
        run(
            "effects",
            "--counts",
            str(example_counts),
            "--json",
            "--overdispersion",
            "2",
            "--alpha",
            "0.01",
        ).stdout
    )
    assert wide["fixed"]["odds_ratio"] == pytest.approx(base["fixed"]["odds_ratio"])
    assert wide["fixed"]["ci_low"] < base["fixed"]["ci_low"]
    assert wide["overdispersion"] == 2 and wide["alpha"] == 0.01


def test_effects_human_output(example_counts):
    res = run("effects", "--counts", str(example_counts))
    assert res.exit_code == 0, res.output
    assert "Place Sainte-Anne" in flat(res.stdout) and "random effects" in flat(res.stdout)
    assert "I² = 0 %" in flat(res.stdout)
    assert "a significant fall" in flat(res.stdout)


def test_displacement_json_contract(example_counts):
    res = run("displacement", "--counts", str(example_counts), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) >= {"wdd", "variance", "z", "ci_low", "ci_high", "wdq"}
    # Sum over the 9 rows of the example (by hand: -2-9-23-19-11-2-27-2+8)
    assert doc["wdd"] == -87.0
    assert doc["variance"] == 7933.0
    assert doc["wdq"] == pytest.approx(0.0900671, rel=1e-5)


def test_displacement_weights_and_no_buffer(write_csv):
    path = write_csv(
        "area,treated_before,treated_after,control_before,control_after\nA,30,20,50,50"
    )
    res = run(
        "displacement",
        "--counts",
        str(path),
        "--time-weights",
        "12,6",
        "--area-weights",
        "1,1,1,1",
        "--json",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["wdd"] == pytest.approx(-10 / 3) and doc["variance"] == pytest.approx(2.5)
    assert doc["wdq"] is None
    human = run("displacement", "--counts", str(path))
    assert "no buffer columns" in flat(human.stdout) and "WDD = -10.0 incidents" in flat(
        human.stdout
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--time-weights", "12"),
        ("--time-weights", "12,x"),
        ("--area-weights", "1,2,3"),
        ("--area-weights", "1,0,1,1"),
    ],
)
def test_displacement_bad_weights(example_counts, option, value):
    res = run("displacement", "--counts", str(example_counts), option, value)
    assert res.exit_code == 2
    assert option in flat(res.stderr) and "positive numbers" in flat(res.stderr)


def test_power_says_when_the_data_cannot_answer(example_counts):
    res = run("power", "--counts", str(example_counts))
    assert res.exit_code == 0, res.output
    assert "These data cannot detect an effect smaller than 18 %" in flat(res.stdout)
    assert "They cannot answer whether the cameras cut crime by 16 %" in flat(res.stdout)
    doc = json.loads(run("power", "--counts", str(example_counts), "--json").stdout)
    assert doc["can_answer"] is False
    assert doc["random"]["mde_reduction_pct"] == pytest.approx(18.0, abs=0.5)
    easier = json.loads(
        run("power", "--counts", str(example_counts), "--json", "--target-reduction", "25").stdout
    )
    assert easier["can_answer"] is True


def test_bad_input_names_the_row(write_csv):
    path = write_csv(
        "area,treated_before,treated_after,control_before,control_after\n"
        "A,10,8,30,31\nB,5,-3,20,22\nC,0,0,0,0"
    )
    for command in ("effects", "displacement", "power"):
        res = run(command, "--counts", str(path))
        assert res.exit_code == 2
        assert "line 3, field `treated_after`: a count cannot be negative" in flat(res.stderr)
        assert "line 4: all counts are zero for area `C`" in flat(res.stderr)
        assert res.stdout == ""


def test_missing_column_and_missing_file(write_csv, tmp_path):
    path = write_csv("area,treated_before,treated_after,control_before\nA,1,2,3")
    res = run("effects", "--counts", str(path))
    assert res.exit_code == 2 and "missing column control_after" in flat(res.stderr)
    res = run("power", "--counts", str(tmp_path / "nope.csv"))
    assert res.exit_code == 2 and "no such file" in flat(res.stderr)


def _panel_csv(write_csv):
    rows = ["area,period,count,treated_from"]
    rng = __import__("numpy").random.default_rng(3)
    for i in range(24):
        treated = "" if i < 8 else ("2015-07" if i < 16 else "2016-01")
        for m in range(36):
            month = f"{2014 + m // 12}-{m % 12 + 1:02d}"
            lam = 8.0 * (0.7 if treated and month >= treated else 1.0)
            rows.append(f"Z{i},{month},{rng.poisson(lam)},{treated}")
    return write_csv("\n".join(rows), "panel.csv")


def test_panel_json_contract(write_csv, tmp_path):
    path = _panel_csv(write_csv)
    plot = tmp_path / "es.png"
    res = run("panel", "--panel", str(path), "--json", "--plot", str(plot))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert list(doc)[:5] == ["att", "ci_low", "ci_high", "event_study", "pretrend_p"]
    assert doc["ci_low"] < doc["att"] < doc["ci_high"] < 1
    assert doc["scale"] == "rate_ratio"
    first = doc["event_study"][0]
    assert set(first) == {"rel_period", "estimate", "ci_low", "ci_high"}
    assert first["rel_period"] == -12
    assert 0 <= doc["pretrend_p"] <= 1
    assert plot.stat().st_size > 10_000


def test_panel_human_output_and_errors(write_csv):
    path = _panel_csv(write_csv)
    res = run("panel", "--panel", str(path), "--bin", "3")
    assert res.exit_code == 0, res.output
    out = flat(res.stdout)
    assert "ATT = " in out and "rate ratio" in out and "Pre-trend test (joint F)" in out
    assert "3-month bins" in out
    bad = write_csv("area,period,count\nA,2014-01,x\nA,2014-1,2", "bad.csv")
    res = run("panel", "--panel", str(bad))
    assert res.exit_code == 2
    err = flat(res.stderr)
    assert "bad.csv, line 2, field `count`" in err and "bad.csv, line 3, field `period`" in err
