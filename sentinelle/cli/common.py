"""What every command shares: settings, the database, the console, error exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, tzinfo
from typing import Any, NoReturn

import typer
from rich.console import Console

from sentinelle.access.keys import Keys, load_keys
from sentinelle.db.engine import Database, open_database
from sentinelle.errors import InputError, SentinelleError
from sentinelle.settings import Settings

console = Console()
err_console = Console(stderr=True)


def get_settings() -> Settings:
    return Settings()


def get_database(settings: Settings | None = None) -> Database:
    settings = settings or get_settings()
    if settings.url.startswith("sqlite"):
        settings.ensure_home()
    return open_database(settings.url)


def get_keys(settings: Settings | None = None) -> Keys:
    """The installation's keys (SENTINELLE_SECRET_KEY, or secret.key in SENTINELLE_HOME)."""
    return load_keys(settings or get_settings())


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """Turn Sentinelle's errors into a clear message on stderr and a non-zero exit."""
    try:
        yield
    except InputError as exc:
        if exc.errors and len(exc.errors) > 1:
            for e in exc.errors:
                err_console.print(f"[red]rejected:[/] {e}", highlight=False)
        fail(str(exc), 2)
    except SentinelleError as exc:
        fail(str(exc), 1)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def db_and_keys() -> tuple[Database, Keys]:
    """The database and the keys of the configured home."""
    settings = get_settings()
    return get_database(settings), get_keys(settings)


def parse_time(value: str, option: str, *, naive_tz: tzinfo = UTC,
               example: str = "2026-11-25T10:00:00Z") -> datetime:
    """An ISO 8601 time given as `option`; without an offset it is read in `naive_tz`. A bad
    value exits 2 naming the option."""
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(f"{option} `{value}` is not an ISO 8601 time (e.g. {example})", 2)
    return t if t.tzinfo else t.replace(tzinfo=naive_tz)


def parse_date(value: str, option: str) -> date:
    """A date (YYYY-MM-DD) given as `option`; a bad value exits 2 naming the option."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"{option} `{value}` is not a date (YYYY-MM-DD)", 2)
