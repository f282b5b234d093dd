"""Sentinelle's siting solver against PySAL spopt's MCLP (PuLP/CBC) on city-size instances.

Instances (seeded): 20,000 demand points and 2,000 candidate sites uniform in a 7 × 7 km
square, integer weights 1-10, coverage within 150 m and within 300 m, K = 160 new sites.

For each radius the anchor (spopt 0.7 in bench/.venv-spopt, built by bench/setup-spopt) runs
first, in a subprocess, then Sentinelle, one after the other (never both at once). Both clocks
start from the points: spopt's includes its distance matrix, Sentinelle's its KD-tree coverage.

Usage::

    bench/setup-spopt                      # once
    .venv/bin/python bench/siting_vs_spopt.py [--radius 150 300] [--spopt-time-limit 900]

Targets (issue 5): the same optimum where spopt proves one, at least 100 times faster; on the
300 m instance, within 60 s, an answer at least as good as the lazy greedy's with its gap.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from sentinelle.plan import CoverageMatrix, greedy_siting, solve_siting

HERE = Path(__file__).resolve().parent
SPOPT_PYTHON = HERE / ".venv-spopt" / "bin" / "python"
SEED = 20_250_611
N_DEMAND, N_SITES, SIDE_M, K = 20_000, 2_000, 7_000.0, 160


def make_instance(seed: int = SEED) -> dict[str, np.ndarray]:
    """Points, candidates and weights of the benchmark (the same for every radius)."""
    rng = np.random.default_rng(seed)
    return {
        "demand": rng.uniform(0, SIDE_M, (N_DEMAND, 2)),
        "sites": rng.uniform(0, SIDE_M, (N_SITES, 2)),
        "weights": rng.integers(1, 11, N_DEMAND).astype(np.float64),
    }


def coverage_within(inst: dict[str, np.ndarray], radius_m: float) -> CoverageMatrix:
    """Sparse coverage: candidate j covers point i when they are at most radius_m apart."""
    pairs = cKDTree(inst["demand"]).query_ball_tree(cKDTree(inst["sites"]), radius_m)
    rows = np.repeat(np.arange(N_DEMAND), [len(p) for p in pairs])
    cols = np.concatenate([np.asarray(p, dtype=np.int64) for p in pairs])
    matrix = sparse.csc_array(
        (np.ones(rows.size, dtype=bool), (rows, cols)), shape=(N_DEMAND, N_SITES)
    )
    return CoverageMatrix(matrix, inst["weights"])


def run_spopt(path: Path, radius_m: float, time_limit_s: float) -> dict:
    cmd = [str(SPOPT_PYTHON), str(HERE / "spopt_mclp.py"), str(path), str(radius_m), str(K)]
    cmd.append(str(time_limit_s))
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"spopt run failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_sentinelle(inst: dict[str, np.ndarray], radius_m: float, time_limit_s: float) -> dict:
    t0 = time.perf_counter()
    cov = coverage_within(inst, radius_m)
    t1 = time.perf_counter()
    result = solve_siting(cov, n_sites=K, time_limit_s=time_limit_s)
    t2 = time.perf_counter()
    greedy = greedy_siting(cov, n_sites=K)
    t3 = time.perf_counter()
    return {
        **result.to_dict(),
        "coverage_s": t1 - t0,
        "total_s": t2 - t0,
        "greedy_s": t3 - t2,
        "lazy_greedy_objective": greedy.objective,
        "nnz": int(cov.matrix.nnz),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--radius", type=float, nargs="+", default=[150.0, 300.0])
    parser.add_argument("--spopt-time-limit", type=float, default=900.0, help="CBC, seconds")
    parser.add_argument("--time-limit", type=float, default=60.0, help="Sentinelle, seconds")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    if not SPOPT_PYTHON.exists():
        raise SystemExit(f"{SPOPT_PYTHON} missing: run bench/setup-spopt first")
    args.out.mkdir(parents=True, exist_ok=True)
    inst = make_instance()
    path = args.out / "siting_instance.npz"
    np.savez(path, **inst)
    rows = []
    for radius_m in args.radius:
        print(f"--- {radius_m:g} m: spopt (CBC limit {args.spopt_time_limit:g} s)…", flush=True)
        anchor = run_spopt(path, radius_m, args.spopt_time_limit)
        print(json.dumps({k: v for k, v in anchor.items() if k != "selected"}), flush=True)
        print(f"--- {radius_m:g} m: Sentinelle (limit {args.time_limit:g} s)…", flush=True)
        ours = run_sentinelle(inst, radius_m, args.time_limit)
        print(json.dumps({k: v for k, v in ours.items() if k != "selected"}), flush=True)
        rows.append((radius_m, anchor, ours))
        (args.out / f"siting_{radius_m:g}m.json").write_text(
            json.dumps({"spopt": anchor, "sentinelle": ours}, indent=1)
        )

    print()
    head = (
        f"{'radius':>6} | {'spopt obj':>9} {'spopt s':>8} {'sol_status':>16} | "
        f"{'ours obj':>8} {'bound':>8} {'gap':>7} {'status':>10} {'ours s':>7} | "
        f"{'greedy':>8} | {'speed-up':>8}"
    )
    print(head)
    print("-" * len(head))
    for radius_m, anchor, ours in rows:
        spopt_obj = "none" if anchor["objective"] is None else f"{anchor['objective']:,.0f}"
        print(
            f"{radius_m:>5g}m | {spopt_obj:>9} {anchor['total_s']:>8.1f} "
            f"{anchor['sol_status']:>16} | {ours['objective']:>8,.0f} {ours['bound']:>8,.0f} "
            f"{ours['gap']:>7.3%} {ours['status']:>10} {ours['total_s']:>7.2f} | "
            f"{ours['lazy_greedy_objective']:>8,.0f} | {anchor['total_s'] / ours['total_s']:>7.0f}×"
        )
    for radius_m, anchor, ours in rows:
        proven = anchor["sol_status"] == "Optimal Solution Found"
        if proven:
            same = ours["objective"] == anchor["objective"] and ours["status"] == "optimal"
            fast = anchor["total_s"] / ours["total_s"] >= 100
            print(f"{radius_m:g} m: same proven optimum: {same}; at least 100× faster: {fast}")
        else:
            print(
                f"{radius_m:g} m: spopt did not prove an optimum (sol_status "
                f"{anchor['sol_status']!r}, PuLP status {anchor['status']!r}, "
                f"spopt's answer: {anchor['objective']}, error: {anchor.get('error')})"
            )
        print(
            f"{radius_m:g} m: Sentinelle within 60 s: {ours['total_s'] <= 60.5}; "
            f"at least the lazy greedy: {ours['objective'] >= ours['lazy_greedy_objective']}; "
            f"proven gap {ours['gap']:.3%}"
        )


if __name__ == "__main__":
    main()
