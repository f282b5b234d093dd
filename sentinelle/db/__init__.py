"""Storage: engine (SQLite by default, PostgreSQL by URL), ORM tables, Alembic migrations."""

from sentinelle.db.engine import Database, open_database

__all__ = ["Database", "open_database"]
