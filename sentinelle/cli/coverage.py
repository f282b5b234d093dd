"""`sentinelle coverage`: what the cameras see, overall, per zone and per camera."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import shapely
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sentinelle.adapters.basemap_store import BasemapStore
from sentinelle.adapters.camera_heads import read_cameras_geojson
from sentinelle.adapters.coverage_report import CoverageReport, coverage_report
from sentinelle.cli.common import (
    console,
    err_console,
    errors_to_exit,
    fail,
    get_database,
    print_json,
)
from sentinelle.errors import InputError
from sentinelle.geo.basemap import Basemap
from sentinelle.geo.dori import Level, parse_level
from sentinelle.geo.layers import read_buildings, read_streets
from sentinelle.registry.camera import Camera, CameraStatus
from sentinelle.registry.store import Registry


def _level(value: str | None) -> Level | None:
    if value is None:
        return None
    try:
        return parse_level(value)
    except ValueError as exc:
        raise InputError(f"--level: {exc}") from None


def _run(cameras: list[Camera], basemap: Basemap, zones: list, level: Level | None,
         quiet: bool) -> CoverageReport:
    n_heads = sum(len(c.heads) for c in cameras)
    with Progress(
        TextColumn("visibility"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, transient=True, disable=quiet,
    ) as progress:
        task = progress.add_task("heads", total=n_heads)
        return coverage_report(
            cameras, basemap, zones, level=level,
            progress=lambda k: progress.advance(task, k),
        )


def _print_report(rep: CoverageReport) -> None:
    n = rep.network
    console.print(
        f"Occlusion source: [bold]{rep.source}[/]   level: {rep.level or 'range_m, else observe'}"
    )
    console.print(
        f"Streets covered: {n.covered_m / 1000:.2f} km of {n.street_m / 1000:.2f} km "
        f"([bold]{n.covered_pct:.1f} %[/]), intersections {n.intersections_covered}/"
        f"{n.intersections}, visible area {n.visible_area_m2:,.0f} m², "
        f"overlap {n.overlap:.2f} cameras per covered metre"
    )
    rows = [z for z in rep.zones if z["street_m"] > 0]
    if rows:
        table = Table("kind", "zone", "street km", "covered km", "covered %", "cameras")
        for z in rows:
            table.add_row(
                z["kind"], z["name"], f"{z['street_m'] / 1000:.2f}", f"{z['covered_m'] / 1000:.2f}",
                f"{z['covered_pct']:.1f}", str(z["cameras"]),
            )
        console.print(table)
    skipped = len(rep.zones) - len(rows)
    if skipped:
        console.print(f"{skipped} zone(s) outside the base map's streets are not shown.")
    unknown = [c["id"] for c in rep.cameras if c["status"] != "ok"]
    if unknown:
        console.print(f"[yellow]{len(unknown)} camera(s) with unknown geometry:[/] "
                      + ", ".join(unknown[:20]) + (" …" if len(unknown) > 20 else ""))


def _write_geojson(path: Path, rep: CoverageReport, basemap: Basemap) -> None:
    wgs = basemap.frame.unproject(rep.visibility) if rep.visibility.size else rep.visibility
    feats = []
    for i, cam in enumerate(rep.cameras):
        ok = cam["status"] == "ok"
        g = wgs[i] if ok else None
        feats.append({
            "type": "Feature",
            "geometry": json.loads(shapely.to_geojson(g)) if g is not None else None,
            "properties": {
                "camera_id": cam["id"],
                "visible_area_m2": cam["visible_area_m2"],
                "detect_m": cam["detect_m"],
                "observe_m": cam["observe_m"],
                "recognise_m": cam["recognise_m"],
                "identify_m": cam["identify_m"],
                "source": rep.camera_sources[i] if ok else None,
                "status": cam["status"],
            },
        })
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
        encoding="utf-8",
    )


def coverage(
    level: Annotated[str | None, typer.Option(
        "--level", help="DORI level: detect, observe, recognise or identify "
        "(default: each head's range_m, else observe)"
    )] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    include_planned: Annotated[bool, typer.Option(
        "--include-planned", help="Count planned cameras too (database mode)"
    )] = False,
    cameras: Annotated[Path | None, typer.Option(
        "--cameras", help="File mode: cameras GeoJSON (no database)"
    )] = None,
    buildings: Annotated[Path | None, typer.Option(
        "--buildings", help="File mode: building footprints"
    )] = None,
    streets: Annotated[Path | None, typer.Option(
        "--streets", help="File mode: OSM streets (blocks are derived where no building is)"
    )] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="File mode: write one visibility feature per camera (GeoJSON)"
    )] = None,
) -> None:
    """Coverage of the streets by the cameras, overall, per zone and per camera.

    Database mode (default): the cameras in service (and planned ones with
    --include-planned) over the stored base map, per zone of the registry.
    File mode (--cameras): every camera of the file over --buildings (and --streets);
    writes the union of each camera's heads' visibility (WGS84) to --out.
    """
    with errors_to_exit():
        lv = _level(level)
        if cameras is not None:
            if buildings is None or out is None:
                fail("file mode needs --cameras, --buildings and --out", 2)
            cams = read_cameras_geojson(cameras)
            bm = Basemap.from_layers(
                read_streets(streets) if streets else None, read_buildings(buildings)
            )
            rep = _run(cams, bm, [], lv, quiet=as_json)
            _write_geojson(out, rep, bm)
            if as_json:
                print_json(rep.as_json())
            else:
                done = sum(c["status"] == "ok" for c in rep.cameras)
                console.print(f"{out}: {len(rep.cameras)} camera(s), {done} with visibility, "
                              f"occlusion source {rep.source}")
            return
        if any(v is not None for v in (buildings, streets, out)):
            fail("--buildings, --streets and --out belong to file mode: give --cameras too", 2)
        db = get_database()
        bm = BasemapStore(db).load()
        if bm is None:
            fail("no base map: run `sentinelle basemap import --streets FILE` first")
        status = [CameraStatus.in_service.value]
        if include_planned:
            status.append(CameraStatus.planned.value)
        reg = Registry(db)
        cams = reg.cameras(status=status)
        zones = reg.zones()
        rep = _run(cams, bm, zones, lv, quiet=as_json)
        if as_json:
            print_json(rep.as_json())
        else:
            _print_report(rep)
