"""`sentinelle analytics basis|alerts|decide|performance|events-eval|events-run`: event
detection under décret 2023-828 (legal bases, alerts and the human decision on each).

These commands are sub-commands of the `sentinelle analytics` Typer app; importing this
module registers them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from sentinelle.access.audit import Actor
from sentinelle.cli.analytics import app
from sentinelle.cli.common import (
    console,
    db_and_keys,
    err_console,
    errors_to_exit,
    fail,
    parse_time,
    print_json,
)

PARIS = ZoneInfo("Europe/Paris")

basis_app = typer.Typer(
    help="Legal bases of event detection (loi 2023-380 art. 10, décret 2023-828): text, "
    "prefectoral decision, cameras, period, event types.", no_args_is_help=True)
app.add_typer(basis_app, name="basis")


def _when(value: str, name: str) -> datetime:
    """ISO 8601; without an offset, the time is read in Europe/Paris."""
    return parse_time(value, name, naive_tz=PARIS, example="2026-06-21T18:00:00+02:00")


@basis_app.command("add")
def basis_add(
    text: Annotated[str, typer.Option("--text", help="Law and decree (e.g. « loi 2023-380 "
                                      "art. 10 ; décret 2023-828 »)")],
    decision: Annotated[str, typer.Option("--decision",
                                          help="Reference of the prefectoral decision")],
    cameras: Annotated[str, typer.Option("--cameras", help="Camera ids, comma-separated")],
    start: Annotated[str, typer.Option("--start", help="Start (ISO 8601; Europe/Paris "
                                       "without an offset)")],
    end: Annotated[str, typer.Option("--end", help="End, excluded (ISO 8601)")],
    events: Annotated[str, typer.Option("--events", help="Event types allowed, "
                                        "comma-separated (décret 2023-828 names)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the basis as JSON")] = False,
) -> None:
    """Record a legal basis of event detection (audited: analytics_basis_change).

    The event pipeline runs only on its cameras, during its period, for its event types."""
    from sentinelle.events.basis import EventBases

    t0, t1 = _when(start, "--start"), _when(end, "--end")
    with errors_to_exit():
        db, keys = db_and_keys()
        b = EventBases(db, keys).add(text=text, decision=decision, cameras=cameras, start=t0,
                                     end=t1, events=events, actor=Actor.cli())
    d = b.as_dict(datetime.now(UTC))
    if as_json:
        print_json(d)
        return
    console.print(f"legal basis #{b.id} recorded: {', '.join(b.camera_ids)} from {d['start']} "
                  f"to {d['end']}, events {', '.join(b.events)}", highlight=False)
    for e in d["unavailable"]:
        from sentinelle.events.types import UNAVAILABLE

        err_console.print(f"note: {e}: {UNAVAILABLE[e]}", highlight=False)


@basis_app.command("end")
def basis_end(
    basis: Annotated[int, typer.Argument(help="Basis id")],
    reason: Annotated[str, typer.Option("--reason", help="Why (decision withdrawn…)")],
    at: Annotated[str | None, typer.Option("--at", help="When (ISO 8601; default now)")
                  ] = None,
) -> None:
    """End a legal basis early: the event pipelines under it stop (audited)."""
    from sentinelle.events.basis import EventBases

    when = _when(at, "--at") if at else None
    with errors_to_exit():
        db, keys = db_and_keys()
        b = EventBases(db, keys).end(basis, reason=reason, at=when, actor=Actor.cli())
    console.print(f"legal basis #{b.id} now ends at {b.as_dict()['end']}", highlight=False)


@basis_app.command("list")
def basis_list(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False
               ) -> None:
    """The legal bases recorded, with whether each is in force now."""
    from sentinelle.events.basis import EventBases

    with errors_to_exit():
        db, keys = db_and_keys()
        items = EventBases(db, keys).all()
    now = datetime.now(UTC)
    if as_json:
        print_json({"bases": [b.as_dict(now) for b in items]})
        return
    t = Table("id", "in force", "text", "decision", "cameras", "start", "end", "events")
    for b in items:
        d = b.as_dict(now)
        t.add_row(str(b.id), "yes" if d["in_force"] else "no", b.text_ref, b.decision_ref,
                  ", ".join(b.camera_ids), d["start"], d["end"], ", ".join(b.events))
    console.print(t)


@app.command("alerts")
def alerts(
    state: Annotated[str | None, typer.Option(
        "--state", help="Only raised, confirmed or dismissed alerts")] = None,
    camera: Annotated[str | None, typer.Option("--camera", help="Only this camera")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """The alerts raised by event detection, newest first, with the decision on each."""
    from sentinelle.events.alerts import Alerts, AlertState

    if state is not None and state not in {s.value for s in AlertState}:
        fail(f"--state `{state}` must be raised, confirmed or dismissed", 2)
    with errors_to_exit():
        db, keys = db_and_keys()
        items = Alerts(db, keys).list(state=state, camera_id=camera)
    if as_json:
        keys_ = ("id", "camera", "type", "ts", "state", "decided_by", "decided_at", "reason")
        print_json({"alerts": [{k: a.as_dict()[k] for k in keys_} for a in items]})
        return
    t = Table("id", "camera", "type", "ts", "state", "decided by", "decided at", "reason")
    for a in items:
        d = a.as_dict()
        t.add_row(str(a.id), a.camera_id, a.type, d["ts"], a.state, a.decided_by or "",
                  d["decided_at"] or "", a.reason or "")
    console.print(t)


@app.command("decide")
def decide(
    alert: Annotated[int, typer.Argument(help="Alert id")],
    confirm: Annotated[bool, typer.Option("--confirm", help="The event is real")] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="A false alert")] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the decision)")] = "",
) -> None:
    """Confirm or dismiss an alert (audited: alert_decision).

    Nothing else follows: the alert only signals."""
    from sentinelle.events.alerts import Alerts

    if confirm == dismiss:
        fail("give exactly one of --confirm or --dismiss", 2)
    if not reason.strip():
        fail("--reason must say why the alert is confirmed or dismissed", 2)
    with errors_to_exit():
        db, keys = db_and_keys()
        a = Alerts(db, keys).decide(alert, confirm=confirm, reason=reason, actor=Actor.cli())
    console.print(f"alert #{a.id} {a.state} by {a.decided_by}", highlight=False)


@app.command("alerts-purge")
def alerts_purge(
    keep_days: Annotated[int, typer.Option("--keep-days", help="Days alert metadata is kept "
                                           "(at least 183)")] = 183,
) -> None:
    """Drop thumbnails past the video retention, and alerts older than --keep-days.

    Alert metadata is kept at least six months (AI Act art. 26)."""
    from sentinelle.events.alerts import Alerts

    with errors_to_exit():
        db, keys = db_and_keys()
        n = Alerts(db, keys).purge(keep_days=keep_days)
    console.print(f"{n['thumbnails']} thumbnail(s) and {n['alerts']} alert(s) removed",
                  highlight=False)


@app.command("performance")
def performance_cmd(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")
                                       ] = False) -> None:
    """Precision and false-positive rate per event type and per camera, from the decisions."""
    from sentinelle.events.alerts import Alerts
    from sentinelle.events.performance import performance

    with errors_to_exit():
        db, keys = db_and_keys()
        perf = performance(Alerts(db, keys).list())
    if as_json:
        print_json(perf)
        return
    t = Table("type", "camera", "alerts", "confirmed", "dismissed", "pending", "precision",
              "false positives")
    for r in perf["per_type_camera"]:
        t.add_row(r["type"], r["camera"], str(r["alerts"]), str(r["confirmed"]),
                  str(r["dismissed"]), str(r["pending"]), _pct(r["precision"]),
                  _pct(r["false_positive_rate"]))
    console.print(t)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.0f} %"


@app.command("events-eval")
def events_eval(
    variants: Annotated[int, typer.Option("--variants", help="Versions of each scene")] = 1,
    noise: Annotated[float, typer.Option("--noise", help="Box jitter (normalised, 1 σ)")
                     ] = 0.002,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Recall and precision of the detectors on the labelled synthetic scenes."""
    from sentinelle.events.synthetic import evaluate
    from sentinelle.events.types import UNAVAILABLE

    if not 1 <= variants <= 100:
        fail(f"--variants must be between 1 and 100, got {variants}", 2)
    if not 0 <= noise <= 0.05:
        fail(f"--noise must be between 0 and 0.05, got {noise}", 2)
    res = evaluate(variants=variants, noise=noise)
    if as_json:
        print_json(dict(res, unavailable=dict(UNAVAILABLE)))
        return
    t = Table("event type", "labels", "found", "alerts", "recall", "precision")
    for e, c in res["per_type"].items():
        t.add_row(e, str(c["labels"]), str(c["found"]), str(c["alerts"]), _pct(c["recall"]),
                  _pct(c["precision"]))
    for e, why in UNAVAILABLE.items():
        t.add_row(e, "—", "—", "—", "unavailable", why)
    console.print(t)


@app.command("events-run")
def events_run(
    camera: Annotated[str, typer.Option("--camera", help="Camera id")],
    source: Annotated[str, typer.Option("--source", help="File or stream URL to analyse")],
    fps: Annotated[float, typer.Option("--fps", help="Frames analysed per second")] = 5.0,
) -> None:
    """Run event detection on one camera until its source or its legal basis ends.

    Refuses to start without a basis in force for the camera."""
    from sentinelle.events.runner import EventPipeline
    from sentinelle.vision.detector import Detector
    from sentinelle.vision.geometry import GeometryStore
    from sentinelle.vision.models import model_path

    with errors_to_exit():
        db, keys = db_and_keys()
        pipe = EventPipeline(db, keys, camera)
        basis = pipe.start()
        for e, why in pipe.skipped.items():
            err_console.print(f"not detected: {e}: {why}", highlight=False)
        geom = GeometryStore(db).get(camera, 0)
        state = pipe.run_source(source, Detector(model_path("yolox_nano")),
                                masks=geom.masks if geom else (), fps=fps)
    console.print(f"events on {camera} under basis #{basis.id}: {len(state.alerts)} alert(s); "
                  f"stopped: {state.stopped_by}", highlight=False)
