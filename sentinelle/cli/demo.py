"""`sentinelle demo`: the Rennes demo city."""

from __future__ import annotations

import typer
from rich.table import Table

from sentinelle.cli.common import console, errors_to_exit, get_database, get_settings
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
        registry = Registry(get_database(settings))
        with console.status("Building the Rennes demo…"):
            report = rennes.build_registry(registry)
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
    if not no_serve:
        serve(host=host, port=port, settings=settings)


def serve(*, host: str, port: int, settings) -> None:
    """Serve the web app (blocks until interrupted)."""
    import uvicorn

    from sentinelle.web import create_app

    app = create_app(settings)
    console.print(f"Sentinelle: http://{host}:{port}/", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")
