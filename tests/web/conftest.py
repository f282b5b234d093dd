"""Web fixtures: the Rennes demo built once, an in-process client, a live server, chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """A SENTINELLE_HOME with the Rennes demo built (once per test session)."""
    home = tmp_path_factory.mktemp("demo-home")
    exe = Path(sys.executable).parent / "sentinelle"
    env = {**os.environ, "SENTINELLE_HOME": str(home)}
    env.pop("SENTINELLE_DATABASE_URL", None)
    subprocess.run([str(exe), "demo", "--no-serve"], env=env, check=True, capture_output=True)
    return home


@pytest.fixture(scope="session")
def client(demo_home):
    from fastapi.testclient import TestClient

    from sentinelle.settings import Settings
    from sentinelle.web import create_app

    app = create_app(Settings(home=demo_home, database_url=None))
    with TestClient(app) as c:
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


@pytest.fixture(scope="session")
def browser():
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
