"""The page in headless Debian Chromium, against the app served on 127.0.0.1 by the tests.

Map tiles are answered locally (a 1x1 PNG) or refused, so nothing leaves the machine.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect, sync_playwright

from flask_app import create_app
from tests.browser_support import CHROMIUM, LiveServer, launch_chromium
from tests.conftest import write_xlsx
from tests.fake_shortener import FakeShortener, Route

TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)
PIN = "https://www.google.com/maps/place/Eiffel/@1,1,15z/data=!3m1!4b1!4m2!3m1!8m2!3d48.8583701!4d2.2944813"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the screenshots go: a temporary folder, or MAPLINK_SCREENSHOTS_DIR (set it to
    docs/screenshots to refresh the README's; only review-1280/review-375 are kept there, the
    others show test hosts)."""
    chosen = os.environ.get("MAPLINK_SCREENSHOTS_DIR")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def shortener():
    server = FakeShortener().start()
    server.routes["/share"] = Route(location="https://maps.google.com/?q=51.50068,-0.12469")
    server.default_route = Route(
        location="@https://maps.google.com/?q=10.5,20.25&n={path}", delay_seconds=1.0
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live_server(shortener):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium chromium-driver")
    data_dir = tempfile.mkdtemp(prefix="browser-data-")
    app = create_app(
        {
            "DATA_DIR": data_dir,
            "SHORTLINK_HOSTS": shortener.host,
            "ALLOW_PRIVATE_NETWORKS": True,
            "MAX_UPLOAD_BYTES": 200_000,
            "UPLOADS_PER_MINUTE": 0,
        }
    )
    server = LiveServer(app).start()
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser_context():
    with sync_playwright() as playwright:
        context = launch_chromium(playwright)
        context.route(
            "https://tile.openstreetmap.org/**",
            lambda route: route.fulfill(body=TILE_PNG, content_type="image/png"),
        )
        yield context
        context.close()


@pytest.fixture
def page(browser_context):
    """A fresh tab that records console errors, dialogs and CSP violations."""
    page = browser_context.new_page()
    page.console_errors = []
    page.dialogs = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', "
        "(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    yield page
    page.close()


def mixed_workbook(tmp_path: Path, shortener: FakeShortener) -> Path:
    rows = [
        ["Name", "Map link", "City"],
        ["Eiffel Tower", PIN, "Paris"],
        ["Nothing here", "", "Nowhere"],
        ["Broken", "https://example.com/not-a-map", "?"],
        ["Big Ben", shortener.url("/share"), "London"],
        ["Sydney", "-33.8567844, 151.2152967", "Sydney"],
        [XSS, "geo:12.5,-3.25", XSS],
    ]
    return write_xlsx(tmp_path / "places.xlsx", rows)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def tab_to(page, expression: str, expected: str, limit: int = 12) -> None:
    """Press Tab until the focused element matches, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(expression) == expected:
            return
    raise AssertionError(f"Tab never reached {expected!r}")


def upload(page, path: Path) -> None:
    page.set_input_files("#file-input", str(path))
    expect(page.locator("#check-section")).to_be_visible(timeout=15_000)


def wait_review(page) -> None:
    expect(page.locator("#review-section")).to_be_visible(timeout=30_000)
    page.locator("#map[data-marker-count]").wait_for(timeout=15_000)


def test_whole_flow(page, live_server, shortener, tmp_path, screenshots):
    source = mixed_workbook(tmp_path, shortener)
    page.goto(live_server.url)
    page.screenshot(path=str(screenshots / "1-upload.png"), full_page=True)
    upload(page, source)
    expect(page.locator("#column-select")).to_have_value("Map link")
    expect(page.locator("#preview-table th[data-link-column]")).to_have_text("Map link")
    expect(page.locator("#file-summary")).to_contain_text("6 rows")
    page.screenshot(path=str(screenshots / "2-check.png"), full_page=True)
    page.click("#convert-button")
    wait_review(page)
    expect(page.locator("#job-bar")).to_have_attribute("value", "6")
    expect(page.locator("#job-text")).to_contain_text("Done: 6 of 6 rows (100 %)")
    session_id = page.evaluate("location.hash.slice(1)")
    api = page.request
    status = api.get(f"{live_server.url}/status/{session_id}").json()
    assert status["counts"] == {"ok": 4, "failed": 1, "skipped": 1}
    cards = page.locator(".stat-card__value").all_text_contents()
    assert cards == ["6", "4", "1", "1"]
    results = api.get(f"{live_server.url}/results/{session_id}").json()["rows"]
    table_rows = page.locator("#results-table tbody tr")
    expect(table_rows).to_have_count(6)
    for index, row in enumerate(results):
        cells = table_rows.nth(index).locator("td")
        # The table leads with what matters: row, status, latitude, longitude, note.
        assert cells.nth(0).text_content() == str(row["row_number"])
        assert cells.nth(1).text_content() == row["status"]
        assert cells.nth(2).text_content() == ("" if row["lat"] is None else str(row["lat"]))
        assert cells.nth(4).text_content().startswith(row["note"])
        assert cells.nth(6).locator(".link-text").get_attribute("title") == row["link"]
    assert page.locator("#map").get_attribute("data-marker-count") == "4"
    page.screenshot(path=str(screenshots / "4-review.png"), full_page=True)
    # Filters and the map link of an ok row
    page.click('.chip[data-filter="failed"]')
    expect(table_rows).to_have_count(1)
    expect(table_rows.first.locator(".badge")).to_have_text("failed")
    page.click('.chip[data-filter=""]')
    expect(table_rows).to_have_count(6)
    href = table_rows.first.locator("a").get_attribute("href")
    assert "mlat=48.8583701&mlon=2.2944813" in href
    # Every download arrives and holds the right coordinates
    downloads = {}
    for output_format in ("xlsx", "csv", "geojson", "kml"):
        with page.expect_download() as info:
            page.click(f'.downloads [data-format="{output_format}"]')
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        downloads[output_format] = target
    assert downloads["xlsx"].name == "places-coordinates.xlsx"
    sheet = openpyxl.load_workbook(downloads["xlsx"]).active
    assert (sheet["D2"].value, sheet["E2"].value, sheet["F5"].value) == (
        48.8583701,
        2.2944813,
        "ok",
    )
    assert (sheet["D5"].value, sheet["E5"].value) == (51.50068, -0.12469)
    with open(downloads["csv"], encoding="utf-8-sig") as handle:
        csv_rows = list(csv.reader(handle))
    assert csv_rows[5][3:5] == ["-33.8567844", "151.2152967"]
    features = json.loads(downloads["geojson"].read_text(encoding="utf-8"))["features"]
    assert len(features) == 4
    assert features[0]["geometry"]["coordinates"] == [2.2944813, 48.8583701]
    assert downloads["kml"].read_text(encoding="utf-8").count("<Placemark>") == 4
    assert page.console_errors == []
    assert page.dialogs == []
    assert page.evaluate("window.__csp") == []


def test_table_and_map_are_linked(page, live_server, shortener, tmp_path):
    page.goto(live_server.url)
    upload(page, mixed_workbook(tmp_path, shortener))
    page.click("#convert-button")
    wait_review(page)
    # A click on a marker shows its row in the table (switching to the OK rows).
    page.locator("path.marker-row-5").click()
    expect(page.locator('.chip[data-filter="ok"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('#results-table tbody tr[data-row-number="5"]')).to_have_attribute(
        "data-selected", "true"
    )
    expect(page.locator(".leaflet-popup-content", has_text="Row 5")).to_be_visible()
    # A click on a table row shows its marker.
    page.locator('#results-table tbody tr[data-row-number="6"] td[data-field="row_number"]').click()
    expect(page.locator(".leaflet-popup-content", has_text="Row 6")).to_be_visible()
    expect(page.locator('#results-table tbody tr[data-row-number="6"]')).to_have_attribute(
        "data-selected", "true"
    )
    assert page.console_errors == []
    assert page.dialogs == []


def test_reload_mid_job_and_after_completion(page, live_server, shortener, tmp_path, screenshots):
    rows = [["Link"]] + [[shortener.url(f"/slow-{n}")] for n in range(20)]
    path = write_xlsx(tmp_path / "slow.xlsx", rows)
    page.goto(live_server.url)
    upload(page, path)
    page.click("#convert-button")
    expect(page.locator("#watch-section")).to_be_visible()
    expect(page.locator("#job-text")).to_contain_text(
        re.compile(r"^[1-9]\d* of 20 rows"), timeout=10_000
    )
    page.screenshot(path=str(screenshots / "3-watch.png"), full_page=True)
    session_id = page.evaluate("location.hash.slice(1)")
    page.reload()
    expect(page.locator("#watch-section")).to_be_visible(timeout=10_000)
    assert page.evaluate("location.hash.slice(1)") == session_id
    wait_review(page)
    expect(page.locator(".stat-card__value").nth(1)).to_have_text("20")
    page.reload()
    wait_review(page)
    expect(page.locator(".stat-card__value").first).to_have_text("20")
    expect(page.locator("#results-table tbody tr")).to_have_count(20)
    assert page.console_errors == []


def test_errors_are_shown_and_the_page_stays_usable(page, live_server, shortener, tmp_path):
    page.goto(live_server.url)
    fake = tmp_path / "photo.xlsx"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    page.set_input_files("#file-input", str(fake))
    expect(page.locator("#upload-error")).to_contain_text("not a spreadsheet")
    big = tmp_path / "big.csv"
    big.write_text("Link\n" + "40.7, -74.0\n" * 30_000)
    page.set_input_files("#file-input", str(big))
    expect(page.locator("#upload-error")).to_contain_text("limit is")
    # An API failure while starting the job
    page.route("**/process/*", lambda route: route.fulfill(
        status=503, content_type="application/json",
        body=json.dumps({"error": {"code": "unavailable", "message": "The server is busy. Try again in a minute."}}),
    ))  # fmt: skip
    upload(page, mixed_workbook(tmp_path, shortener))
    page.click("#convert-button")
    expect(page.locator("#check-error")).to_have_text("The server is busy. Try again in a minute.")
    page.unroute("**/process/*")
    page.click("#convert-button")
    wait_review(page)
    expected = {"Failed to load resource: the server responded with a status of 415 (UNSUPPORTED MEDIA TYPE)",
                "Failed to load resource: the server responded with a status of 503 (Service Unavailable)"}  # fmt: skip
    assert set(page.console_errors) <= expected


def test_latitude_and_longitude_columns_are_named_and_mapped(page, live_server, tmp_path):
    source = tmp_path / "crm.csv"
    source.write_text(
        "Name,Latitude,Longitude\nEiffel,48.8583701,2.2944813\nLiberty,40.6892494,-74.0445\n"
    )
    page.goto(live_server.url)
    upload(page, source)
    expect(page.locator("#column-select")).to_have_value("Latitude")
    expect(page.locator("#check-note")).to_contain_text("'Latitude' and 'Longitude'")
    page.select_option("#column-select", "Name")
    expect(page.locator("#check-note")).to_be_hidden()
    page.select_option("#column-select", "Latitude")
    page.click("#convert-button")
    wait_review(page)
    expect(page.locator("#map[data-marker-count='2']")).to_be_attached()


def test_xss_cells_render_as_text(page, live_server, shortener, tmp_path):
    page.goto(live_server.url)
    upload(page, mixed_workbook(tmp_path, shortener))
    expect(page.locator("#preview-table tbody")).to_contain_text(XSS)
    assert page.locator("#preview-table img").count() == 0
    page.click("#convert-button")
    wait_review(page)
    expect(page.locator("#results-table tbody")).to_contain_text(XSS)
    assert page.locator("main img:not(.leaflet-tile)").count() == 0
    page.locator('#results-table tbody tr[data-row-number="7"] td[data-field="row_number"]').click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(XSS)
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.dialogs == []
    assert page.console_errors == []
    assert page.evaluate("window.__csp") == []


def open_file_chooser_with_keyboard(page):
    """Space (then Enter) on the focused file input, as a keyboard user would press it."""
    for key in ("Space", "Enter", "Space"):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press(key)
            return chooser.value
        except PlaywrightTimeoutError:
            page.focus("#file-input")  # a busy machine can swallow the first key press
    raise AssertionError("the keyboard never opened the file chooser")


def test_phone_width_and_keyboard_only(
    browser_context, live_server, shortener, tmp_path, screenshots
):
    page = browser_context.new_page()
    page.bring_to_front()
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url)
    assert no_horizontal_scroll(page)
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # the file input behind the drop zone
    assert page.evaluate("document.activeElement.id") == "file-input"
    open_file_chooser_with_keyboard(page).set_files(str(mixed_workbook(tmp_path, shortener)))
    expect(page.locator("#check-section")).to_be_visible(timeout=15_000)
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(screenshots / "phone-check.png"), full_page=True)
    tab_to(page, "document.activeElement.id", "convert-button")
    page.keyboard.press("Enter")
    wait_review(page)
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(screenshots / "phone-review.png"), full_page=True)
    tab_to(page, "document.activeElement.dataset.format || ''", "xlsx")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "places-coordinates.xlsx"
    page.close()


def test_offline_tiles_leave_markers_table_and_downloads_working(
    browser_context, live_server, shortener, tmp_path
):
    page = browser_context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(live_server.url)
    upload(page, mixed_workbook(tmp_path, shortener))
    page.click("#convert-button")
    wait_review(page)
    assert page.locator("#map").get_attribute("data-marker-count") == "4"
    expect(page.locator("#results-table tbody tr")).to_have_count(6)
    with page.expect_download() as info:
        page.click('.downloads [data-format="csv"]')
    assert info.value.suggested_filename.endswith(".csv")
    page.close()


def test_idle_page_weight(browser_context, live_server):
    page = browser_context.new_page()
    sizes = []
    page.on(
        "response", lambda response: sizes.append(len(response.body())) if response.ok else None
    )
    page.goto(live_server.url)
    page.wait_for_load_state("networkidle")
    assert sum(sizes) < 250_000, sizes
    page.close()


def test_start_over_deletes_the_session(page, live_server, shortener, tmp_path):
    page.goto(live_server.url)
    upload(page, mixed_workbook(tmp_path, shortener))
    session_id = page.evaluate("location.hash.slice(1)")
    page.locator('#check-section [data-action="start-over"]').click()
    expect(page.locator("#upload-section")).to_be_visible()
    assert page.evaluate("location.hash") == ""
    deadline_response = page.request.get(f"{live_server.url}/status/{session_id}")
    for _ in range(20):
        if deadline_response.status == 404:
            break
        page.wait_for_timeout(100)
        deadline_response = page.request.get(f"{live_server.url}/status/{session_id}")
    assert deadline_response.status == 404
    assert re.match(r"^[0-9a-f-]{36}$", session_id)


def test_retry_failed_rows_from_the_review(page, live_server, shortener, tmp_path):
    shortener.routes["/busy-once"] = Route(location=PIN, first_statuses=[503, 503, 503])
    rows = [
        ["Name", "Map link"],
        ["Eiffel Tower", PIN],
        ["Busy host", shortener.url("/busy-once")],
        ["Broken", "https://example.com/not-a-map"],
    ]
    page.goto(live_server.url)
    upload(page, write_xlsx(tmp_path / "retry.xlsx", rows))
    page.click("#convert-button")
    wait_review(page)
    button = page.locator("#retry-failed-button")
    expect(button).to_have_text("Retry 2 failed rows")
    button.click()
    expect(page.locator("#job-text")).to_contain_text("Done: 3 of 3 rows", timeout=30_000)
    expect(page.locator(".stat-card__value")).to_have_text(["3", "2", "1", "0"])
    expect(button).to_have_text("Retry 1 failed row")
    assert page.console_errors == []


REAL_PLACES = [
    ("Eiffel Tower", 48.8583701, 2.2944813),
    ("Big Ben", 51.5007292, -0.1246254),
    ("Brandenburg Gate", 52.5162746, 13.3777041),
    ("Colosseum", 41.8902102, 12.4922309),
    ("Sagrada Família", 41.4036299, 2.1743558),
    ("Rijksmuseum", 52.3599976, 4.8852188),
    ("Charles Bridge", 50.0864518, 14.4114046),
    ("St. Stephen's Cathedral", 48.2084578, 16.3731072),
]


def real_looking_workbook(path: Path, rows: int) -> Path:
    """Clients with the links people paste (no test hosts): place pins, OSM, Apple, text, a
    few that cannot be read."""
    table = [["Client", "Map link", "City notes"]]
    for number in range(rows):
        name, lat, lng = REAL_PLACES[number % len(REAL_PLACES)]
        kind = number % 6
        if kind == 0:
            link = f"https://www.google.com/maps/place/{name.replace(' ', '+')}/@{lat},{lng},17z/data=!3m1!4b1!4m6!3m5!1s0x0:0x{number:x}!8m2!3d{lat}!4d{lng}!16s"
        elif kind == 1:
            link = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=17/{lat}/{lng}"
        elif kind == 2:
            link = f"https://maps.apple.com/?ll={lat},{lng}&q={name.replace(' ', '+')}"
        elif kind == 3:
            link = f"{lat}, {lng}"
        elif kind == 4:
            link = "see the brochure"
        else:
            link = f"https://maps.google.com/?q={lat},{lng}"
        table.append([f"{name} #{number + 1}", link, "visit in spring"])
    return write_xlsx(path, table)


def test_review_step_reads_well_and_has_its_tools(
    browser_context, live_server, tmp_path, screenshots
):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = browser_context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())  # no tiles
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url)
    upload(page, real_looking_workbook(tmp_path / "clients.xlsx", 130))
    page.click("#convert-button")
    wait_review(page)
    rows = page.locator("#results-table tbody tr")
    expect(rows).to_have_count(100)
    heights = [rows.nth(index).bounding_box()["height"] for index in range(15)]
    assert max(heights) <= 40  # one line each: a screenful shows 15 rows and more
    page.screenshot(path=str(screenshots / "review-1280.png"), full_page=True)
    # Jump to page 2 of 2
    page.fill("#page-number", "2")
    page.click("#page-jump button")
    expect(page.locator("#page-info")).to_have_text("Rows 101–130 of 130")
    # Search over name, link and note
    page.fill("#result-search", "Colosseum")
    expect(rows).to_have_count(16)  # one row in eight of 130
    expect(rows.first.locator('[data-field="name"]')).to_contain_text("Colosseum")
    # An empty filter says so
    page.fill("#result-search", "")
    page.click('.chip[data-filter="skipped"]')
    expect(page.locator("#results-empty")).to_have_text("No skipped rows.")
    expect(rows).to_have_count(0)
    # Copy the coordinates of a row in one click
    page.click('.chip[data-filter="ok"]')
    copy = rows.first.locator('[data-copy="coordinates"]')
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "48.8583701, 2.2944813"
    # A phone: cards with status, coordinates and note, no sideways scrolling
    page.set_viewport_size({"width": 375, "height": 800})
    page.click('.chip[data-filter=""]')
    # The "ok" page also had 100 rows: wait for the "All" page itself, not for a row count
    expect(page.locator("#page-info")).to_have_text("Rows 1–100 of 130")
    expect(rows).to_have_count(100)
    assert no_horizontal_scroll(page)
    first = rows.first
    expect(first.locator('[data-field="status"]')).to_be_visible()
    for field in ("status", "lat", "lng", "note"):
        box = first.locator(f'[data-field="{field}"]').bounding_box()
        assert box is not None, field
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 375
    page.screenshot(path=str(screenshots / "review-375.png"), full_page=False)
    # Tapping a row far down the cards brings the map, its marker and popup into view
    far_row = page.locator('#results-table tbody tr[data-status="ok"]').nth(60)
    far_row.scroll_into_view_if_needed()
    far_row.locator('[data-field="name"]').click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(far_row.get_attribute("data-row-number"))
    map_box = page.locator("#map").bounding_box()
    assert map_box["y"] >= 0  # all on screen
    assert map_box["y"] + map_box["height"] <= 800
    page.wait_for_function(  # Leaflet's pan that keeps the popup inside the map is animated
        """() => {
            const map = document.querySelector("#map").getBoundingClientRect();
            const popup = document.querySelector(".leaflet-popup-content-wrapper").getBoundingClientRect();
            return popup.left >= map.left && popup.right <= map.right
                && popup.top >= map.top && popup.bottom <= map.bottom;
        }"""
    )
    page.close()


def test_a_late_answer_never_overwrites_a_newer_filter(browser_context, live_server, tmp_path):
    """A search answer that arrives after the user has moved on to a filter is dropped."""
    page = browser_context.new_page()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto(live_server.url)
    upload(page, real_looking_workbook(tmp_path / "clients.xlsx", 130))
    page.click("#convert-button")
    wait_review(page)
    answered = []

    def slow_search(route):
        if "q=Colosseum" in route.request.url:
            page.wait_for_timeout(1500)
            answered.append(route.request.url)
        route.continue_()

    page.route("**/results/**", slow_search)
    page.fill("#result-search", "Colosseum")
    page.wait_for_timeout(400)  # the search has been sent (250 ms after typing)
    page.fill("#result-search", "")
    page.click('.chip[data-filter="failed"]')
    expect(page.locator('.chip[data-filter="failed"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('#results-table tbody tr[data-status="failed"]').first).to_be_visible()
    rounds = 100
    while not answered and rounds:  # the late search answer has gone through
        page.wait_for_timeout(100)
        rounds -= 1
    assert answered
    page.wait_for_timeout(500)  # and the page has had time to (wrongly) draw it
    statuses = page.locator("#results-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.status)"
    )
    assert statuses
    assert set(statuses) == {"failed"}
    page.close()
