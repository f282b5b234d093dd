"""`sentinelle authorisations`: prefectoral authorisations (CSI L252-1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import shapely
import typer
from rich.table import Table

from sentinelle.access.audit import Actor
from sentinelle.access.registry_changes import save_authorisations_audited
from sentinelle.cli.common import (
    console,
    errors_to_exit,
    get_database,
    get_keys,
    get_settings,
    print_json,
)
from sentinelle.errors import InputError
from sentinelle.registry.importer import authorisation_record, read_authorisation_file
from sentinelle.registry.store import Registry
from sentinelle.registry.zone import Authorisation

app = typer.Typer(help="Prefectoral authorisations (CSI L252-1).", no_args_is_help=True)


@app.command("import")
def import_(file: Path = typer.Argument(..., help="CSV or GeoJSON (perimeter polygons)")) -> None:
    """Import authorisations; any bad row means nothing is imported."""
    with errors_to_exit():
        auths = read_authorisation_file(file)
        settings = get_settings()
        counts = save_authorisations_audited(get_database(settings), get_keys(settings), auths,
                                             actor=Actor.cli(), source=file.name)
    console.print(
        f"{file}: {counts.created} created, {counts.updated} updated, "
        f"{counts.unchanged} unchanged"
    )


@app.command("add")
def add(
    reference: str = typer.Option(..., "--reference", help="Prefectoral reference"),
    issued: str = typer.Option(..., "--issued", help="YYYY-MM-DD"),
    type: str = typer.Option("standard", "--type", help="standard|provisional|event"),
    expires: str | None = typer.Option(None, "--expires", help="Default: issued + 5 years"),
    purposes: str = typer.Option("", "--purposes", help="Codes of CSI L251-2, `;`-separated"),
    max_retention_days: int = typer.Option(30, "--max-retention-days", help="At most 30"),
    min_retention_days: int | None = typer.Option(None, "--min-retention-days"),
    cameras: str = typer.Option("", "--cameras", help="Camera ids, comma-separated"),
    perimeter: Path | None = typer.Option(None, "--perimeter", help="GeoJSON polygon file"),
    authority: str | None = typer.Option(
        None, "--authority", help="e.g. Préfecture d'Ille-et-Vilaine"
    ),
) -> None:
    """Add or update one authorisation."""
    from pydantic import ValidationError

    with errors_to_exit():
        try:
            issued_d = date.fromisoformat(issued)
            expires_d = date.fromisoformat(expires) if expires else None
        except ValueError as exc:
            raise InputError(f"--issued/--expires: {exc} (expected YYYY-MM-DD)") from None
        geom = None
        if perimeter is not None:
            from sentinelle.registry.io.geojson import load_feature_collection

            doc, _ = load_feature_collection(perimeter)
            geom = shapely.union_all(
                [shapely.geometry.shape(f["geometry"]) for f in doc["features"]]
            )
        try:
            auth = Authorisation(
                reference=reference, type=type, issued=issued_d, expires=expires_d,
                purposes=purposes, max_retention_days=max_retention_days,
                min_retention_days=min_retention_days, cameras=cameras, perimeter=geom,
                authority=authority,
            )
        except ValidationError as exc:
            e = exc.errors()[0]
            field = e["loc"][0] if e["loc"] else "?"
            msg = f"--{str(field).replace('_', '-')}: {e['msg'].removeprefix('Value error, ')}"
            raise InputError(msg) from None
        settings = get_settings()
        counts = save_authorisations_audited(get_database(settings), get_keys(settings), [auth],
                                             actor=Actor.cli())
    console.print(f"authorisation {reference}: {'created' if counts.created else 'updated'}"
                  f" (expires {auth.expires})")


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json")) -> None:
    """List authorisations with their validity."""
    with errors_to_exit():
        auths = Registry(get_database()).authorisations()
    if json_out:
        print_json([authorisation_record(a) for a in auths])
        return
    today = date.today()
    t = Table(title=f"{len(auths)} authorisations")
    for col in ("reference", "type", "issued", "expires", "in force", "purposes", "cameras"):
        t.add_column(col)
    for a in auths:
        t.add_row(a.reference, a.type.value, str(a.issued), str(a.expires),
                  "yes" if a.in_force(today) else "NO", str(len(a.purposes)), str(len(a.cameras)))
    console.print(t)
