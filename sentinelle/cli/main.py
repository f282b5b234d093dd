"""The `sentinelle` command."""

from __future__ import annotations

import typer

from sentinelle import __version__
from sentinelle.cli import (
    analytics,
    audit,
    authorisations,
    basemap,
    cameras,
    compliance,
    coverage,
    db,
    demo,
    events,
    habilitations,
    plan,
    users,
    zones,
)
from sentinelle.cli import evaluate as evaluate_cli
from sentinelle.cli import export as export_cli
from sentinelle.cli import holds as holds_cli
from sentinelle.cli import logbook as logbook_cli
from sentinelle.cli import record as record_cli
from sentinelle.cli import requisitions as requisitions_cli
from sentinelle.cli import testcam as testcam_cli

app = typer.Typer(
    name="sentinelle",
    help="Sentinelle: plan, operate, account for and evaluate a city's video-protection network.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(cameras.app, name="cameras")
app.add_typer(zones.app, name="zones")
app.add_typer(authorisations.app, name="authorisations")
app.add_typer(evaluate_cli.app, name="evaluate")
app.add_typer(users.app, name="users")
app.add_typer(habilitations.app, name="habilitations")
app.add_typer(audit.app, name="audit")
app.add_typer(compliance.app, name="compliance")
app.command("demo")(demo.demo)
app.add_typer(basemap.app, name="basemap")
app.command("coverage")(coverage.coverage)
app.add_typer(plan.app, name="plan")
app.add_typer(record_cli.app, name="record")
app.add_typer(testcam_cli.app, name="testcam")
app.add_typer(logbook_cli.log_app, name="log")
app.add_typer(logbook_cli.tickets_app, name="tickets")
app.add_typer(export_cli.app, name="export")
app.add_typer(requisitions_cli.app, name="requisitions")
app.add_typer(holds_cli.app, name="holds")
app.add_typer(analytics.app, name="analytics")
_ = events  # registers basis, alerts, decide… on the analytics app


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sentinelle {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    """Settings come from SENTINELLE_HOME and SENTINELLE_DATABASE_URL."""


if __name__ == "__main__":
    app()
