"""`sentinelle plan`: where the next cameras go."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from sentinelle.cli.common import console, err_console, errors_to_exit, print_json
from sentinelle.errors import InputError
from sentinelle.plan import (
    CoverageMatrix,
    SitingResult,
    SitingStatus,
    load_array,
    load_coverage_npz,
    solve_siting,
)

app = typer.Typer(help="Planning: where the next cameras go.", no_args_is_help=True)

INFEASIBLE_EXIT = 3
"""Exit code when the group minimums cannot be met (the result is still printed)."""


@app.command("solve")
def solve(
    coverage: Annotated[
        Path,
        typer.Option(
            "--coverage",
            help="Coverage matrix saved with scipy.sparse.save_npz: rows = demand points, "
            "columns = candidate sites, non-zero = the site covers the point.",
        ),
    ],
    weights: Annotated[Path, typer.Option("--weights", help=".npy: one weight (>= 0) per row.")],
    sites: Annotated[
        int | None,
        typer.Option(
            "--sites",
            help="K, the number of NEW sites (fixed sites not counted). "
            "Optional with --costs/--budget, where it caps the count.",
        ),
    ] = None,
    fixed: Annotated[
        Path | None,
        typer.Option("--fixed", help=".npy: column indices of sites already equipped (kept)."),
    ] = None,
    costs: Annotated[
        Path | None, typer.Option("--costs", help=".npy: one cost per column.")
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option("--budget", help="Maximum total cost of the new sites (with --costs)."),
    ] = None,
    groups: Annotated[
        Path | None,
        typer.Option("--groups", help=".npy: group index per row (-1: none), e.g. each QPV."),
    ] = None,
    group_min: Annotated[
        Path | None,
        typer.Option("--group-min", help=".npy: per group, the minimum share (0-1) to cover."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.0, help="Seconds for the whole solve.")
    ] = 60.0,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Choose new camera sites that cover the most demand weight, with a proven bound.

    Exit status: 0 with an answer, 2 on bad input, 3 when the group minimums cannot be met.
    """
    with errors_to_exit():
        matrix = load_coverage_npz(coverage, name="--coverage")
        cov = CoverageMatrix(matrix, load_array(weights, name="--weights"))
        fixed_cols = np.zeros(0, dtype=np.int64) if fixed is None else _load(fixed, "--fixed")
        if (costs is None) != (budget is None):
            missing = "--budget" if budget is None else "--costs"
            msg = f"{missing}: required when {'--costs' if budget is None else '--budget'} is given"
            raise InputError(msg)
        if (groups is None) != (group_min is None):
            missing = "--group-min" if group_min is None else "--groups"
            given = "--groups" if group_min is None else "--group-min"
            msg = f"{missing}: required when {given} is given"
            raise InputError(msg)
        with err_console.status("Solving the siting problem…"):
            result = solve_siting(
                cov,
                n_sites=sites,
                fixed=fixed_cols,
                costs=None if costs is None else _load(costs, "--costs"),
                budget=budget,
                groups=None if groups is None else _load(groups, "--groups"),
                group_min_share=None if group_min is None else _load(group_min, "--group-min"),
                time_limit_s=time_limit,
            )
    if json_output:
        print_json(result.to_dict())
    else:
        _print_summary(result)
    if result.status == SitingStatus.infeasible:
        err_console.print(f"[bold red]infeasible:[/] {result.message}", highlight=False)
        raise typer.Exit(INFEASIBLE_EXIT)


def _load(path: Path, name: str) -> np.ndarray:
    return load_array(path, name=name)


def _fmt(value: float | None, *, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}" if value != round(value) else f"{value:,.0f}"


def _print_summary(result: SitingResult) -> None:
    table = Table(title="Camera siting", show_header=False, title_justify="left")
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("Status", result.status.value)
    share = result.covered_share
    covered = _fmt(result.objective)
    if share is not None:
        covered += f"  ({share:.1%} of {_fmt(result.total_weight)})"
    table.add_row("Covered weight", covered)
    table.add_row("Proven bound", _fmt(result.bound))
    table.add_row("Gap", "—" if result.gap is None else f"{result.gap:.3%}")
    table.add_row("Greedy", _fmt(result.greedy_objective))
    table.add_row("New sites", str(len(result.selected)))
    if result.fixed:
        table.add_row("Fixed sites", str(len(result.fixed)))
    if result.cost is not None:
        table.add_row("Cost of new sites", _fmt(result.cost, digits=2))
    if result.group_shares:
        worst = min(range(len(result.group_shares)), key=result.group_shares.__getitem__)
        table.add_row("Groups", f"lowest share {result.group_shares[worst]:.1%} (group {worst})")
    table.add_row("Answer from", result.source)
    table.add_row("Reduced model", f"{result.model_rows:,} rows × {result.model_columns:,} sites")
    table.add_row("Time", f"{result.seconds:.2f} s")
    console.print(table)
    console.print(result.message, highlight=False)
    if result.selected:
        console.print("Selected sites (columns): " + ", ".join(map(str, result.selected)))
