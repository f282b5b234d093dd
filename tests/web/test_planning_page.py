"""The planning page in a real browser: edit, run two scenarios, see sites, compare."""

from __future__ import annotations

import pytest

from sentinelle.access.audit import Actor
from sentinelle.access.users import Users
from sentinelle.settings import Settings
from sentinelle.web import create_app
from tests.plan import city
from tests.plan.test_run_cli import _store_city
from tests.servers import serve_app
from tests.web.conftest import PASSWORD


@pytest.fixture
def city_server(tmp_path):
    home = tmp_path / "home"
    _store_city(home)
    files = city.write_files(tmp_path / "in")
    text = city.SCENARIO
    for name in ("population.geojson", "incidents.csv", "metro.geojson"):
        text = text.replace(f'"{name}"', f'"{files[name.split(".")[0]]}"')
    app = create_app(Settings(home=home, database_url=None))
    Users(app.state.db, app.state.keys).add(username="planner", password=PASSWORD,
                                            role="supervisor", actor=Actor.cli())
    with serve_app(app) as url:
        yield url, text


def test_planning_page_runs_and_compares(city_server, browser):
    url, text = city_server
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/planning")  # closed: the login form first, then back to the page
    page.fill("#username", "planner")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/planning")
    page.wait_for_function("document.getElementById('scenario').value.includes('new_cameras')")
    # A bad key is reported with its line, nothing runs.
    page.fill("#scenario", text.replace("new_cameras = 6", "new_camera = 6"))
    page.click("#validate")
    page.wait_for_selector("#message.error")
    assert "siting" in page.inner_text("#message")
    # Two scenarios, run in the background one after the other.
    page.fill("#scenario", text)
    page.fill("#label", "six caméras")
    page.click("#run")
    page.fill("#scenario", text.replace("new_cameras = 6", "new_cameras = 3"))
    page.fill("#label", "trois caméras")
    page.click("#run")
    page.wait_for_function(
        "document.querySelectorAll('#jobs tr').length === 2 && "
        "[...document.querySelectorAll('#jobs tr')].every(r => r.innerText.includes('terminé'))",
        timeout=120_000,
    )
    page.wait_for_selector("#comparison")
    table = page.inner_text("#comparison")
    assert "six caméras" in table and "trois caméras" in table and "QPV Ouest" in table
    page.wait_for_function("document.querySelectorAll('#map-a path.site-proposed').length > 0")
    page.wait_for_function("document.querySelectorAll('#map-b path.site-proposed').length > 0")
    assert page.locator("#map-b path.site-proposed").count() <= 3
    pdf_links = page.locator("#jobs a", has_text="PDF")
    assert pdf_links.count() == 2
    href = pdf_links.first.get_attribute("href")
    assert page.request.get(url + href).body()[:5] == b"%PDF-"  # with the session cookie
    assert errors == []
    page.close()
