"""`sentinelle log` and `sentinelle tickets`: the control room's log and maintenance tickets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from sentinelle.access.audit import Actor
from sentinelle.cli.common import (
    console,
    db_and_keys,
    errors_to_exit,
    print_json,
)

log_app = typer.Typer(help="The control room's log (main courante).", no_args_is_help=True)
tickets_app = typer.Typer(help="Maintenance tickets: open, close, list.", no_args_is_help=True)


def _book():
    """The log and tickets, audited as the machine's operator (``cli:<os user>``)."""
    from sentinelle.access.audit import AuditLog
    from sentinelle.record.logbook import Logbook
    from sentinelle.registry.store import Registry

    db, keys = db_and_keys()
    known = {c.id for c in Registry(db, keys=keys).cameras()}
    return Logbook(db, AuditLog(db, keys), known_camera=known.__contains__)


def _t(t: datetime | None) -> str:
    return f"{t:%Y-%m-%d %H:%M:%S}" if t else "—"


@log_app.command("add")
def log_add(
    text: Annotated[str, typer.Option("--text", help="What was observed or done")],
    category: Annotated[str, typer.Option(
        "--category", help="incident | signalement | maintenance | other")] = "other",
    camera: Annotated[str | None, typer.Option("--camera", help="Camera id")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entry as JSON")] = False,
) -> None:
    """Write an entry in the control room's log (audited: log_entry)."""
    with errors_to_exit():
        entry = _book().add(camera_id=camera, category=category, text=text,
                            actor=Actor.cli(), now=datetime.now(UTC))
    if as_json:
        print_json(entry.as_json())
    else:
        console.print(f"log entry {entry.id} written", highlight=False)


@log_app.command("list")
def log_list(
    camera: Annotated[str | None, typer.Option("--camera", help="Only this camera")] = None,
    category: Annotated[str | None, typer.Option("--category", help="Only this category")
                        ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many entries")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """List log entries, newest first (times in UTC)."""
    with errors_to_exit():
        entries = _book().entries(camera_id=camera, category=category, limit=limit)
    if as_json:
        print_json({"entries": [e.as_json() for e in entries]})
        return
    table = Table("id", "at (UTC)", "camera", "category", "author", "text")
    for e in entries:
        table.add_row(str(e.id), _t(e.at), e.camera_id or "—", e.category, e.author, e.text)
    console.print(table)


@tickets_app.command("open")
def tickets_open(
    camera: Annotated[str, typer.Option("--camera", help="Camera id")],
    fault: Annotated[str, typer.Option("--fault", help="What is wrong")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the ticket as JSON")] = False,
) -> None:
    """Open a maintenance ticket for a camera (audited: ticket_change)."""
    with errors_to_exit():
        ticket = _book().open_ticket(camera_id=camera, fault=fault, actor=Actor.cli(),
                                     now=datetime.now(UTC))
    if as_json:
        print_json(ticket.as_json())
    else:
        console.print(f"ticket {ticket.id} opened for {ticket.camera_id}", highlight=False)


@tickets_app.command("close")
def tickets_close(
    ticket_id: Annotated[int, typer.Argument(help="Ticket number")],
    resolution: Annotated[str | None, typer.Option("--resolution", help="What was done")
                          ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the ticket as JSON")] = False,
) -> None:
    """Close a maintenance ticket (audited: ticket_change)."""
    with errors_to_exit():
        ticket = _book().close_ticket(ticket_id, actor=Actor.cli(), now=datetime.now(UTC),
                                      resolution=resolution)
    if as_json:
        print_json(ticket.as_json())
    else:
        console.print(f"ticket {ticket.id} closed", highlight=False)


@tickets_app.command("list")
def tickets_list(
    camera: Annotated[str | None, typer.Option("--camera", help="Only this camera")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open tickets")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """List maintenance tickets, newest first (times in UTC)."""
    with errors_to_exit():
        tickets = _book().tickets(camera_id=camera, open_only=open_only)
    if as_json:
        print_json({"tickets": [t.as_json() for t in tickets]})
        return
    table = Table("id", "camera", "fault", "opened (UTC)", "by", "closed (UTC)", "by",
                  "resolution")
    for t in tickets:
        table.add_row(str(t.id), t.camera_id, t.fault, _t(t.opened_at), t.opened_by,
                      _t(t.closed_at), t.closed_by or "—", t.resolution or "—")
    console.print(table)
