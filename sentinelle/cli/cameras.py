"""`sentinelle cameras`: the camera registry."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from sentinelle.access.audit import Actor
from sentinelle.access.registry_changes import import_cameras_audited
from sentinelle.cli import geometry as geometry_cli
from sentinelle.cli.common import (
    console,
    err_console,
    errors_to_exit,
    fail,
    get_database,
    get_keys,
    get_settings,
    print_json,
)
from sentinelle.registry.importer import export_cameras
from sentinelle.registry.store import Registry

app = typer.Typer(help="Camera registry: import, export, list, history.", no_args_is_help=True)
app.add_typer(geometry_cli.app, name="geometry")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="GeoJSON, CSV, OSM XML or GeoPackage file"),
    format: str | None = typer.Option(None, "--format", help="geojson|csv|osm|gpkg"),
    map: str | None = typer.Option(
        None,
        "--map",
        help='Column names: target=source,… e.g. id=Numéro,installed="Date de mise en service"',
    ),
    all_or_nothing: bool = typer.Option(
        False, "--all-or-nothing", help="Import nothing if any row is rejected"
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON"),
) -> None:
    """Import cameras; valid rows go in one transaction, each rejected row is reported.

    Exits 1 when any row was rejected (2 when the file itself is unreadable).
    """
    with errors_to_exit():
        settings = get_settings()
        report = import_cameras_audited(
            get_database(settings), get_keys(settings), file, actor=Actor.cli(), format=format,
            mapping=map, all_or_nothing=all_or_nothing,
        )
    if json_out:
        print_json(report.as_dict())
    else:
        for e in report.rejected:
            err_console.print(f"[red]rejected:[/] {e}", highlight=False)
        if report.written:
            console.print(
                f"{file}: {report.read} rows read, {report.created} created, "
                f"{report.updated} updated, {report.unchanged} unchanged, "
                f"{len(report.rejected)} rejected"
            )
        else:
            console.print(
                f"{file}: {len(report.rejected)} rejected row(s); --all-or-nothing: "
                "nothing imported"
            )
    if report.rejected:
        raise typer.Exit(1)


@app.command("export")
def export(
    format: str = typer.Option(..., "--format", help="geojson|csv|osm|gpkg"),
    out: Path = typer.Option(..., "--out", help="Output file"),
    include_secrets: bool = typer.Option(
        False,
        "--include-secrets",
        help="Keep stream credentials (backups between servers only); redacted by default",
    ),
) -> None:
    """Export every camera (dates written by precision: YYYY-MM-DD, YYYY-MM or YYYY)."""
    with errors_to_exit():
        n = export_cameras(Registry(get_database()), out, format=format, secrets=include_secrets)
    console.print(f"{n} cameras written to {out}")


@app.command("list")
def list_(
    json_out: bool = typer.Option(False, "--json", help="Print JSON"),
    status: list[str] = typer.Option(None, "--status", help="Only these statuses"),
) -> None:
    """List the cameras (stream credentials are never shown)."""
    with errors_to_exit():
        cams = Registry(get_database()).cameras(status=status or None)
    if json_out:
        print_json([{**c.to_record(), "flags": c.flags} for c in cams])
        return
    t = Table(title=f"{len(cams)} cameras")
    for col in ("id", "name", "type", "status", "installed", "heads", "flags"):
        t.add_column(col)
    for c in cams:
        t.add_row(
            c.id,
            c.name or "",
            c.type.value if c.type else "?",
            c.status.value,
            c.installed.isoformat() if c.installed else (c.installed_raw or ""),
            str(len(c.heads)),
            ", ".join(c.flags),
        )
    console.print(t)


@app.command("show")
def show(camera_id: str) -> None:
    """Show one camera as JSON (credentials redacted)."""
    with errors_to_exit():
        cam = Registry(get_database()).camera(camera_id)
    print_json({**cam.to_record(), "flags": cam.flags})


@app.command("history")
def history(camera_id: str) -> None:
    """Every recorded state of a camera, oldest first, with its time."""
    with errors_to_exit():
        hist = Registry(get_database()).camera_history(camera_id)
    if not hist:
        fail(f"no history for camera `{camera_id}`")
    print_json(hist)
