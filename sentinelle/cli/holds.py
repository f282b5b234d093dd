"""`sentinelle holds`: legal holds on footage (what retention may not purge)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from sentinelle.cli.common import (
    console,
    db_and_keys,
    errors_to_exit,
    get_database,
    print_json,
)

app = typer.Typer(help="Legal holds on footage.", no_args_is_help=True)


def _t(t: datetime | None) -> str:
    return f"{t:%Y-%m-%d %H:%M:%S}" if t else "—"


@app.command("list")
def list_cmd(
    camera: Annotated[str | None, typer.Option("--camera", help="Only this camera")] = None,
    all_: Annotated[bool, typer.Option(
        "--all", help="Also holds ended or released")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """List legal holds, active ones only unless --all (times in UTC)."""
    from sentinelle.custody.holds import HoldStore

    now = datetime.now(UTC)
    with errors_to_exit():
        store = HoldStore(get_database())
        holds = store.list(camera_id=camera, active_at=None if all_ else now)
    if as_json:
        print_json({"holds": [h.as_dict(now=now) for h in holds]})
        return
    table = Table("id", "camera", "from (UTC)", "to (UTC)", "kind", "reason", "until",
                  "state")
    for h in holds:
        state = "active" if h.active_at(now) else (
            f"released {_t(h.released_at)}" if h.released_at else "ended")
        table.add_row(str(h.id), h.camera_id, _t(h.start), _t(h.end), h.kind, h.reason,
                      _t(h.until), state)
    console.print(table)


@app.command("add")
def add(
    camera: Annotated[str, typer.Option("--camera", help="Camera id")],
    start: Annotated[str, typer.Option("--from", help="Start of the held footage (ISO 8601)")],
    end: Annotated[str, typer.Option("--to", help="End of the held footage (ISO 8601)")],
    reason: Annotated[str, typer.Option("--reason", help="Why (procedure, complaint…)")],
    until: Annotated[str, typer.Option("--until", help="When the hold ends (ISO 8601)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Place a manual legal hold (audited: hold_change). Times are UTC without an offset.
    Prefer `requisitions add`, which holds a requisition's windows."""
    from sentinelle.access.audit import Actor
    from sentinelle.custody.common import parse_time
    from sentinelle.custody.holds import HoldStore

    now = datetime.now(UTC)
    with errors_to_exit():
        h = HoldStore(*db_and_keys()).add(
            camera, parse_time(start, "--from"), parse_time(end, "--to"), reason=reason,
            until=parse_time(until, "--until"), actor=Actor.cli(), now=now)
    if as_json:
        print_json(h.as_dict(now=now))
    else:
        console.print(f"hold {h.id} placed on {h.camera_id} until {h.until:%Y-%m-%d %H:%M}",
                      highlight=False)


@app.command("release")
def release(
    hold_id: Annotated[int, typer.Argument(help="Hold number")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is released")],
) -> None:
    """Release a hold before its end (audited: hold_change)."""
    from sentinelle.access.audit import Actor
    from sentinelle.custody.holds import HoldStore

    with errors_to_exit():
        h = HoldStore(*db_and_keys()).release(
            hold_id, actor=Actor.cli(), now=datetime.now(UTC), reason=reason)
    console.print(f"hold {h.id} released", highlight=False)
