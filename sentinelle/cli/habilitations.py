"""`sentinelle habilitations`: who may see which cameras' images (CSI L252-2, R252-12)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import typer
from rich.table import Table

from sentinelle.access.audit import Actor
from sentinelle.access.habilitations import Habilitations, local_day
from sentinelle.cli.common import (
    console,
    db_and_keys,
    errors_to_exit,
    print_json,
)
from sentinelle.errors import InputError

app = typer.Typer(help="Habilitations: rights to see cameras' images.", no_args_is_help=True)


def _habs() -> Habilitations:
    return Habilitations(*db_and_keys())


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} `{text}`: expected YYYY-MM-DD") from None


def _split(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


@app.command("grant")
def grant(
    username: str = typer.Argument(..., help="The person habilitated"),
    rights: str = typer.Option(..., "--rights", help="live,replay,export"),
    cameras: str | None = typer.Option(None, "--cameras", help="Camera ids, comma-separated"),
    zones: str | None = typer.Option(
        None, "--zones", help="Zones kind:name, comma-separated (e.g. quartier:Centre)"
    ),
    all_cameras: bool = typer.Option(False, "--all-cameras", help="Every camera"),
    valid_from: str | None = typer.Option(None, "--from", help="YYYY-MM-DD; default today"),
    valid_until: str = typer.Option(..., "--until", help="YYYY-MM-DD (inclusive)"),
    training: str = typer.Option(..., "--training", help="Data-protection training date"),
    refresher_due: str = typer.Option(..., "--refresher-due", help="Refresher due date"),
    territory: str | None = typer.Option(None, "--territory", help="Zone kind:name (R15)"),
    authorisation: str | None = typer.Option(None, "--authorisation", help="Prefectoral ref"),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Grant a habilitation (recorded in the audit log)."""
    with errors_to_exit():
        now = datetime.now(UTC)
        hab = _habs().grant(
            username=username, rights=rights, cameras=_split(cameras), zones=_split(zones),
            all_cameras=all_cameras,
            valid_from=_day(valid_from, "--from") if valid_from else local_day(now),
            valid_until=_day(valid_until, "--until"), training_date=_day(training, "--training"),
            refresher_due=_day(refresher_due, "--refresher-due"), territory=territory,
            authorisation=authorisation, note=note, actor=Actor.cli(), now=now,
        )
    console.print(f"habilitation {hab.id} granted to {hab.username}: "
                  f"{','.join(hab.rights)} until {hab.valid_until}")


@app.command("list")
def list_(
    user: str | None = typer.Option(None, "--user"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """List habilitations with their state today."""
    with errors_to_exit():
        habs = _habs().list(username=user)
    today = local_day(datetime.now(UTC))
    if json_out:
        print_json([h.as_dict(today=today) for h in habs])
        return
    t = Table(title=f"{len(habs)} habilitations")
    for col in ("id", "user", "rights", "scope", "from", "until", "refresher", "state"):
        t.add_column(col)
    for h in habs:
        scope = "all cameras" if h.all_cameras else ", ".join([*h.camera_ids, *h.zones])
        t.add_row(str(h.id), h.username, ",".join(h.rights), scope, str(h.valid_from),
                  str(h.valid_until), str(h.refresher_due), h.state(today))
    console.print(t)


@app.command("revoke")
def revoke(
    habilitation_id: int = typer.Argument(...),
    reason: str | None = typer.Option(None, "--reason"),
) -> None:
    """Revoke a habilitation (it stays listed as revoked)."""
    with errors_to_exit():
        _habs().revoke(habilitation_id, actor=Actor.cli(), reason=reason)
    console.print(f"habilitation {habilitation_id} revoked")
