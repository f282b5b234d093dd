"""`sentinelle requisitions`: judicial requisitions, their holds and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
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

app = typer.Typer(help="Judicial requisitions: record, list, close, export outcomes.",
                  no_args_is_help=True)


def _store():
    from sentinelle.custody.requisitions import RequisitionStore

    return RequisitionStore(*db_and_keys())


def _yes_no(value: str, name: str) -> bool:
    v = value.strip().lower()
    if v in {"yes", "y", "oui", "o", "1", "true"}:
        return True
    if v in {"no", "n", "non", "0", "false"}:
        return False
    from sentinelle.errors import InputError

    msg = f"`{name}` '{value}' must be yes or no"
    raise InputError(msg)


@app.command("add")
def add(
    reference: Annotated[str, typer.Argument(help="The requisition's number")],
    authority: Annotated[str, typer.Option("--authority", help="Requesting authority")],
    officer: Annotated[str, typer.Option("--officer", help="OPJ or magistrate")],
    window: Annotated[list[str] | None, typer.Option(
        "--window", help="CAMERA@START/END in ISO 8601 (UTC without offset); repeat")] = None,
    document: Annotated[str | None, typer.Option(
        "--document", help="The requisition document received (file name or reference)")
    ] = None,
    procedure: Annotated[str | None, typer.Option(
        "--procedure", help="flagrance | preliminaire | information_judiciaire")] = None,
    category: Annotated[str | None, typer.Option(
        "--category", help="Offence category (for evaluate usefulness)")] = None,
    hold_days: Annotated[int, typer.Option(
        "--hold-days", help="Hold the windows at most this many days if never closed")] = 365,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Record a requisition (or complete one recorded incomplete) and hold its windows
    (audited: requisition_change, hold_change)."""
    from sentinelle.custody.requisitions import parse_window

    with errors_to_exit():
        windows = [parse_window(w) for w in window or []]
        r = _store().add(reference, authority=authority, officer=officer, document=document,
                         procedure=procedure, category=category, windows=windows,
                         actor=Actor.cli(), now=datetime.now(UTC), hold_days=hold_days)
    if as_json:
        print_json(r.as_dict())
    else:
        flag = " (incomplete: no document)" if r.incomplete else ""
        console.print(f"requisition {r.reference} recorded, {len(r.windows)} window(s) "
                      f"held{flag}", highlight=False)


@app.command("list")
def list_cmd(
    open_only: Annotated[bool, typer.Option("--open", help="Only open requisitions")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """List requisitions, newest first (times in UTC)."""
    with errors_to_exit():
        rows = _store().list(open_only=open_only)
    if as_json:
        print_json({"requisitions": [r.as_dict() for r in rows]})
        return
    table = Table("reference", "authority", "officer", "procedure", "windows", "opened",
                  "state", "found/useful/solved")
    for r in rows:
        state = "incomplete" if r.incomplete else ("open" if r.is_open else "closed")
        if not r.is_open and r.incomplete:
            state = "closed, incomplete"
        outcome = "—" if r.is_open else "/".join(
            "yes" if v else "no" for v in (r.footage_found, r.useful, r.case_solved))
        table.add_row(r.reference, r.authority or "—", r.officer or "—", r.procedure or "—",
                      str(len(r.windows)), f"{r.opened_at:%Y-%m-%d %H:%M}", state, outcome)
    console.print(table)


@app.command("close")
def close(
    reference: Annotated[str, typer.Argument(help="The requisition's number")],
    footage_found: Annotated[str, typer.Option("--footage-found", help="yes | no")],
    useful: Annotated[str, typer.Option("--useful", help="yes | no")],
    case_solved: Annotated[str, typer.Option("--case-solved", help="yes | no")],
    notes: Annotated[str | None, typer.Option("--notes", help="Remarks")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Record the outcome, close the requisition, release its holds (audited)."""
    with errors_to_exit():
        r = _store().close(reference, footage_found=_yes_no(footage_found, "--footage-found"),
                           useful=_yes_no(useful, "--useful"),
                           case_solved=_yes_no(case_solved, "--case-solved"),
                           notes=notes, actor=Actor.cli(), now=datetime.now(UTC))
    if as_json:
        print_json(r.as_dict())
    else:
        console.print(f"requisition {r.reference} closed, its holds released",
                      highlight=False)


@app.command("export-cases")
def export_cases(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write")],
) -> None:
    """Write closed requisitions' outcomes as the investigations CSV that
    `sentinelle evaluate usefulness --cases` reads."""
    with errors_to_exit():
        n = _store().export_cases(out)
    console.print(f"{n} case(s) written to {out}", highlight=False)
