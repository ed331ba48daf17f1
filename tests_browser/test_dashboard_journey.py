"""The dashboards in a browser, on the demo of the expert phase and demo_day's clock (a fixed
Thursday, ticking): the office drills from the city to a district, a company and a community on a
1366 px screen; 海州区's bureau reads its own dashboard on that screen and on a phone. Every chart
is drawn (ECharts on a canvas, no script refused by the CSP) and its table is under it."""

import pytest

from wenming.core.models import User
from wenming.registry.models import Community
from wenming.testing.browser import demo_site, log_in, requires_chromium, with_shots

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

SCREEN = {"width": 1366, "height": 768}


@pytest.fixture
def demo(settings):
    return demo_site(settings, "expert")


@pytest.fixture
def screen(browser, live_server, request):
    """A 1366 px desktop page, with `.shot(name)` saving screenshots like the phone's and
    `.problems` collecting console errors (a CSP refusal shows there)."""
    context = browser.new_context(viewport=SCREEN, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  base_url=live_server.url, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15000)
    with_shots(page, request)
    page.problems = []
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and page.problems.append(m.text))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def drawn(page):
    """Every chart box holds a canvas ECharts drew, and every panel with numbers has its table."""
    charts = page.locator("[data-chart]").count()
    assert charts >= 10
    # (no wait_for_function: the page's CSP rightly refuses the string evaluation it uses)
    page.locator("[data-chart]").nth(charts - 1).locator("canvas").first.wait_for(state="attached")
    assert page.evaluate("Array.prototype.every.call(document.querySelectorAll('[data-chart]'), "
                         "function (el) { return el.querySelector('canvas'); })")
    assert page.locator(".panel table").count() == charts
    return charts


def test_the_office_drills_from_the_city_to_a_community(screen, demo):
    log_in(screen, "office")
    screen.goto("/dashboard/")
    main = screen.locator("main")
    assert "数据看板 · 全市" in main.inner_text()
    drawn(screen)
    screen.shot("city")

    screen.locator(".board-children").get_by_role("link", name="海州区").click()
    screen.wait_for_url("**/dashboard/district/*/")
    assert "数据看板 · 海州区" in main.inner_text()
    drawn(screen)
    screen.shot("district")

    company = User.objects.get(username="company1").company
    screen.locator(".board-children").get_by_role("link", name=company.name).click()
    screen.wait_for_url("**/dashboard/company/*/")
    assert f"数据看板 · {company.name}" in main.inner_text()
    drawn(screen)
    screen.shot("company")

    community = Community.objects.filter(company=company, district__name="海州区").order_by("name").first()
    screen.locator(".board-children").get_by_role("link", name=community.name, exact=True).click()
    screen.wait_for_url("**/dashboard/community/*/")
    assert f"数据看板 · {community.name}" in main.inner_text()
    drawn(screen)
    screen.shot("community")
    trail = screen.locator("nav.trail").inner_text()
    assert "全市" in trail and "海州区" in trail and company.name in trail
    with screen.expect_download() as download:
        screen.locator("#panel-survey").get_by_role("link", name="下载 Excel").click()
    assert download.value.suggested_filename.endswith(f"-{community.name}.xlsx")
    assert not screen.problems, screen.problems


def test_a_district_bureau_reads_its_dashboard_on_a_screen_and_a_phone(screen, phone, demo):
    log_in(screen, "haizhou")
    screen.goto("/dashboard/")
    text = screen.locator("main").inner_text()
    assert "数据看板 · 海州区" in text and "连云区" not in text and "赣榆区" not in text
    drawn(screen)
    screen.shot("screen")
    assert not screen.problems, screen.problems

    phone.set_viewport_size({"width": 375, "height": 812})
    log_in(phone, "haizhou")
    phone.goto("/dashboard/")
    drawn(phone)
    # one column: nothing wider than the phone's screen but the tables, which scroll inside their box
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    width = phone.evaluate("document.querySelector('[data-chart]').getBoundingClientRect().width")
    assert 300 <= width <= 375
    phone.shot("phone")
    phone.locator("#panel-survey").scroll_into_view_if_needed()
    phone.shot("phone-survey")
