"""`sentinelle plan solve`, driven through typer's runner and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from typer.testing import CliRunner

from sentinelle.cli.main import app
from tests.plan.conftest import matrix_from_sets

ISSUE_KEYS = {"objective", "bound", "gap", "status", "seconds", "selected", "greedy_objective"}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The greedy trap (optimum: sites 1 and 2, 6 points) as files, plus side inputs."""
    paths = {name: tmp_path / f"{name}.npy" for name in ("w", "fixed", "costs", "g", "m")}
    paths["C"] = tmp_path / "C.npz"
    sparse.save_npz(paths["C"], matrix_from_sets(6, [[0, 1, 2, 3], [0, 1, 4], [2, 3, 5]]))
    np.save(paths["w"], np.ones(6))
    np.save(paths["fixed"], np.array([0]))
    np.save(paths["costs"], np.array([3.0, 2.0, 2.0]))
    np.save(paths["g"], np.array([0, 0, 0, 0, 1, 1]))
    np.save(paths["m"], np.array([0.0, 1.0]))
    return paths


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["plan", "solve", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_json_has_the_issue_keys(files):
    code, out, _ = run("--coverage", files["C"], "--weights", files["w"], "--sites", 2, "--json")
    assert code == 0
    data = json.loads(out)
    assert ISSUE_KEYS <= set(data)
    assert data["status"] == "optimal"
    assert data["selected"] == [1, 2]
    assert (data["objective"], data["bound"], data["gap"]) == (6.0, 6.0, 0.0)
    assert data["greedy_objective"] == 5.0


def test_fixed_budget_and_groups(files):
    base = ["--coverage", files["C"], "--weights", files["w"], "--json"]
    code, out, _ = run(*base, "--sites", 1, "--fixed", files["fixed"])
    assert code == 0
    assert json.loads(out)["selected"] == [1] and json.loads(out)["objective"] == 5.0
    code, out, _ = run(*base, "--costs", files["costs"], "--budget", 4)
    assert code == 0
    assert json.loads(out)["selected"] == [1, 2] and json.loads(out)["cost"] == 4.0
    # Group 1 (points 4 and 5) must be fully covered: with one site that is impossible.
    code, out, err = run(*base, "--sites", 1, "--groups", files["g"], "--group-min", files["m"])
    assert code == 3
    assert json.loads(out)["status"] == "infeasible"
    assert "infeasible" in err and "group minimum" in err


def test_readable_summary(files):
    code, out, _ = run("--coverage", files["C"], "--weights", files["w"], "--sites", 2)
    assert code == 0
    assert "optimal" in out
    assert "Covered weight" in out and "6  (100.0% of 6)" in out
    assert "Selected sites (columns): 1, 2" in out


@pytest.mark.parametrize(
    ("sites", "extra", "bad_file", "words"),
    [
        ("4", [], None, "asked for 4 new sites but there are only 3"),
        ("2", [], ("w", np.ones(5)), "weights: expected one weight per coverage row"),
        ("2", [], ("w", np.array([1.0, 1, 1, -1, 1, 1])), "row 3 is negative"),
        ("2", [], ("C", "an .npz of a dense array"), "--coverage: cannot read"),
        ("2", [], ("C", b"\x00garbage"), "is not an .npz archive"),
        ("2", [], ("w", b"\x00garbage"), "--weights: "),
        ("2", ["--fixed", "missing.npy"], None, "--fixed: file missing.npy does not exist"),
        ("2", ["--budget", "4"], None, "--costs: required when --budget is given"),
    ],
)
def test_bad_input_exits_with_a_clear_message(files, monkeypatch, sites, extra, bad_file, words):
    if bad_file is not None:
        name, content = bad_file
        if isinstance(content, bytes):
            files[name].write_bytes(content)
        elif isinstance(content, str):
            np.savez(files[name], a=np.ones(2))
        else:
            np.save(files[name], content)
    monkeypatch.chdir(files["C"].parent)
    code, out, err = run("--coverage", "C.npz", "--weights", "w.npy", "--sites", sites, *extra)
    assert code == 2
    assert out == ""
    assert words in " ".join(err.split())


def test_stdout_is_pure_json_in_a_real_process(files):
    """HiGHS prints a banner on file descriptor 1 when first built; it must not reach stdout."""
    cmd = [sys.executable, "-m", "sentinelle.cli.main", "plan", "solve"]
    cmd += ["--coverage", str(files["C"]), "--weights", str(files["w"]), "--sites", "2", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["objective"] == 6.0
