"""Anchor side of bench/siting_vs_spopt.py: spopt's MCLP with PuLP/CBC on a saved instance.

Runs in bench/.venv-spopt (see bench/setup-spopt), not in Sentinelle's environment. Prints one
JSON object on stdout: objective (covered weight of spopt's choice, recomputed here), the
selected sites, PuLP's status and sol_status, and the time of each step.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import pulp
from scipy.spatial.distance import cdist
from spopt.locate import MCLP


def main() -> None:
    path, radius_m, n_sites, time_limit_s = (
        sys.argv[1],
        float(sys.argv[2]),
        int(sys.argv[3]),
        float(sys.argv[4]),
    )
    data = np.load(path)
    demand, sites, weights = data["demand"], data["sites"], data["weights"]
    t0 = time.perf_counter()
    cost = cdist(demand, sites)
    t1 = time.perf_counter()
    mclp = MCLP.from_cost_matrix(
        cost, weights, service_radius=radius_m, p_facilities=n_sites, name="bench"
    )
    t2 = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s)
    error = None
    try:
        mclp = mclp.solve(solver)
    except RuntimeError as exc:  # spopt raises when PuLP's status is not "Optimal"
        error = str(exc)
    t3 = time.perf_counter()
    found = mclp.problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    selected = [j for j, var in enumerate(mclp.fac_vars) if found and (var.value() or 0) > 0.5]
    covered = (cost[:, selected] <= radius_m).any(axis=1) if selected else np.zeros(len(demand))
    print(
        json.dumps(
            {
                "objective": float(weights[covered].sum()) if found else None,
                "selected": selected,
                "status": pulp.LpStatus[mclp.problem.status],
                "sol_status": pulp.LpSolution[mclp.problem.sol_status],
                "distance_s": t1 - t0,
                "build_s": t2 - t1,
                "solve_s": t3 - t2,
                "total_s": t3 - t0,
                "time_limit_s": time_limit_s,
                "error": error,
            }
        )
    )


if __name__ == "__main__":
    main()
