"""`sentinelle demo`: the Rennes demo city."""

from __future__ import annotations

import typer
from rich.table import Table

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.bootstrap import ensure_demo_accounts
from sentinelle.cli.common import console, errors_to_exit, get_database, get_keys, get_settings
from sentinelle.demo import rennes
from sentinelle.demo.recording import demo_recording
from sentinelle.settings import Settings


def demo(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve the web app on"),
    port: int = typer.Option(8000, "--port", help="Port to serve the web app on"),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build and print, do not serve"),
) -> None:
    """Build the Rennes demo in SENTINELLE_HOME (idempotent), print its coverage per QPV and quartier, then serve the web app."""  # noqa: E501
    from sentinelle.web.view import build_view

    with errors_to_exit():
        settings = get_settings()
        keys = get_keys(settings)
        db = get_database(settings)
        with console.status("Building the Rennes demo (registry, base map)…"):
            report = rennes.build_demo(db, keys=keys)
        if report.built:
            AuditLog(db, keys).record(
                actor=Actor.cli(), action="import", object_type="demo", object_id="rennes",
                details={"cameras": report.cameras, "zones": report.zones},
            )
            console.print(f"Rennes demo built in {settings.home}")
        else:
            console.print(f"Rennes demo already in place in {settings.home}: nothing imported")
        accounts = ensure_demo_accounts(db, keys)
        with console.status("Computing visibility and coverage…"):
            view = build_view(db, keys=keys)
    cov = view.coverage_report
    net = cov["network"]
    console.print(
        f"{report.cameras} cameras in service (assumed multi-sensor units at 9 reported sites); "
        f"zones: {', '.join(f'{n} {k}' for k, n in sorted(report.zones.items()))}"
    )
    console.print(
        f"Street coverage of the network: {net['covered_m'] / 1000:.1f} km of "
        f"{net['street_m'] / 1000:.1f} km ({net['covered_pct']:.2f} %), "
        f"{net['intersections_covered']} of {net['intersections']} intersections; "
        f"occlusion from {cov['source']}, level: observe (head lens, EN 62676-4)"
    )
    for kind, title in (("qpv", "QPV (quartiers prioritaires)"), ("quartier", "Quartiers")):
        t = Table(title=f"Street coverage — {title}")
        t.add_column("zone")
        t.add_column("streets km", justify="right")
        t.add_column("covered m", justify="right")
        t.add_column("covered %", justify="right")
        t.add_column("cameras", justify="right")
        for z in (z for z in cov["zones"] if z["kind"] == kind):
            t.add_row(z["name"], f"{z['street_m'] / 1000:.1f}", f"{z['covered_m']:.0f}",
                      f"{z['covered_pct']:.2f}", str(z["cameras"]))
        console.print(t)
    console.print(f"[yellow]{rennes.HONESTY_NOTE_EN}[/]")
    console.print(rennes.ATTRIBUTION)
    for acc in accounts:
        console.print(f"demo account [bold]{acc.username}[/] ({acc.role.value}), password "
                      f"(shown once): [bold]{acc.password}[/]", highlight=False)
    if not accounts:
        console.print("demo accounts already exist (`sentinelle users passwd NAME` resets one)")
    if not no_serve:
        with demo_recording(settings, db, echo=console.print):
            serve(host=host, port=port, settings=settings)


def serve(*, host: str, port: int, settings: Settings) -> None:
    """Serve the web app (blocks until interrupted)."""
    import uvicorn

    from sentinelle.web import create_app

    app = create_app(settings)
    console.print(f"Sentinelle: http://{host}:{port}/", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")
