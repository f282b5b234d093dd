"""`sentinelle cameras geometry`: image privacy masks and image↔ground homography per head."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.cli.common import (
    console,
    errors_to_exit,
    get_database,
    get_keys,
    get_settings,
    print_json,
)
from sentinelle.errors import InputError

app = typer.Typer(
    help="Image geometry per camera head: privacy masks (normalised image coordinates) and "
    "the image-to-ground homography (EPSG:2154).",
    no_args_is_help=True,
)


def _open():
    from sentinelle.vision.geometry import GeometryStore

    settings = get_settings()
    db = get_database(settings)
    return db, GeometryStore(db), AuditLog(db, get_keys(settings))


def _check_head(db, camera: str, head: int) -> None:
    from sentinelle.registry.store import Registry

    cam = Registry(db).camera(camera)  # NotFoundError when unknown
    n = max(1, len(cam.heads))
    if head >= n:
        raise InputError(f"--head {head}: camera {camera} has {n} head(s) (0 to {n - 1})")


@app.command("set")
def set_(
    camera: str = typer.Argument(..., help="Camera id"),
    file: Path = typer.Argument(..., help="JSON: image_width, image_height, masks, mask_mode, "
                                "points [{pixel, map}], map_crs (EPSG:2154 or EPSG:4326)"),
    head: int = typer.Option(0, "--head", min=0, help="Head index (0 for a single head)"),
    json_out: bool = typer.Option(False, "--json", help="Print the stored geometry as JSON"),
) -> None:
    """Replace one head's image masks and homography from a JSON file."""
    from sentinelle.vision.geometry import load_geometry_file

    with errors_to_exit():
        doc = load_geometry_file(file)
        db, store, audit = _open()
        _check_head(db, camera, head)
        g = store.set(camera, head, image_width=doc["image_width"],
                      image_height=doc["image_height"], masks=doc.get("masks") or [],
                      mask_mode=doc.get("mask_mode", "on_camera"), points=doc.get("points"),
                      updated_by=Actor.cli().name)
        audit.record(actor=Actor.cli(), action="config_change", object_type="camera",
                     object_id=camera, details={"image_geometry": {
                         "head": head, "masks": len(g.masks), "mask_mode": g.mask_mode,
                         "homography": g.has_homography}})
    if json_out:
        print_json(g.as_dict())
        return
    rms = g.rms_error_m()
    console.print(f"camera {camera} head {head}: {len(g.masks)} mask(s) ({g.mask_mode}), "
                  + (f"homography from {len(g.points or [])} pairs, RMS {rms:.2f} m"
                     if rms is not None else "no homography"), highlight=False)


@app.command("show")
def show(
    camera: str = typer.Argument(..., help="Camera id"),
    head: int | None = typer.Option(None, "--head", min=0, help="Only this head"),
    json_out: bool = typer.Option(False, "--json", help="JSON on stdout"),
) -> None:
    """Show the image geometry of a camera's heads."""
    with errors_to_exit():
        _, store, _ = _open()
        items = store.all(camera_id=camera)
        if head is not None:
            items = [g for g in items if g.head == head]
    if json_out:
        print_json([g.as_dict() for g in items])
        return
    t = Table(title=f"camera {camera}: image geometry")
    for col in ("head", "image", "masks", "mode", "homography", "RMS (m)"):
        t.add_column(col)
    for g in items:
        rms = g.rms_error_m()
        t.add_row(str(g.head), f"{g.image_width}×{g.image_height}", str(len(g.masks)),
                  g.mask_mode, f"{len(g.points)} pairs" if g.points else "none",
                  "" if rms is None else f"{rms:.2f}")
    console.print(t)


@app.command("clear")
def clear(
    camera: str = typer.Argument(..., help="Camera id"),
    head: int = typer.Option(0, "--head", min=0, help="Head index"),
) -> None:
    """Remove one head's image geometry."""
    with errors_to_exit():
        _, store, audit = _open()
        store.delete(camera, head)
        audit.record(actor=Actor.cli(), action="config_change", object_type="camera",
                     object_id=camera, details={"image_geometry_removed": {"head": head}})
    console.print(f"camera {camera} head {head}: image geometry removed")
