"""`sentinelle analytics`: the anonymous statistics mode — switches, zones, runs, counts."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sentinelle.access.audit import Actor
from sentinelle.cli.common import (
    console,
    db_and_keys,
    err_console,
    errors_to_exit,
    fail,
    parse_date,
    parse_time,
    print_json,
)

app = typer.Typer(
    help="Anonymous statistics (CNIL 2022): enable per camera, zones and lines, run, counts. "
    "Off by default; only aggregates are stored.", no_args_is_help=True)
zones_app = typer.Typer(help="Counting zones and lines per camera head (image coordinates).",
                        no_args_is_help=True)
app.add_typer(zones_app, name="zones")


@zones_app.command("import")
def zones_import(
    file: Annotated[Path, typer.Argument(help="GeoJSON FeatureCollection in image coordinates")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Replace the zones and lines of the cameras the file names (all or nothing).

    Each feature: properties `camera`, `name`, optional `head` (default 0); a Polygon is a
    zone, a LineString a counting line; coordinates normalised 0–1 (x right, y down).
    """
    from sentinelle.analytics.shapes import ShapeStore, read_shapes_file

    with errors_to_exit():
        shapes = read_shapes_file(file)
        db, keys = db_and_keys()
        counts = ShapeStore(db, keys).replace(shapes, actor=Actor.cli(), source=file.name)
    if as_json:
        print_json({"imported": len(shapes), "cameras": counts})
    else:
        console.print(f"imported {len(shapes)} zone(s) and line(s) for "
                      f"{len(counts)} camera(s)", highlight=False)


@zones_app.command("list")
def zones_list(
    camera: Annotated[str | None, typer.Option("--camera", help="Only this camera")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """The zones and lines stored."""
    from sentinelle.analytics.shapes import ShapeStore

    with errors_to_exit():
        db, keys = db_and_keys()
        shapes = ShapeStore(db, keys).shapes(camera)
    if as_json:
        print_json([s.as_dict() for s in shapes])
        return
    t = Table("camera", "head", "kind", "name", "points")
    for s in shapes:
        t.add_row(s.camera_id, str(s.head), s.kind, s.name, str(len(s.points)))
    console.print(t)


@app.command("enable")
def enable(
    camera: Annotated[str, typer.Argument(help="Camera id")],
    mode: Annotated[str, typer.Option("--mode", help="Only `stats` (anonymous statistics)")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why the statistics are produced")],
    dpia: Annotated[str, typer.Option("--dpia", help="Reference of the DPIA (AIPD)")],
    until: Annotated[str, typer.Option("--until", help="Last day of the basis (YYYY-MM-DD)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the switch as JSON")] = False,
) -> None:
    """Switch anonymous statistics on for a camera under the basis "CNIL 2022 — statistiques
    anonymes" until a date (audited: analytics_change). Nothing runs after that date."""
    from sentinelle.analytics.basis import Enablements

    day = parse_date(until, "--until")
    with errors_to_exit():
        db, keys = db_and_keys()
        e = Enablements(db, keys).enable(camera, mode=mode, purpose=purpose, dpia=dpia,
                                         until=day, actor=Actor.cli())
    if as_json:
        print_json(e.as_dict())
    else:
        console.print(f"analytics enabled on {camera}: {e.mode}, « {e.legal_basis} » until "
                      f"{e.until.isoformat()}", highlight=False)


@app.command("disable")
def disable(camera: Annotated[str, typer.Argument(help="Camera id")]) -> None:
    """Switch analytics off for a camera (audited: analytics_change)."""
    from sentinelle.analytics.basis import Enablements

    with errors_to_exit():
        db, keys = db_and_keys()
        Enablements(db, keys).disable(camera, actor=Actor.cli())
    console.print(f"analytics disabled on {camera}", highlight=False)


@app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False
           ) -> None:
    """Each camera's analytics switch and legal basis."""
    from sentinelle.analytics.basis import Enablements

    with errors_to_exit():
        db, keys = db_and_keys()
        items = Enablements(db, keys).all()
    now = datetime.now(UTC)
    if as_json:
        print_json([dict(e.as_dict(), active=e.active(now)) for e in items])
        return
    t = Table("camera", "enabled", "active", "mode", "legal basis", "until", "DPIA", "purpose")
    for e in items:
        t.add_row(e.camera_id, "yes" if e.enabled else "no", "yes" if e.active(now) else "no",
                  e.mode, e.legal_basis, e.until.isoformat(), e.dpia_ref, e.purpose)
    console.print(t)


@app.command("run")
def run(
    camera: Annotated[list[str] | None, typer.Option(
        "--camera", help="Only this camera (repeat for several)")] = None,
    source: Annotated[list[str] | None, typer.Option(
        "--source", help="CAMERA=FILE_OR_URL: analyse this instead of the camera's stream")
    ] = None,
    fps: Annotated[float, typer.Option("--fps", help="Frames analysed per second")] = 5.0,
    no_motion_gate: Annotated[bool, typer.Option(
        "--no-motion-gate", help="Run the detector on every frame")] = False,
    check: Annotated[float, typer.Option("--check", help="Seconds between switch checks")
                     ] = 5.0,
    exit_when_done: Annotated[bool, typer.Option(
        "--exit-when-done", help="Stop once every pipeline has ended (recorded files)")
    ] = False,
) -> None:
    """Supervise the pipelines of the cameras with analytics enabled until SIGTERM or Ctrl-C.

    Frames are analysed in memory (masks filled first) and dropped at once; only counts per
    10 s bucket, zone or line, direction and class are stored. Each pipeline stops at its
    basis's end date; an ended basis is switched off (audited, system:analytics). Event
    detection (décret 2023-828) runs too, on each camera a basis in force covers, for as long
    as it covers it.
    """
    from sentinelle.analytics.runner import Supervisor, SupervisorConfig
    from sentinelle.events.supervisor import EventSupervisor
    from sentinelle.vision.pipeline import PipelineConfig

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    sources: dict[str, str] = {}
    for s in source or []:
        cam, sep, src = s.partition("=")
        if not sep or not cam or not src:
            fail(f"--source `{s}` must be CAMERA=FILE_OR_URL", 2)
        sources[cam] = src
    if fps <= 0:
        fail(f"--fps must be positive, got {fps}", 2)
    with errors_to_exit():
        db, keys = db_and_keys()
        sup = Supervisor(db, keys, sources=sources, only=camera or None, config=SupervisorConfig(
            check_s=check, pipeline=PipelineConfig(fps=fps, motion_gate=not no_motion_gate)))
        events = EventSupervisor(db, keys, source_for=sup.source_for, fps=fps,
                                 only=camera or None)
        both = (sup, events)
        stop = threading.Event()

        def _stop(signum: int, _frame: object) -> None:
            err_console.print(f"analytics: {signal.Signals(signum).name}, stopping…")
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        if exit_when_done:
            for s in both:
                s.tick()
            if not sup.workers and not events.workers:
                fail("no camera to analyse: none has analytics enabled and in force, nor "
                     "an event basis in force (see `sentinelle analytics status`)")
            while (sup.workers or events.workers) and not stop.is_set():
                for s in both:
                    s.wait_idle(check)
                if all(w.done for s in both for w in s.workers.values()):
                    break
                for s in both:
                    s.tick()
            for s in both:
                s.shutdown()
            err_console.print("analytics: every pipeline has ended")
            return
        err_console.print("analytics: supervising the enabled cameras and the event bases "
                          "in force; Ctrl-C stops")
        while not stop.is_set():
            for s in both:
                s.tick()
            stop.wait(check)
        for s in both:
            s.shutdown()
        err_console.print("analytics stopped")


@app.command("stats")
def stats(
    camera: Annotated[str, typer.Option("--camera", help="Camera id")],
    start: Annotated[str, typer.Option("--from", help="Start (ISO 8601)")],
    end: Annotated[str, typer.Option("--to", help="End, excluded (ISO 8601)")],
    interval: Annotated[str, typer.Option("--interval", help="10s, 1min, 15min, 1h, 1d…")
                        ] = "15min",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Counts per interval by zone or line, direction and class."""
    from sentinelle.analytics.stats import CountStore, parse_interval

    t0, t1 = parse_time(start, "--from"), parse_time(end, "--to")
    with errors_to_exit():
        seconds = parse_interval(interval)
        db, _ = db_and_keys()
        series = CountStore(db).series(camera, t0, t1, seconds)
    if as_json:
        print_json({"camera": camera, "interval": interval, "series": series})
        return
    t = Table("start", "zone", "line", "direction", "class", "count")
    for r in series:
        t.add_row(r["start"], r["zone"] or "", r["line"] or "", r["direction"] or "",
                  r["class"], str(r["count"]))
    console.print(t)
