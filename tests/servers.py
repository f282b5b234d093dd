"""A Sentinelle web app served by uvicorn in a thread, for the browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


@contextmanager
def serve_app(app, *, timeout_s: float = 20) -> Iterator[str]:
    """Serve `app` on a free loopback port until the block ends; yields its base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            msg = f"the web app did not answer on {url} within {timeout_s:.0f} s"
            raise RuntimeError(msg)
        time.sleep(0.2)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def log_in(page, username: str, password: str) -> None:
    """Fill and send the login form the page was redirected to."""
    page.wait_for_url("**/login**")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def open_logged_in(browser, base: str, path: str, username: str, password: str, *,
                   width: int = 1300, height: int = 900):  # noqa: ANN201 - a Playwright page
    """A new chromium page sent to `base + path`, logged in as `username` on the login form it
    is redirected to, and back on `path`; returns the page and the list its script errors
    are appended to."""
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + path)
    log_in(page, username, password)
    page.wait_for_url("**" + path.split("?")[0] + "**")
    return page, errors
