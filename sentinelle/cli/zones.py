"""`sentinelle zones`: QPV, quartiers, IRIS and custom areas."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from sentinelle.access.audit import Actor
from sentinelle.access.registry_changes import save_zones_audited
from sentinelle.cli.common import (
    console,
    errors_to_exit,
    fail,
    get_database,
    get_keys,
    get_settings,
    print_json,
)
from sentinelle.registry.importer import read_zone_file
from sentinelle.registry.store import Registry

app = typer.Typer(help="Zones: qpv, quartier, iris, custom.", no_args_is_help=True)


def _where(items: list[str] | None) -> dict[str, str]:
    out = {}
    for item in items or []:
        if "=" not in item:
            fail(f"--where `{item}`: expected FIELD=VALUE")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="GeoJSON of polygons (WGS84)"),
    kind: str = typer.Option(..., "--kind", help="qpv|quartier|iris|custom"),
    name_field: str | None = typer.Option(None, "--name-field", help="Property with the name"),
    code_field: str | None = typer.Option(None, "--code-field", help="Property with the code"),
    where: list[str] = typer.Option(None, "--where", help="Keep features with FIELD=VALUE"),
) -> None:
    """Import zones; features with the same name are merged into one zone."""
    with errors_to_exit():
        zones = read_zone_file(
            file, kind=kind, name_field=name_field, code_field=code_field, where=_where(where)
        )
        settings = get_settings()
        counts = save_zones_audited(get_database(settings), get_keys(settings), zones,
                                    actor=Actor.cli(), source=file.name)
    console.print(
        f"{file}: {len(zones)} {kind} zones — {counts.created} created, "
        f"{counts.updated} updated, {counts.unchanged} unchanged"
    )


@app.command("list")
def list_(
    kind: str | None = typer.Option(None, "--kind"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """List zones with their area."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    with errors_to_exit():
        zones = Registry(get_database()).zones(kind)
    rows = [
        {"kind": z.kind.value, "name": z.name, "code": z.code,
         "area_km2": round(abs(geod.geometry_area_perimeter(z.geometry)[0]) / 1e6, 3)}
        for z in zones
    ]
    if json_out:
        print_json(rows)
        return
    t = Table(title=f"{len(rows)} zones")
    for col in ("kind", "name", "code", "area_km2"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["kind"], r["name"], r["code"] or "", f"{r['area_km2']:.3f}")
    console.print(t)
