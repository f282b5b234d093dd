"""First accounts: the demo's admin and operator, with generated passwords shown once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sentinelle.access.audit import Actor
from sentinelle.access.habilitations import Habilitations, local_day
from sentinelle.access.keys import Keys
from sentinelle.access.passwords import generate_password
from sentinelle.access.users import Role, Users
from sentinelle.db.engine import Database
from sentinelle.errors import NotFoundError

DEMO_ACCOUNTS = (("admin", Role.admin, "Administrateur (démo)"),
                 ("operateur", Role.operator, "Opérateur CSU (démo)"))


@dataclass(frozen=True)
class NewAccount:
    """An account created now, with its password (to print once, never stored in clear)."""

    username: str
    role: Role
    password: str


def ensure_demo_accounts(
    db: Database, keys: Keys, *, actor: Actor | None = None, now: datetime | None = None
) -> list[NewAccount]:
    """Create the demo's ``admin`` and ``operateur`` when missing; return those created.

    The operator gets a one-year habilitation (live and replay, every camera) so that video
    features can be tried; training is dated today and its refresher due in a year.
    """
    actor = actor or Actor.cli()
    now = now or datetime.now(UTC)
    users = Users(db, keys)
    created: list[NewAccount] = []
    for username, role, full_name in DEMO_ACCOUNTS:
        try:
            users.get(username)
            continue
        except NotFoundError:
            pass
        password = generate_password()
        users.add(username=username, password=password, role=role, full_name=full_name,
                  service="Démo Sentinelle", actor=actor, now=now)
        created.append(NewAccount(username, role, password))
        if role is Role.operator:
            today: date = local_day(now)
            Habilitations(db, keys).grant(
                username=username, rights=["live", "replay"], all_cameras=True,
                valid_from=today, valid_until=today + timedelta(days=365),
                training_date=today, refresher_due=today + timedelta(days=365),
                actor=actor, note="demo account", now=now,
            )
    return created
