"""`sentinelle record`: run the recorder, show camera health, verify and rebuild the index,
purge footage past retention and read the destruction register."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sentinelle.cli.common import (
    console,
    err_console,
    errors_to_exit,
    fail,
    get_database,
    get_keys,
    get_settings,
    parse_time,
    print_json,
)

app = typer.Typer(
    help="Recording: the recorder, camera health, segment integrity.", no_args_is_help=True
)


def _parse_time(value: str | None, name: str) -> datetime | None:
    return None if value is None else parse_time(value, name)


@app.command("run")
def run(
    camera: Annotated[list[str] | None, typer.Option(
        "--camera", help="Record only this camera (repeat for several)")] = None,
    segment_time: Annotated[float, typer.Option(
        "--segment-time", help="Segment length in seconds")] = 10.0,
    rtsp_timeout: Annotated[float, typer.Option(
        "--rtsp-timeout", help="Give up a stream silent for this many seconds")] = 5.0,
    offline_after: Annotated[float, typer.Option(
        "--offline-after", help="Alert when a camera is silent longer (seconds)")] = 60.0,
    backoff_max: Annotated[float, typer.Option(
        "--backoff-max", help="Longest delay between two restarts of a stream (s)")] = 30.0,
    auto_tickets: Annotated[bool, typer.Option(
        "--auto-tickets/--no-auto-tickets",
        help="Open a maintenance ticket (by system:recorder, audited) when a camera goes "
        "offline, close it when it records again")] = True,
    purge_every: Annotated[float, typer.Option(
        "--purge-every", min=0,
        help="Enforce retention while recording: `record purge` at start and then every "
        "this many minutes, as system:purge (0: never; then schedule `record purge`)")] = 60.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show ffmpeg's messages")
                       ] = False,
) -> None:
    """Record every camera in service with a main stream until SIGTERM or Ctrl-C.

    One ffmpeg per stream, copied without re-encoding into fragmented MP4 segments under
    SENTINELLE_HOME/recordings/CAMERA/, indexed with their SHA-256. Streams that drop are
    restarted with backoff and each outage is recorded as a gap. Footage past retention is
    destroyed every `--purge-every` minutes (legal holds honoured, destruction register).
    """
    from sentinelle.record.supervisor import RecorderConfig, build_recorder, recordings_root

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("sentinelle.record.ffmpeg.log").setLevel(
        logging.DEBUG if verbose else logging.WARNING
    )
    for noisy in ("alembic", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with errors_to_exit():
        settings = get_settings()
        db = get_database(settings)
        try:
            config = RecorderConfig(
                segment_time_s=segment_time, rtsp_timeout_s=rtsp_timeout,
                offline_after_s=offline_after, backoff_max_s=backoff_max,
                stall_timeout_s=max(20.0, 3 * rtsp_timeout),
            )
        except ValueError as exc:
            fail(str(exc), 2)
        recorder = build_recorder(
            db, recordings_root(settings.home), keys=get_keys(settings), config=config,
            only=camera or None, auto_tickets=auto_tickets,
        )
        if not recorder.sources:
            fail("no camera to record: none in service with a stream_main "
                 "(see `sentinelle cameras list`)")
        stop = threading.Event()

        def _stop(signum: int, _frame: object) -> None:
            err_console.print(f"recorder: {signal.Signals(signum).name}, stopping…")
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        retention, purger = "", None
        if purge_every > 0:
            from sentinelle.custody.enforcer import RetentionEnforcer
            from sentinelle.custody.retention import parse_quota

            purger = RetentionEnforcer(
                db, recorder.root, keys=get_keys(settings),
                quota_bytes=parse_quota(settings.recordings_quota), every_s=purge_every * 60,
            ).start(stop)
            retention = f", retention enforced every {purge_every:g} min"
        err_console.print(
            f"recording {len(recorder.sources)} stream(s) into {recorder.root} "
            f"(segments of {segment_time:g} s{retention}); Ctrl-C stops"
        )
        try:
            recorder.run(stop)
        finally:
            stop.set()
            if purger is not None:  # let a purge under way finish its file and index row
                purger.join(timeout=120)
        err_console.print("recorder stopped")


@app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
    offline_after: Annotated[float | None, typer.Option(
        "--offline-after", help="Alert threshold in seconds (default: the recorder's)")] = None,
    now: Annotated[str | None, typer.Option("--now", help="Report time (ISO 8601)")] = None,
) -> None:
    """Each camera's state, last segment, bitrate, gaps and availability (24 h, 30 days).

    Works whether or not a recorder runs: without one, cameras are `stopped`.
    """
    from sentinelle.record.health import camera_health

    with errors_to_exit():
        t = _parse_time(now, "--now") or datetime.now(UTC)
        settings = get_settings()
        report = camera_health(get_database(settings), now=t, keys=get_keys(settings),
                               offline_after_s=offline_after)
    if as_json:
        print_json(report.as_json())
        return
    rec = report.recorder
    if rec.running:
        console.print(f"recorder running: pid {rec.pid} on {rec.host}, since "
                      f"{rec.started_at:%Y-%m-%d %H:%M:%S} UTC", highlight=False)
    else:
        console.print("[yellow]no recorder running[/]")
    table = Table("camera", "state", "last segment (UTC)", "kb/s", "gaps 24 h",
                  "avail. 24 h", "avail. 30 d", "silent s")
    for c in report.cameras:
        style = "red" if c.alert else ("green" if c.state == "recording" else "")
        table.add_row(
            c.id, f"[{style}]{c.state}[/]" if style else c.state,
            f"{c.last_segment:%Y-%m-%d %H:%M:%S}" if c.last_segment else "—",
            f"{c.bitrate_kbps:.0f}" if c.bitrate_kbps is not None else "—",
            str(c.gaps_24h),
            f"{c.availability_24h:.1%}" if c.availability_24h is not None else "—",
            f"{c.availability_30d:.1%}" if c.availability_30d is not None else "—",
            f"{c.silent_s:.0f}" if c.silent_s is not None else "—",
        )
    console.print(table)
    for alert in report.alerts:
        console.print(f"[bold red]ALERT[/] {alert}", highlight=False)


@app.command("verify")
def verify(
    camera: Annotated[list[str] | None, typer.Option(
        "--camera", help="Only this camera (repeat for several)")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only segments ending after this time (ISO 8601)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Rehash the indexed segments; exit 1 naming any that changed or vanished."""
    from sentinelle.record.segments import SegmentIndex
    from sentinelle.record.supervisor import recordings_root

    with errors_to_exit():
        settings = get_settings()
        index = SegmentIndex(get_database(settings), recordings_root(settings.home))
        report = index.verify(camera_ids=camera or None, since=_parse_time(since, "--since"))
    if as_json:
        print_json({
            "checked": report.checked,
            "changed": [s.path for s in report.changed],
            "missing": [s.path for s in report.missing],
            "ok": report.ok,
        })
    else:
        for seg in report.changed:
            err_console.print(f"[red]changed:[/] {seg.path} (camera {seg.camera_id}, "
                              f"{seg.start:%Y-%m-%d %H:%M:%S}Z)", highlight=False)
        for seg in report.missing:
            err_console.print(f"[red]missing:[/] {seg.path} (camera {seg.camera_id}, "
                              f"{seg.start:%Y-%m-%d %H:%M:%S}Z)", highlight=False)
        console.print(f"{report.checked} segment(s) checked: {len(report.changed)} changed, "
                      f"{len(report.missing)} missing")
    if not report.ok:
        raise typer.Exit(1)


@app.command("reindex")
def reindex_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Index segments found on disk and missing from the index (no recorder may run)."""
    from sentinelle.record.supervisor import recordings_root, reindex

    with errors_to_exit():
        settings = get_settings()
        report = reindex(get_database(settings), recordings_root(settings.home),
                         now=datetime.now(UTC))
    if as_json:
        print_json({"added": [s.path for s in report.added], "already": report.already,
                    "unplayable": report.unplayable,
                    "unknown_folders": report.unknown_folders})
        return
    console.print(f"{len(report.added)} segment(s) added "
                  f"({sum(not s.complete for s in report.added)} cut), "
                  f"{report.already} already indexed, {len(report.unplayable)} unplayable")


@app.command("purge")
def purge_cmd(
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would be destroyed; touch nothing")] = False,
    now: Annotated[str | None, typer.Option(
        "--now", help="Judge at this time (ISO 8601, UTC without offset); default: now")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Destroy footage past each camera's retention, except footage under a legal hold.

    Retention per camera: its own days, capped by its authorisation's maximum and by 30 days.
    Over SENTINELLE_RECORDINGS_QUOTA, the oldest footage not under hold goes first; footage
    younger than the authorisation's minimum only as a last resort (R10 finding and alert).
    Writes the destruction register and one audit entry (`purge`) per camera, as cli:<user>.
    """
    from sentinelle.access.audit import Actor
    from sentinelle.custody.retention import parse_quota, purge
    from sentinelle.record.supervisor import recordings_root

    at = _parse_time(now, "--now") or datetime.now(UTC)
    with errors_to_exit():
        settings = get_settings()
        quota = parse_quota(settings.recordings_quota)
        db = get_database(settings)
        report = purge(db, recordings_root(settings.home), keys=get_keys(settings), now=at,
                       actor=Actor.cli(), quota_bytes=quota, dry_run=dry_run)
    if as_json:
        print_json(report.as_dict())
    else:
        d = report.as_dict()
        verb = "would destroy" if dry_run else "destroyed"
        table = Table("camera", "segments", "bytes", "from (UTC)", "to (UTC)", "why")
        for c in d["cameras"]:
            table.add_row(c["camera_id"], str(c["segments"]), str(c["bytes"]),
                          c["period_start"], c["period_end"], ", ".join(c["reasons"]))
        console.print(table)
        console.print(f"{verb} {d['segments']} segment(s), {d['freed_bytes']} bytes; "
                      f"{len(d['held_past_limit'])} segment(s) past retention kept under hold",
                      highlight=False)
        if d["quota_bytes"] is not None:
            console.print(f"recordings: {d['used_after_bytes']} of {d['quota_bytes']} bytes",
                          highlight=False)
        for f in d["findings"]:
            console.print(f"[bold red]{f['rule']}[/] {f['subject_id']}: {f['message']}",
                          highlight=False)
    for alert in report.plan.alerts:
        err_console.print(f"[bold red]ALERT[/] {alert}", highlight=False)
    for failure in report.failed:
        err_console.print(f"[bold red]not deleted:[/] {failure}", highlight=False)
    if report.failed:
        raise typer.Exit(1)


@app.command("destructions")
def destructions_cmd(
    camera: Annotated[str | None, typer.Option("--camera", help="Only this camera")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the whole register as CSV (for the CDVP or the CNIL)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """The destruction register: one row per camera per purge run (period destroyed, time)."""
    from sentinelle.custody.destruction import DestructionRegister

    with errors_to_exit():
        register = DestructionRegister(get_database())
        if out is not None:
            n = register.write_csv(out)
            console.print(f"{n} row(s) written to {out}", highlight=False)
            return
        rows = register.rows(camera_id=camera)
    if as_json:
        print_json({"destructions": [r.as_dict() for r in rows]})
        return
    table = Table("camera", "from (UTC)", "to (UTC)", "segments", "bytes", "why",
                  "destroyed (UTC)", "by")
    for r in rows:
        table.add_row(r.camera_id, f"{r.period_start:%Y-%m-%d %H:%M:%S}",
                      f"{r.period_end:%Y-%m-%d %H:%M:%S}", str(r.segments), str(r.bytes),
                      r.reason, f"{r.destroyed_at:%Y-%m-%d %H:%M:%S}", r.actor)
    console.print(table)
