"""The database: an engine, sessions, and a schema that migrates itself on first use.

SQLite is the embedded default (WAL journal, busy timeout, foreign keys on), so that the web
app, recorders and the purge job can share one file. PostgreSQL works with the same schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sentinelle.errors import StorageError

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def create_db_engine(url: str) -> Engine:
    """An engine for `url`, with SQLite's pragmas set on each connection."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        msg = f"SENTINELLE_DATABASE_URL `{url}` is not a database URL: {exc}"
        raise StorageError(msg) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """An engine and a session factory over a migrated schema."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self) -> str:
        """Migrate the schema to the latest revision; return that revision."""
        from sentinelle.db.migrate import upgrade

        return upgrade(self.engine)

    def current_revision(self) -> str | None:
        from sentinelle.db.migrate import current_revision

        return current_revision(self.engine)

    def table_names(self) -> list[str]:
        return inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open the database at `url` and, unless told otherwise, bring its schema up to date."""
    db = Database(url)
    if migrate:
        try:
            db.upgrade()
        except OperationalError as exc:
            safe = make_url(url).render_as_string(hide_password=True)
            msg = f"cannot open database {safe}: {exc.orig}"
            raise StorageError(msg) from exc
    return db
