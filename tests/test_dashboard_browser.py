"""The dashboard in a real browser (Debian's chromium driven by Playwright), and its screenshots.

The bot serves on a local port; people sign in through one-time links as they would from chat.
Screenshots of every page at 1366×768 and 390×844 go to KAIKAKU_SCREENSHOTS (default: the
test's tmp dir); docs/screenshots/ holds a set made this way. Skipped where chromium or
playwright is missing, unless KAIKAKU_REQUIRE_BROWSER=1 (CI installs both: .ci/run).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.core.config import Settings
from bot.core.web import create_app
from bot.texts import dashboard as t
from tests.dashboard_support import COORDINATOR, MANAGER, STAFF, dashboard_settings, link_for, seed_round
from tests.test_dashboard import current_status, dept_id

CHROMIUM = os.environ.get("KAIKAKU_CHROMIUM", "/usr/bin/chromium")
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


def _browser_or_skip() -> Any:
    required = os.environ.get("KAIKAKU_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            raise
        pytest.skip("playwright is not installed")
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        if required:
            pytest.fail(f"chromium not found at {CHROMIUM}")
        pytest.skip("chromium is not installed")
    return sync_playwright


@pytest.fixture
def served(sqlite_catalog_engine: Engine, settings: Settings) -> Iterator[tuple[str, Engine, Settings]]:
    from werkzeug.serving import make_server

    seed_round(sqlite_catalog_engine)
    conf = dashboard_settings(settings)
    server = make_server("127.0.0.1", 0, create_app(conf, sqlite_catalog_engine), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", sqlite_catalog_engine, conf
    server.shutdown()


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_playwright = _browser_or_skip()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KAIKAKU_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def signed_in_page(browser: Any, base: str, engine: Engine, conf: Settings, who: tuple[str, ...],
                   size: str = "desktop") -> Any:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP",
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(base + link_for(engine, conf, who))
    page.get_by_role("button", name=t.SIGN_IN_BUTTON).click()
    page.wait_for_url(base + "/dashboard/")
    return page


def test_sign_in_overview_measure_approve_and_download(browser: Any, served: tuple[str, Engine, Settings],
                                                       shots: Path) -> None:
    base, engine, conf = served
    page = signed_in_page(browser, base, engine, conf, MANAGER)
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "令和8年度 実施結果の報告状況" in page.locator("h1").inner_text()
    assert page.get_by_role("img", name="未回答件数の推移: 受付開始").count() == 1  # the chart says what it shows

    page.keyboard.press("Tab")  # keyboard: the first stop is the skip link, which lands on the content
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.get_by_role("link", name=t.NAV_MEASURES).click()
    page.get_by_role("link", name="コミュニティ防災士の育成人数(累計)").click()
    assert "No.34" in page.locator("h1").inner_text()
    assert page.locator("svg.chart.trend").count() == 1
    page.get_by_role("button", name=t.APPROVE).click()
    assert page.get_by_role("status").inner_text() == t.REVIEW_DONE["approved"]
    assert current_status(engine, 34, "危機管理課") == "approved"
    page.context.close()

    coordinator = signed_in_page(browser, base, engine, conf, COORDINATOR)
    coordinator.get_by_role("link", name=t.NAV_DOWNLOADS).click()
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name=t.DOWNLOAD_WORKBOOK).click()
    saved = shots / "results-R8.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "results-R8.xlsx"
    assert saved.read_bytes()[:2] == b"PK"  # an xlsx is a zip
    saved.unlink()
    coordinator.context.close()


def test_refusals_in_the_browser(browser: Any, served: tuple[str, Engine, Settings]) -> None:
    base, engine, conf = served
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    used = link_for(engine, conf, STAFF)
    page.goto(base + used)
    page.get_by_role("button", name=t.SIGN_IN_BUTTON).click()
    page.wait_for_url(base + "/dashboard/")

    other = page.goto(f"{base}/dashboard/departments/{dept_id(engine, '人事課')}")
    assert other.status == 403 and t.FORBIDDEN in page.locator("main").inner_text()

    no_token = context.request.post(f"{base}/dashboard/measures/34/review",
                                    form={"department": str(dept_id(engine, "危機管理課")), "action": "approve"})
    assert no_token.status == 400 and t.CSRF_FAILED in no_token.text()
    assert current_status(engine, 34, "危機管理課") == "submitted"
    context.close()

    fresh = browser.new_context()
    page = fresh.new_page()
    page.goto(base + used)  # the same link again, in another browser
    page.get_by_role("button", name=t.SIGN_IN_BUTTON).click()
    assert t.LINK_REFUSED["used"] in page.locator("main").inner_text()
    expired = link_for(engine, conf, STAFF, at=conf.now() - timedelta(minutes=conf.dashboard_link_minutes + 1))
    page.goto(base + expired)
    page.get_by_role("button", name=t.SIGN_IN_BUTTON).click()
    assert t.LINK_REFUSED["expired"] in page.locator("main").inner_text()
    assert page.goto(base + "/dashboard/").status == 401
    fresh.close()


PAGES = {
    "overview": "/dashboard/",
    "measures": "/dashboard/measures",
    "measure": "/dashboard/measures/34",
    "departments": "/dashboard/departments",
    "department": "/dashboard/departments/{dept}",
    "downloads": "/dashboard/downloads",
}


@pytest.mark.parametrize("size", SIZES)
def test_screenshots_of_every_page(browser: Any, served: tuple[str, Engine, Settings], shots: Path,
                                   size: str) -> None:
    base, engine, conf = served
    page = signed_in_page(browser, base, engine, conf, COORDINATOR, size)
    dept = dept_id(engine, "危機管理課")
    for name, path in PAGES.items():
        response = page.goto(base + path.format(dept=dept))
        assert response.status == 200, name
        page.screenshot(path=str(shots / f"{name}-{size}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {size}"
    assert len(list(shots.glob(f"*-{size}.png"))) == len(PAGES)
    page.context.close()
