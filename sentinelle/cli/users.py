"""`sentinelle users`: named accounts and their roles."""

from __future__ import annotations

import typer
from rich.table import Table

from sentinelle.access.audit import Actor
from sentinelle.access.passwords import generate_password
from sentinelle.access.users import Role, Users
from sentinelle.cli.common import (
    console,
    db_and_keys,
    errors_to_exit,
    print_json,
)

app = typer.Typer(help="User accounts: operator, supervisor, dpo, auditor, admin.",
                  no_args_is_help=True)


def _users() -> Users:
    return Users(*db_and_keys())


@app.command("add")
def add(
    username: str = typer.Argument(..., help="Lower-case login name, e.g. j.martin"),
    role: str = typer.Option(..., "--role", help=", ".join(r.value for r in Role)),
    full_name: str | None = typer.Option(None, "--full-name"),
    service: str | None = typer.Option(None, "--service", help="e.g. Police municipale"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input"
    ),
) -> None:
    """Create an account; without --password-stdin a password is generated and printed once."""
    password = typer.get_text_stream("stdin").readline().rstrip("\n") if password_stdin \
        else generate_password()
    with errors_to_exit():
        user = _users().add(username=username, password=password, role=role,
                            full_name=full_name, service=service, actor=Actor.cli())
    console.print(f"user {user.username} created with role {user.role.value}")
    if not password_stdin:
        console.print(f"password (shown once): [bold]{password}[/]", highlight=False)


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """List the accounts (never their secrets)."""
    with errors_to_exit():
        users = _users().all()
    if json_out:
        print_json([u.as_dict() for u in users])
        return
    t = Table(title=f"{len(users)} users")
    for col in ("username", "role", "full name", "service", "active", "TOTP", "created"):
        t.add_column(col)
    for u in users:
        t.add_row(u.username, u.role.value, u.full_name or "", u.service or "",
                  "yes" if u.active else "NO", "yes" if u.totp_enabled else "",
                  u.created_at.strftime("%Y-%m-%d"))
    console.print(t)


@app.command("disable")
def disable(username: str) -> None:
    """Disable an account and end its sessions (accounts are never deleted)."""
    with errors_to_exit():
        _users().disable(username, actor=Actor.cli())
    console.print(f"user {username} disabled")


@app.command("enable")
def enable(username: str) -> None:
    """Enable a disabled account again."""
    with errors_to_exit():
        _users().enable(username, actor=Actor.cli())
    console.print(f"user {username} enabled")


@app.command("passwd")
def passwd(
    username: str,
    password_stdin: bool = typer.Option(False, "--password-stdin"),
) -> None:
    """Set a new password (generated and printed once unless read from stdin)."""
    password = typer.get_text_stream("stdin").readline().rstrip("\n") if password_stdin \
        else generate_password()
    with errors_to_exit():
        _users().set_password(username, password, actor=Actor.cli())
    console.print(f"password of {username} changed; its sessions are ended")
    if not password_stdin:
        console.print(f"password (shown once): [bold]{password}[/]", highlight=False)


@app.command("totp")
def totp(
    username: str,
    off: bool = typer.Option(False, "--off", help="Remove the second factor"),
) -> None:
    """Give an account a TOTP second factor; prints the otpauth:// URI once."""
    with errors_to_exit():
        if off:
            _users().disable_totp(username, actor=Actor.cli())
            console.print(f"TOTP removed for {username}")
            return
        uri = _users().enable_totp(username, actor=Actor.cli())
    console.print(f"TOTP enabled for {username}; add this to an authenticator app (shown once):")
    console.print(uri, highlight=False, soft_wrap=True)
