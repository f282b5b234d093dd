"""`sentinelle audit`: verify, list and purge the legal audit log."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.table import Table

from sentinelle.access.audit import Actor, AuditLog
from sentinelle.cli.common import (
    console,
    err_console,
    errors_to_exit,
    fail,
    get_database,
    get_keys,
    get_settings,
    print_json,
)
from sentinelle.errors import InputError

app = typer.Typer(help="The audit log: who saw, exported or changed what.", no_args_is_help=True)


def _audit() -> AuditLog:
    settings = get_settings()
    return AuditLog(get_database(settings), get_keys(settings))


def _when(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} `{text}`: expected an ISO 8601 time") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@app.command("verify")
def verify(json_out: bool = typer.Option(False, "--json", help="Print the result as JSON")) -> None:
    """Check the whole hash chain and the signed head; exit 1 naming the first bad seq."""
    with errors_to_exit():
        result = _audit().verify()
    if json_out:
        print_json(result.as_dict())
    elif result.ok and result.entries == 0:
        console.print("audit log intact: no entries")
    elif result.ok:
        console.print(f"audit log intact: {result.entries} entries, seq {result.base_seq + 1}"
                      f"–{result.head_seq}, head checkpoint signature valid")
    if not result.ok:
        where = f"seq {result.first_bad_seq}" if result.first_bad_seq else "head checkpoint"
        err_console.print(f"[bold red]audit log NOT intact[/] at {where}: {result.problem}",
                          highlight=False)
        raise typer.Exit(1)


@app.command("list")
def list_(
    json_out: bool = typer.Option(False, "--json", help="Print JSON"),
    limit: int = typer.Option(50, "--limit", min=1, help="How many entries (newest first)"),
    actor: str | None = typer.Option(None, "--actor"),
    action: str | None = typer.Option(None, "--action"),
    object_id: str | None = typer.Option(None, "--object", help="Object id, e.g. a camera id"),
    since: str | None = typer.Option(None, "--since", help="ISO 8601 (UTC when no offset)"),
    until: str | None = typer.Option(None, "--until", help="ISO 8601 (UTC when no offset)"),
) -> None:
    """List audit entries, newest first."""
    with errors_to_exit():
        entries = _audit().entries(
            limit=limit, actor=actor, action=action, object_id=object_id,
            since=_when(since, "--since"), until=_when(until, "--until"),
        )
    if json_out:
        print_json([e.as_dict() for e in entries])
        return
    t = Table(title=f"{len(entries)} audit entries")
    for col in ("seq", "time (UTC)", "actor", "role", "action", "outcome", "object", "basis"):
        t.add_column(col)
    for e in entries:
        obj = ":".join(x for x in (e.object_type, e.object_id) if x)
        t.add_row(str(e.seq), e.ts.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.role, e.action,
                  e.outcome, obj, e.legal_basis)
    console.print(t)


@app.command("purge")
def purge(
    now: str | None = typer.Option(None, "--now", help="ISO 8601; default now"),
    retention_days: int | None = typer.Option(
        None, "--retention-days", help="Default SENTINELLE_AUDIT_RETENTION_DAYS (1095)"
    ),
) -> None:
    """Remove entries older than the audit retention (the chain stays verifiable)."""
    with errors_to_exit():
        settings = get_settings()
        days = retention_days or settings.audit_retention_days
        if days < 365:
            fail(f"--retention-days {days}: the audit log is kept at least 365 days")
        n = AuditLog(get_database(settings), get_keys(settings)).purge(
            retention_days=days, actor=Actor.cli(), now=_when(now, "--now")
        )
    console.print(f"{n} audit entries older than {days} days removed")
