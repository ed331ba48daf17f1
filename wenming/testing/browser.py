"""Playwright with Debian's Chromium at phone size, for the browser tests.

Tests marked `browser` use the `phone` fixture: a page in a 390×844 touch viewport with a
WeChat-like user agent. Screenshots go to test-artifacts/screenshots/ (git-ignored)."""

import datetime
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("WENMING_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Mobile/15E148 MicroMessenger/8.0.50(0x18003237) NetType/WIFI Language/zh_CN")
# Chromium flags for a closed network: no background calls home, no sandbox as root.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

# The demo's day (conftest's `demo_day`, autouse for every browser test): a Thursday and a workday
# in the calendar data (wenming/core/workdays.py), the clock at 10:00 Beijing time and ticking.
DEMO_DAY = datetime.date(2026, 11, 26)
DEMO_CLOCK = "2026-11-26 10:00 +0800"

requires_chromium = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)),
    reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)",
)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test body (not the server) are then flagged as async-unsafe although they are not.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server, request):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True,
        user_agent=WECHAT_UA, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield with_shots(page, request)
    context.close()


def with_shots(page, request):
    """Gives `page` a `.shot(name)` that saves a full-page screenshot as a test artifact
    (numbered in order, named after the test), never into the checkout."""
    shots = []

    def shot(name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)
        return path

    page.shot = shot
    return page


def demo_site(settings, phase, *, with_awards=True):
    """The demo campaign with today in `phase`, served in demo mode (the login page lists the
    demo accounts; the SMS outbox is visible). "Today" is the clock's, which must be on DEMO_DAY:
    under the `demo_day` fixture (autouse in tests_browser/), so a journey is the same on any day
    of any year, whatever WENMING_TEST_CLOCK says."""
    from django.utils import timezone

    from wenming.demo import build_demo

    if timezone.localdate() != DEMO_DAY:
        raise RuntimeError(f"demo_site builds on {DEMO_DAY}, the clock says {timezone.localdate()}: "
                           "request the demo_day fixture")
    settings.DEMO_MODE = True
    return build_demo(phase=phase, today=timezone.localdate(), with_awards=with_awards)


def log_in(page, username):
    """Sign in as a demo account through the login page and wait for the workbench."""
    from wenming.core.demo_accounts import DEMO_PASSWORD

    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/workbench/")


def log_out(page):
    """Sign out through the menu's 退出 button (at phone size the menu opens first: "菜单")."""
    toggle = page.locator("nav.staff-nav .menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    with page.expect_navigation():
        page.locator("form[action$='/logout/'] button").click()
