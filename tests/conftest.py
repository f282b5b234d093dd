"""Shared fixtures: databases on SQLite and PostgreSQL, the shared data folder, a CLI runner.

PostgreSQL tests use SENTINELLE_TEST_PG_URL (scripts/test starts the packaged cluster when
run as root). Under CI=true they fail when the server is missing, never skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from sentinelle.db.engine import Database, open_database

DEFAULT_PG_URL = "postgresql+psycopg://sentinelle:sentinelle@127.0.0.1:5432/sentinelle_test"
ROOT = Path(__file__).resolve().parent.parent
#: Public data the tests read that the package does not ship (see tests/data/SOURCES.md); the
#: Rennes files come from the package itself (`sentinelle.demo.rennes.data_dir()`).
TEST_DATA = ROOT / "tests" / "data"


def pg_url() -> str:
    return os.environ.get("SENTINELLE_TEST_PG_URL", DEFAULT_PG_URL)


def _reset_pg(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sentinelle.db'}"
    url = pg_url()
    try:
        _reset_pg(url)
    except OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL required under CI=true but unreachable at {url}: {exc.orig}")
        pytest.skip(f"PostgreSQL unreachable ({url}); run scripts/test as root to start it")
    return url


@pytest.fixture
def db(db_url) -> Database:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch) -> None:
    """Every test gets its own SENTINELLE_HOME (secret.key lands there), no server secret."""
    monkeypatch.setenv("SENTINELLE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SENTINELLE_SECRET_KEY", raising=False)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A SENTINELLE_HOME of its own, with the default SQLite database in it."""
    h = tmp_path / "home"
    monkeypatch.setenv("SENTINELLE_HOME", str(h))
    monkeypatch.delenv("SENTINELLE_DATABASE_URL", raising=False)
    return h


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, one for the whole session. Defined here only:
    a module that imports it makes a second fixture, and a second Playwright in the same
    process fails ("Sync API inside the asyncio loop")."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required under CI=true (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()
