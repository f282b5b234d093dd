"""`sentinelle basemap`: import and show the base map (streets, buildings, derived blocks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sentinelle.adapters.basemap_store import BasemapStore, import_basemap_files
from sentinelle.cli.common import console, errors_to_exit, fail, get_database, print_json
from sentinelle.geo.layers import OSM_ATTRIBUTION

app = typer.Typer(help="City base map: streets, buildings, derived blocks.", no_args_is_help=True)


@app.command("import")
def import_basemap(
    streets: Annotated[Path, typer.Option(
        "--streets", help="OSM streets: GeoJSON or GeoPackage (highway=*), or OSM PBF/XML"
    )],
    buildings: Annotated[Path | None, typer.Option(
        "--buildings", help="Building footprints: GeoJSON or GeoPackage"
    )] = None,
    streets_attribution: Annotated[str, typer.Option(
        "--streets-attribution", help="Licence notice shown with the streets"
    )] = OSM_ATTRIBUTION,
    buildings_attribution: Annotated[str | None, typer.Option(
        "--buildings-attribution", help="Licence notice shown with the buildings"
    )] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON")] = False,
) -> None:
    """Replace the base map: streets, intersections, buildings, and blocks derived elsewhere.

    Where building footprints exist they are the obstacles; elsewhere built blocks are
    derived from the streets (the polygons they enclose, set back by a half-width per road
    class). Without --buildings, the base map has derived blocks only.
    """
    with errors_to_exit():
        with console.status("reading layers, deriving intersections and blocks…"):
            summary = import_basemap_files(
                get_database(),
                streets,
                buildings,
                streets_attribution=streets_attribution,
                buildings_attribution=buildings_attribution,
            )
        if as_json:
            print_json(summary)
            return
        table = Table(title="Base map imported", show_header=False)
        for k, v in summary.items():
            table.add_row(k, str(v))
        console.print(table)


@app.command("show")
def show() -> None:
    """List the layers of the stored base map with their sources and attributions."""
    with errors_to_exit():
        layers = BasemapStore(get_database()).layers()
        if not layers:
            fail("no base map: run `sentinelle basemap import --streets FILE` first")
        table = Table("layer", "features", "source file", "attribution", "CRS", "imported")
        for lay in layers:
            table.add_row(
                lay.layer, str(lay.feature_count), lay.source_file or "", lay.attribution or "",
                lay.crs or "", lay.imported_at.isoformat(timespec="seconds"),
            )
        console.print(table)
