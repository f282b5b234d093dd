"""`sentinelle demo`: the Rennes demo city."""

from __future__ import annotations

import typer
from rich.table import Table

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.access.bootstrap import ensure_demo_accounts
from sentinelle.cli.common import console, errors_to_exit, get_database, get_keys, get_settings
from sentinelle.demo import rennes
from sentinelle.registry.store import Registry


def demo(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve the web app on"),
    port: int = typer.Option(8000, "--port", help="Port to serve the web app on"),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build and print, do not serve"),
) -> None:
    """Build the Rennes demo in SENTINELLE_HOME (idempotent), print it, then serve the web app."""
    with errors_to_exit():
        settings = get_settings()
        keys = get_keys(settings)
        registry = Registry(get_database(settings), keys=keys)
        with console.status("Building the Rennes demo…"):
            report = rennes.build_registry(registry)
        if report.built:
            AuditLog(registry.db, keys).record(
                actor=Actor.cli(), action="import", object_type="demo", object_id="rennes",
                details={"cameras": report.cameras, "zones": report.zones},
            )
        accounts = ensure_demo_accounts(registry.db, keys)
    where = settings.home
    if report.built:
        console.print(f"Rennes demo built in {where}")
    else:
        console.print(f"Rennes demo already in place in {where}: nothing imported")
    t = Table(title="Rennes demo registry")
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_row("cameras (assumed multi-sensor units at 9 reported sites)", str(report.cameras))
    for kind, n in sorted(report.zones.items()):
        t.add_row(f"zones: {kind}", str(n))
    console.print(t)
    console.print(f"[yellow]{rennes.HONESTY_NOTE_EN}[/]")
    console.print(rennes.ATTRIBUTION)
    for acc in accounts:
        console.print(f"demo account [bold]{acc.username}[/] ({acc.role.value}), password "
                      f"(shown once): [bold]{acc.password}[/]", highlight=False)
    if not accounts:
        console.print("demo accounts already exist (`sentinelle users passwd NAME` resets one)")
    if not no_serve:
        console.print("[yellow]The web app comes with the issue «Rennes demo and public map».[/]")
