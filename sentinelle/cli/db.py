"""`sentinelle db`: the schema."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from sentinelle.cli.common import console, errors_to_exit, get_settings
from sentinelle.db.engine import Database
from sentinelle.db.migrate import head_revision

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Migrate the database schema to the latest revision (also done on first use)."""
    with errors_to_exit():
        settings = get_settings()
        if settings.url.startswith("sqlite"):
            settings.ensure_home()
        db = Database(settings.url)
        before = db.current_revision()
        after = db.upgrade()
        safe = make_url(settings.url).render_as_string(hide_password=True)
        if before == after:
            console.print(f"{safe}: schema already at revision {after}")
        else:
            console.print(f"{safe}: schema upgraded {before or '(empty)'} → {after}")


@app.command("revision")
def revision() -> None:
    """Print the schema revision of the database and the latest one known."""
    with errors_to_exit():
        settings = get_settings()
        db = Database(settings.url)
        console.print(f"database: {db.current_revision() or '(empty)'}  latest: {head_revision()}")
