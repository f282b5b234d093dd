"""`sentinelle evaluate`: effects on crime, displacement, power, staggered panels, usefulness."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sentinelle.cli.common import console, err_console, errors_to_exit, print_json
from sentinelle.errors import InputError
from sentinelle.evaluate.counts import read_counts
from sentinelle.evaluate.displacement import WDQ_TEXT, estimate_displacement
from sentinelle.evaluate.effects import EffectEstimate, estimate_effects
from sentinelle.evaluate.panel import read_panel
from sentinelle.evaluate.power import (
    DEFAULT_POWER,
    DEFAULT_TARGET_REDUCTION_PCT,
    DetectableEffect,
    detectable_effects,
)
from sentinelle.evaluate.staggered import (
    DEFAULT_POST_MONTHS,
    DEFAULT_PRE_MONTHS,
    estimate_staggered,
)
from sentinelle.evaluate.usefulness import (
    REFERENCE_GENDARMERIE,
    CostBasis,
    Share,
    estimate_usefulness,
    read_cases,
)

app = typer.Typer(
    help="Evaluate the cameras: effect on crime from before/after counts (Campbell-review "
    "methods: effects, displacement, power) or from an area x month panel (staggered "
    "difference-in-differences), usefulness to investigations, and the evaluation report.",
    no_args_is_help=True,
)

CountsOpt = Annotated[
    Path,
    typer.Option(
        "--counts",
        help="CSV with columns area, treated_before, treated_after, control_before, "
        "control_after; optionally buffer_before, buffer_after, buffer_control_before, "
        "buffer_control_after (displacement) and harm_weight.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
AlphaOpt = Annotated[
    float, typer.Option("--alpha", help="1 - confidence level (0.05 gives 95 % intervals).")
]
OverdispersionOpt = Annotated[
    float,
    typer.Option(
        "--overdispersion",
        help="Factor D >= 1 multiplying var(ln OR); 1 assumes Poisson counts.",
    ),
]


def parse_weights(text: str | None, n: int, option: str, names: str) -> tuple[float, ...] | None:
    """``"3,6"`` → ``(3.0, 6.0)``: ``n`` positive numbers separated by commas, or raise."""
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != n or not all(v > 0 and v != float("inf") for v in values):
        msg = f"{option}: expected {n} positive numbers {names} separated by commas, got {text!r}"
        raise InputError(msg)
    return values


def _ci(e: EffectEstimate) -> str:
    return f"{e.ci_low:.2f} – {e.ci_high:.2f}"


def _signed_pct(x: float) -> str:
    return f"{x:+.0f} %"


def _reading(e: EffectEstimate, pct: int) -> str:
    lo, hi = e.percent_change_interval
    change = (
        f"crime changed by {_signed_pct(e.percent_change)} ({pct} % CI {_signed_pct(lo)} to "
        f"{_signed_pct(hi)}) in the treated areas relative to their controls"
    )
    if e.ci_low > 1:
        return f"{change}: a significant fall."
    if e.ci_high < 1:
        return f"{change}: a significant rise."
    return f"{change}: the interval includes no change, so these data cannot conclude."


def _save_plot(draw: Any, result: Any, plot: Path) -> None:
    """Write a figure for `--plot`; an unwritable path is an input error naming it."""
    try:
        draw(result, path=plot)
    except OSError as exc:
        msg = f"--plot {plot}: cannot write the figure ({exc.strerror or exc})"
        raise InputError(msg) from None


@app.command("effects")
def effects(
    counts: CountsOpt,
    json_out: JsonOpt = False,
    alpha: AlphaOpt = 0.05,
    overdispersion: OverdispersionOpt = 1.0,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the forest plot to this file (PNG).", metavar="FILE"),
    ] = None,
) -> None:
    """Relative effect size (odds ratio) per area, pooled by fixed and random effects.

    OR = (a*d)/(b*c) with a, b the treated area before/after and c, d its control: OR > 1 means
    crime fell in the treated area relative to its control.
    """
    with errors_to_exit():
        result = estimate_effects(read_counts(counts), alpha=alpha, overdispersion=overdispersion)
        if plot is not None:
            from sentinelle.evaluate.plots import forest_plot

            _save_plot(forest_plot, result, plot)
        if json_out:
            print_json(result.to_json())
            if plot is not None:
                err_console.print(f"forest plot written to {plot}", highlight=False)
            return
        pct = round((1 - result.alpha) * 100)
        table = Table(title=f"Relative effect sizes ({counts.name})")
        table.add_column("area")
        table.add_column("OR", justify="right")
        table.add_column(f"{pct} % CI", justify="right")
        table.add_column("change", justify="right")
        table.add_column("weight", justify="right")
        table.add_column("note")
        for e in result.areas:
            table.add_row(
                e.label,
                f"{e.odds_ratio:.2f}",
                _ci(e),
                _signed_pct(e.percent_change),
                f"{e.weight_pct:.1f} %",
                "zero count: 0.5 added" if e.continuity_correction else "",
            )
        table.add_section()
        for e in (result.fixed, result.random):
            table.add_row(
                f"[bold]{e.label}[/]", f"{e.odds_ratio:.2f}", _ci(e), _signed_pct(e.percent_change)
            )
        console.print(table)
        i2 = "undefined (one area)" if result.i2 is None else f"{result.i2:.0f} %"
        q_p = "" if result.q_p_value is None else f", p = {result.q_p_value:.3f}"
        console.print(
            f"Heterogeneity: Q = {result.q:.2f} on {result.df} df{q_p}; I² = {i2}; "
            f"tau² = {result.tau2:.4f}.",
            highlight=False,
        )
        console.print(f"Random effects: {_reading(result.random, pct)}", highlight=False)
        if result.overdispersion != 1:
            console.print(
                f"Variances multiplied by the overdispersion factor D = {result.overdispersion:g}.",
                highlight=False,
            )
        if plot is not None:
            console.print(f"Forest plot written to {plot}", highlight=False)


@app.command("displacement")
def displacement(
    counts: CountsOpt,
    time_weights: Annotated[
        str | None,
        typer.Option(
            "--time-weights",
            help="Lengths of the before and after periods, PRE,POST (e.g. 12,6 months).",
            metavar="PRE,POST",
        ),
    ] = None,
    area_weights: Annotated[
        str | None,
        typer.Option(
            "--area-weights",
            help="Weights of the treated, control, buffer and buffer-control areas (e.g. km²).",
            metavar="T,C,B,BC",
        ),
    ] = None,
    json_out: JsonOpt = False,
    alpha: AlphaOpt = 0.05,
) -> None:
    """Weighted displacement difference (WDD) and, with a buffer, quotient (WDQ).

    WDD = (T_after - T_before) - (C_after - C_before) + (B_after - B_before)
    - (BC_after - BC_before), with Poisson variance; negative means a net fall.
    """
    with errors_to_exit():
        tw = parse_weights(time_weights, 2, "--time-weights", "PRE,POST") or (1.0, 1.0)
        aw = parse_weights(area_weights, 4, "--area-weights", "T,C,B,BC") or (1.0,) * 4
        table_in = read_counts(counts)
        result = estimate_displacement(table_in, alpha=alpha, time_weights=tw, area_weights=aw)
        if json_out:
            print_json(result.to_json())
            return
        weighted = time_weights is not None or area_weights is not None or table_in.has_harm_weight
        unit = "weighted incidents" if weighted else "incidents"
        table = Table(title=f"Weighted displacement difference ({counts.name})")
        table.add_column("area")
        table.add_column("WDD", justify="right")
        table.add_column("variance", justify="right")
        for r in result.rows:
            table.add_row(r.area, f"{r.wdd:+.1f}", f"{r.variance:.1f}")
        table.add_section()
        table.add_row("[bold]total[/]", f"{result.wdd:+.1f}", f"{result.variance:.1f}")
        console.print(table)
        pct = round((1 - result.alpha) * 100)
        scope = "treated area and buffer" if result.has_buffer else "treated area (no buffer)"
        verdict = (
            "a significant net fall"
            if result.ci_high < 0
            else "a significant net rise"
            if result.ci_low > 0
            else "not significant: these data cannot tell a net change from chance"
        )
        console.print(
            f"WDD = {result.wdd:+.1f} {unit} ({scope}, relative to the controls); "
            f"{pct} % CI {result.ci_low:+.1f} to {result.ci_high:+.1f}; z = {result.z:.2f}, "
            f"p = {result.p_value:.3f}: {verdict}.",
            highlight=False,
        )
        if not result.has_buffer:
            console.print("WDQ: no buffer columns, so no displacement quotient.", highlight=False)
        else:
            assert result.wdq_reading is not None
            wdq = "undefined" if result.wdq is None else f"{result.wdq:.2f}"
            console.print(
                f"WDQ = {wdq}: {WDQ_TEXT[result.wdq_reading]} (Bowers & Johnson 2003; "
                "no interval).",
                highlight=False,
            )


def _power_row(e: DetectableEffect) -> tuple[str, ...]:
    return (
        f"{e.mde_odds_ratio:.2f}",
        f"{e.mde_reduction_pct:.0f} %",
        f"{e.power_at_target * 100:.0f} %",
        "yes" if e.can_answer else "no",
    )


@app.command("power")
def power(
    counts: CountsOpt,
    json_out: JsonOpt = False,
    alpha: AlphaOpt = 0.05,
    power_level: Annotated[
        float, typer.Option("--power", help="Power asked for (0.8 is 80 %).")
    ] = DEFAULT_POWER,
    overdispersion: OverdispersionOpt = 1.0,
    target_reduction: Annotated[
        float,
        typer.Option(
            "--target-reduction",
            help="The fall of crime (percent) one wants to detect; default: the average over "
            "41 evaluations in Welsh & Farrington (2009).",
        ),
    ] = DEFAULT_TARGET_REDUCTION_PCT,
) -> None:
    """Smallest effect these counts could detect, per area and pooled, and whether they can answer.

    Minimal detectable ln OR = (z_{1-alpha/2} + z_{power}) * sqrt(var), var = D(1/a+1/b+1/c+1/d)
    per area and the variance of the pooled estimate over areas.
    """
    with errors_to_exit():
        result = detectable_effects(
            read_counts(counts),
            alpha=alpha,
            power=power_level,
            overdispersion=overdispersion,
            target_reduction_pct=target_reduction,
        )
        if json_out:
            print_json(result.to_json())
            return
        target = f"{result.target_reduction_pct:g} %"
        table = Table(
            title=f"Smallest detectable effect, {result.power * 100:.0f} % power, alpha = "
            f"{result.alpha:g} ({counts.name})"
        )
        table.add_column("area")
        table.add_column("smallest OR", justify="right")
        table.add_column("smallest fall", justify="right")
        table.add_column(f"power at {target}", justify="right")
        table.add_column("can detect it")
        for e in result.areas:
            note = " (zero count)" if e.continuity_correction else ""
            table.add_row(e.label + note, *_power_row(e))
        table.add_section()
        table.add_row("[bold]fixed effect[/]", *_power_row(result.fixed))
        table.add_row("[bold]random effects[/]", *_power_row(result.random))
        console.print(table)
        for line in result.verdict():
            console.print(line, highlight=False)


@app.command("panel")
def panel(
    panel_file: Annotated[
        Path,
        typer.Option(
            "--panel",
            help="CSV with columns area, period (YYYY-MM), count and, for equipped areas, "
            "treated_from (YYYY-MM, the first month with cameras; empty for control areas).",
            show_default=False,
        ),
    ],
    json_out: JsonOpt = False,
    alpha: AlphaOpt = 0.05,
    pre: Annotated[
        int, typer.Option("--pre", help="Months before installation shown and tested.")
    ] = DEFAULT_PRE_MONTHS,
    post: Annotated[
        int, typer.Option("--post", help="Months after installation shown in the event study.")
    ] = DEFAULT_POST_MONTHS,
    bin_months: Annotated[
        int, typer.Option("--bin", help="Months per event-study bin (3: quarters).")
    ] = 1,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the event-study plot to this file (PNG).",
                     metavar="FILE"),
    ] = None,
) -> None:
    """Staggered difference-in-differences on an area x month panel, with an event study.

    Poisson imputation (Borusyak-Jaravel-Spiess; Wooldridge): area and month effects fitted on
    untreated area-months (never- and not-yet-treated areas), counterfactual imputed for treated
    ones. ATT and event study are rate ratios: < 1 means fewer incidents than without cameras.
    """
    with errors_to_exit():
        result = estimate_staggered(
            read_panel(panel_file),
            alpha=alpha,
            pre_months=pre,
            post_months=post,
            bin_months=bin_months,
        )
        if plot is not None:
            from sentinelle.evaluate.plots import event_study_plot

            _save_plot(event_study_plot, result, plot)
        if json_out:
            print_json(result.to_json())
            if plot is not None:
                err_console.print(f"event-study plot written to {plot}", highlight=False)
            return
        pct = round((1 - result.alpha) * 100)
        unit = "month" if result.bin_months == 1 else f"{result.bin_months}-month bin"
        table = Table(title=f"Event study ({panel_file.name}); rel_period in {unit}s")
        table.add_column("rel_period", justify="right")
        table.add_column("rate ratio", justify="right")
        table.add_column(f"{pct} % CI", justify="right")
        table.add_column("change", justify="right")
        table.add_column("treated areas", justify="right")
        for e in result.event_study:
            est = e.estimate
            table.add_row(
                str(e.rel_period),
                f"{est.ratio:.2f}",
                f"{est.ci_low:.2f} – {est.ci_high:.2f}",
                _signed_pct(est.percent_change),
                str(est.n_areas),
            )
        console.print(table)
        att = result.att
        lo, hi = att.percent_change_interval
        verdict = (
            "a significant fall"
            if att.ci_high < 1
            else "a significant rise"
            if att.ci_low > 1
            else "the interval includes no change, so these data cannot conclude"
        )
        console.print(
            f"ATT = {att.ratio:.3f} (rate ratio; {pct} % CI {att.ci_low:.3f} to "
            f"{att.ci_high:.3f}): incidents changed by {_signed_pct(att.percent_change)} "
            f"({_signed_pct(lo)} to {_signed_pct(hi)}) in {result.n_treated} treated areas "
            f"against {result.n_areas - result.n_treated} areas as controls: {verdict}.",
            highlight=False,
        )
        pt = result.pretrend
        if pt.p_value is None:
            console.print(f"Pre-trend test unavailable: {pt.reason}.", highlight=False)
        else:
            flag = (
                "pre-trend detected: the treated areas already moved differently before cameras"
                if pt.p_value < 0.05
                else "no pre-trend detected"
            )
            kind = "joint F" if pt.kind == "F" else "linear pre-trend, too few areas for joint"
            console.print(f"Pre-trend test ({kind}): p = {pt.p_value:.3f}, {flag}.",
                          highlight=False)
        for note in result.notes:
            console.print(f"Note: {note}", highlight=False)
        if result.synthetic:
            console.print("[yellow]Synthetic incidents (demo): not real crime data.[/]")
        if plot is not None:
            console.print(f"Event-study plot written to {plot}", highlight=False)


def _share(s: Share) -> str:
    if s.share is None:
        return "–"
    lo, hi = s.interval or (0.0, 0.0)
    return f"{s.count}/{s.total} = {s.share * 100:.1f} % ({lo * 100:.1f}–{hi * 100:.1f})"


def _eur(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f} EUR"


@app.command("usefulness")
def usefulness(
    cases: Annotated[
        Path,
        typer.Option(
            "--cases",
            help="CSV with columns case_id, date, category, solved, footage_requested, "
            "footage_available, footage_useful and optionally camera_ids (separated by ; or |).",
            show_default=False,
        ),
    ],
    json_out: JsonOpt = False,
    annual_cost: Annotated[
        float | None,
        typer.Option(
            "--annual-cost",
            help="Annual cost of the network in euros (investment annualised plus operation), "
            "to price a useful case. The master plan's costing will be usable when it exists.",
            metavar="EUR",
        ),
    ] = None,
    years: Annotated[
        float | None,
        typer.Option(
            "--years",
            help="Years the cases cover (default: from the first to the last case date).",
        ),
    ] = None,
    alpha: AlphaOpt = 0.05,
) -> None:
    """Share of investigations where footage was requested, available, useful; per category,
    per camera; cost per useful case."""
    with errors_to_exit():
        if annual_cost is None and years is not None:
            msg = "--years needs --annual-cost (it only serves to price a useful case)"
            raise InputError(msg)
        cost = None if annual_cost is None else CostBasis(annual_cost, "given", years)
        result = estimate_usefulness(read_cases(cases), cost=cost, alpha=alpha)
        if json_out:
            print_json(result.to_json())
            return
        o = result.overall
        pct = round((1 - alpha) * 100)
        t = Table(title=f"Usefulness of footage ({cases.name}, {o.cases} investigations, "
                  f"{result.first_date} to {result.last_date}); shares with {pct} % CI")
        t.add_column("figure")
        t.add_column("value", justify="right")
        t.add_row("footage requested", _share(o.requested))
        t.add_row("footage available", _share(o.available))
        t.add_row("footage useful", _share(o.useful))
        t.add_row("available when requested", _share(o.available_when_requested))
        t.add_row("useful when available", _share(o.useful_when_available))
        t.add_row("solved cases it helped", _share(o.solved_helped))
        console.print(t)
        c = Table(title="Per crime category")
        for col in ("category", "cases", "requested", "useful", "solved cases helped"):
            c.add_column(col, justify="left" if col == "category" else "right")
        for f in result.by_category:
            c.add_row(f.label, str(f.cases), _share(f.requested), _share(f.useful),
                      _share(f.solved_helped))
        console.print(c)
        if result.by_camera:
            k = Table(title="Per camera (a case counts for each camera it names)")
            for col in ("camera", "cases", "available", "useful"):
                k.add_column(col, justify="left" if col == "camera" else "right")
            for f in result.by_camera:
                k.add_row(f.label, str(f.cases), str(f.available.count), str(f.useful.count))
            console.print(k)
        if result.cost is not None:
            cp = result.cost
            console.print(
                f"Cost: {_eur(cp.annual_cost_eur)} a year × {cp.years:.2f} years = "
                f"{_eur(cp.total_eur)} ({cp.source}); per useful case "
                f"{_eur(cp.per_useful_case_eur)}; per solved case helped "
                f"{_eur(cp.per_solved_helped_eur)}.",
                highlight=False,
            )
        ref = REFERENCE_GENDARMERIE
        console.print(
            f"Reference: footage helped solve {ref['solved_helped']} of {ref['cases']} gendarmerie "
            f"investigations ({ref['share'] * 100:.2f} %; Gormand 2021).",
            highlight=False,
        )


@app.command("report")
def report(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the report (HTML, PDF, figures, evaluation.json); default "
            "SENTINELLE_HOME/evaluation, which the web app's evaluation page shows.",
            metavar="DIR",
        ),
    ] = None,
    panel_file: Annotated[
        Path | None,
        typer.Option("--panel", help="Area x month panel CSV (instead of incidents).",
                     metavar="FILE"),
    ] = None,
    incidents_file: Annotated[
        Path | None,
        typer.Option(
            "--incidents",
            help="Incidents (CSV date,category,lon,lat or date,category,zone; or GeoJSON); "
            "areas are drawn from the registry's cameras, controls matched.",
            metavar="FILE",
        ),
    ] = None,
    cases_file: Annotated[
        Path | None,
        typer.Option("--cases", help="Investigations CSV (see `evaluate usefulness`).",
                     metavar="FILE"),
    ] = None,
    control_zones: Annotated[
        str | None,
        typer.Option(
            "--control-zones",
            help="With --incidents: control areas chosen by the user, as registry zone names "
            "separated by commas (default: controls matched on pre-period counts and zone "
            "type).",
            metavar="NAMES",
        ),
    ] = None,
    annual_cost: Annotated[
        float | None,
        typer.Option("--annual-cost", help="Annual cost of the network in euros.",
                     metavar="EUR"),
    ] = None,
    bin_months: Annotated[
        int, typer.Option("--bin", help="Months per event-study bin (3: quarters).")
    ] = 3,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the synthetic demo set (no input given).")
    ] = 20_100_301,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Write HTML only.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """The evaluation report in French (HTML and PDF), with its figures and JSON.

    With neither --panel nor --incidents, evaluates the demo registry on a SYNTHETIC incident
    set (Rennes publishes no geolocated offences), said on every page.
    """
    from sentinelle.cli.common import get_database, get_settings
    from sentinelle.evaluate.areas import chosen_controls
    from sentinelle.evaluate.report import write_report
    from sentinelle.evaluate.study import areas_from_registry, demo_study, run_study

    with errors_to_exit():
        settings = get_settings()
        out_dir = out or settings.home / "evaluation"
        if panel_file is not None and incidents_file is not None:
            msg = "give --panel or --incidents, not both"
            raise InputError(msg)
        cost = None if annual_cost is None else CostBasis(annual_cost, "given")
        cases = read_cases(cases_file) if cases_file is not None else None
        if panel_file is not None:
            study = run_study(place="la ville", panel=read_panel(panel_file), cases=cases,
                              cost=cost, bin_months=bin_months,
                              sources=[f"Panel : {panel_file.name}"])
        elif incidents_file is not None:
            import numpy as np
            import shapely

            from sentinelle.adapters.basemap_store import BasemapStore
            from sentinelle.evaluate.incidents import read_incidents
            from sentinelle.geo.crs import MetricFrame
            from sentinelle.registry.store import Registry

            db = get_database(settings)
            registry = Registry(db)
            zones = registry.zones()
            by_name = {z.name: z.geometry for z in zones}
            by_name |= {z.code: z.geometry for z in zones if getattr(z, "code", None)}
            incidents = read_incidents(incidents_file, zones=by_name)
            cameras = registry.cameras()
            if not cameras:
                msg = "the registry has no cameras: import them first (`sentinelle cameras`)"
                raise InputError(msg)
            basemap = BasemapStore(db).load()
            if basemap is not None:
                frame = basemap.frame
            else:
                frame = MetricFrame.for_bounds(tuple(shapely.bounds(
                    shapely.multipoints([(c.lon, c.lat) for c in cameras])).tolist()))
            qpv_geoms = [z.geometry for z in zones if z.kind.value == "qpv"]
            qpv = (shapely.union_all(frame.project(np.array(qpv_geoms, dtype=object)))
                   if qpv_geoms else None)
            controls = None
            if control_zones:
                controls = chosen_controls(zones, control_zones, frame)
            area_set = areas_from_registry(cameras, basemap=basemap, frame=frame,
                                           incidents=incidents, qpv=qpv, controls=controls)
            study = run_study(place="la ville", incidents=incidents, area_set=area_set,
                              cases=cases, cost=cost, bin_months=bin_months,
                              streets=None if basemap is None else basemap.streets,
                              sources=[f"Incidents : {incidents_file.name}"])
        else:
            err_console.print(
                "[yellow]No --panel or --incidents: evaluating the demo registry on a "
                "SYNTHETIC incident set (not real crime data).[/]"
            )
            with console.status("Building the synthetic evaluation…"):
                study = demo_study(get_database(settings), seed=seed, annual_cost_eur=annual_cost,
                                   bin_months=bin_months)
        with console.status("Writing the report…"):
            files = write_report(study, out_dir, pdf=not no_pdf)
        if json_out:
            print_json({"html": str(files.html), "pdf": None if files.pdf is None
                        else str(files.pdf), "json": str(files.json),
                        "figures": [str(f) for f in files.figures],
                        "synthetic": study.synthetic, **study.staggered.to_json()})
            return
        att = study.staggered.att
        console.print(
            f"ATT {_signed_pct(att.percent_change)} (95 % CI "
            f"{_signed_pct(att.percent_change_interval[0])} to "
            f"{_signed_pct(att.percent_change_interval[1])}), {study.staggered.n_treated} "
            f"treated areas, {study.staggered.n_areas - study.staggered.n_treated} controls.",
            highlight=False,
        )
        if study.synthetic:
            console.print("[yellow]Synthetic incidents: this is a demonstration, not an "
                          "evaluation of real cameras.[/]")
        console.print(f"Report: {files.html}", highlight=False)
        if files.pdf is not None:
            console.print(f"PDF: {files.pdf}", highlight=False)
