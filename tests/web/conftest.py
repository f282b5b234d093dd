"""A web app on a temporary home with a small registry and one account per role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sentinelle.access.audit import Actor
from sentinelle.access.users import Role, Users
from sentinelle.registry.store import Registry
from sentinelle.settings import Settings
from sentinelle.web.app import create_app
from tests.registry.factories import full_cameras

PASSWORD = "correct horse battery staple"
ROLES = [r.value for r in Role]


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
