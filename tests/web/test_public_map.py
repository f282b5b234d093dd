"""The public map in a real browser (Debian chromium driven by Playwright)."""

import json

from tests.web.conftest import PASSWORD, PLANNER


def test_public_map_shows_cameras_zones_and_details(live_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert errors == []
    markers = page.locator(".leaflet-marker-icon.camera-marker")
    assert markers.count() == 22
    assert page.locator("path.zone-qpv").count() == 5
    assert page.locator("path.zone-quartier").count() == 12
    # The honesty note and the attributions are on the page.
    assert "Positions approximatives" in page.inner_text("#honesty")
    assert "OpenStreetMap" in page.inner_text("aside")
    # Click a camera: its public details open.
    page.locator(".camera-marker[title='Dalle Kennedy (Villejean) (1/2)']").click()
    popup = page.wait_for_selector(".camera-popup", timeout=5_000)
    text = popup.inner_text()
    assert "R09-1" in text and "Dalle Kennedy" in text
    assert "multicapteur" in text and "approximative" in text and "<=2020" in text
    # The coverage table names the five QPV.
    aside = page.inner_text("aside")
    for qpv in ("Villejean", "Maurepas", "Le Blosne", "Cleunay", "Champs Manceaux"):
        assert qpv in aside
    page.close()


def test_public_map_in_english_and_on_a_phone(live_server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server + "/?lang=en")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert "Approximate positions" in page.inner_text("#honesty")
    box = page.locator("#map").bounding_box()
    assert box["width"] <= 390 and box["height"] > 300
    page.close()


def test_no_stream_url_anywhere_in_the_public_api(live_server, browser):
    page = browser.new_page()
    for path in ("info", "cameras", "zones", "coverage", "basemap", "timeline"):
        resp = page.request.get(f"{live_server}/api/public/{path}")
        assert resp.status == 200
        body = resp.text()
        assert "rtsp" not in body and "stream_" not in body
        json.loads(body)
    page.close()


def test_planner_map_follows_a_turn(live_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(live_server + "/planner")
    assert "/login" in page.url  # closed page: the browser is sent to the login form
    page.fill("input[name=username]", PLANNER)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url("**/planner")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    marker = page.locator(".camera-marker[title='Dalle Kennedy (Villejean) (1/2)']")
    marker.click()
    assert "R09-1" in page.inner_text("#selected")
    before = page.inner_text("#network-figure")
    page.locator("#rotate").fill("45")
    page.wait_for_selector("#visible-area", timeout=10_000)
    assert page.inner_text("#visible-area").endswith("m²")
    assert "ms" in page.inner_text("#network-figure") and before != page.inner_text(
        "#network-figure")
    page.close()
