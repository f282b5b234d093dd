"""Web fixtures: the Rennes demo built once (with a logged-in client and a live server),
chromium, and a small app with one account per role for the access tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from sentinelle.access.audit import Actor
from sentinelle.access.keys import load_keys
from sentinelle.access.users import Role, Users
from sentinelle.db.engine import open_database
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings
from sentinelle.web.app import create_app
from tests.registry.factories import full_cameras

PASSWORD = "correct horse battery staple"
ROLES = [r.value for r in Role]
PLANNER = "test-planner"  # an admin account added to the demo home for the tests


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """A SENTINELLE_HOME with the Rennes demo built (once per test session)."""
    home = tmp_path_factory.mktemp("demo-home")
    exe = Path(sys.executable).parent / "sentinelle"
    env = {**os.environ, "SENTINELLE_HOME": str(home)}
    env.pop("SENTINELLE_DATABASE_URL", None)
    subprocess.run([str(exe), "demo", "--no-serve"], env=env, check=True, capture_output=True)
    settings = Settings(home=home, database_url=None)
    db = open_database(settings.url)
    Users(db, load_keys(settings)).add(username=PLANNER, password=PASSWORD, role="admin",
                                       actor=Actor.cli())
    db.dispose()
    return home


@pytest.fixture(scope="session")
def client(demo_home):
    """A client of the demo app, logged in as an admin (internal routes need a session)."""
    app = create_app(Settings(home=demo_home, database_url=None))
    with TestClient(app) as c:
        assert login(c, PLANNER).status_code == 303
        c.headers["X-CSRF-Token"] = c.get("/api/me").json()["csrf_token"]
        yield c


@pytest.fixture(scope="session")
def anonymous(demo_home):
    app = create_app(Settings(home=demo_home, database_url=None))
    with TestClient(app, follow_redirects=False) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(demo_home):
    """`sentinelle demo` serving on a free port, as a user starts it."""
    port = _free_port()
    exe = Path(sys.executable).parent / "sentinelle"
    env = {**os.environ, "SENTINELLE_HOME": str(demo_home)}
    env.pop("SENTINELLE_DATABASE_URL", None)
    proc = subprocess.Popen([str(exe), "demo", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"sentinelle demo exited: {proc.stdout.read()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("sentinelle demo did not answer within 60 s")
    yield url
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    assert f"Sentinelle: http://127.0.0.1:{port}/" in out


def login(client: TestClient, username: str, password: str = PASSWORD, *, code: str = "",
          next_: str = "") -> object:
    """Post the login form as a browser does (CSRF token from the page and its cookie)."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"username": username, "password": password,
                                       "code": code, "csrf_token": token, "next": next_},
                       follow_redirects=False)


def make_app(home: Path):
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'web.db'}")
    home.mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    Registry(app.state.db, keys=app.state.keys).save_cameras(full_cameras())
    users = Users(app.state.db, app.state.keys)
    for role in ROLES:
        users.add(username=role, password=PASSWORD, role=role, actor=Actor.cli())
    return app


@pytest.fixture(scope="module")
def web_app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("web") / "home")
    yield app
    app.state.db.dispose()


@pytest.fixture(scope="module")
def clients(web_app) -> dict[str | None, TestClient]:
    """A client per role (logged in), and `None` for anonymous."""
    def client() -> TestClient:
        return TestClient(web_app, raise_server_exceptions=False, follow_redirects=False)

    out: dict[str | None, TestClient] = {None: client()}
    for role in ROLES:
        c = client()
        assert login(c, role).status_code == 303
        c.headers["X-CSRF-Token"] = c.get("/api/me").json()["csrf_token"]
        out[role] = c
    return out


@pytest.fixture
def app(tmp_path):
    """A fresh app of its own (tests that change accounts or throttle logins)."""
    app = make_app(tmp_path / "home")
    yield app
    app.state.db.dispose()
