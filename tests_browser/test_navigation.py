"""The back office's grouped menu in a browser: at 1366 px the office's whole menu is one line
and a group opens and closes from the keyboard; at phone size (375 px) the "菜单" button opens
it, the areas are listed, a link navigates and the page reached is marked. axe finds nothing
serious either way."""

import pytest
from playwright.sync_api import expect

from tests_browser.test_accessibility import readable, serious_violations
from wenming.core.roles import Role
from wenming.testing import factories as f
from wenming.testing.browser import WECHAT_UA, requires_chromium, with_shots

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def signed_in(browser, live_server, request, username, **context):
    page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url,
                               **context).new_page()
    page.set_default_timeout(15000)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/workbench/")
    with_shots(page, request)
    return page


def lines(page):
    """How many lines the menu's items take: items whose boxes overlap vertically share one."""
    boxes = page.evaluate("[...document.querySelectorAll('nav.staff-nav .menu > li')]"
                          ".map(li => { const r = li.getBoundingClientRect(); return [r.top, r.bottom]; })")
    rows = []
    for top, bottom in sorted(boxes):
        if rows and top < rows[-1][1]:
            rows[-1][1] = max(rows[-1][1], bottom)
        else:
            rows.append([top, bottom])
    return len(rows)


def test_at_1366_px_the_office_menu_is_one_line_and_opens_from_the_keyboard(browser, live_server, campaign,
                                                                           request):
    f.make_user("office", role=Role.OFFICE)
    page = signed_in(browser, live_server, request, "office", viewport={"width": 1366, "height": 768})
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("button", name="菜单")).to_be_hidden()
    assert lines(page) == 1  # every area and the sign-out on one line
    right = page.evaluate("Math.max(...[...document.querySelectorAll('nav.staff-nav .menu > li')]"
                          ".map(li => li.getBoundingClientRect().right))")
    assert right < 0.8 * 1366  # room left for a few more entries (数据看板, 导出中心 …) on the same line
    assert page.evaluate("document.querySelector('header.topbar').getBoundingClientRect().height") < 60
    assert nav.get_by_role("link", name="工作台").get_attribute("aria-current") == "page"

    supervision = nav.locator("summary", has_text="督查与信用")
    supervision.focus()
    page.keyboard.press("Enter")
    link = nav.get_by_role("link", name="督查整改")
    expect(link).to_be_visible()
    page.shot("group-open")
    assert not serious_violations(page), readable(serious_violations(page))
    page.keyboard.press("Escape")
    expect(link).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent") == "督查与信用"

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # into the open group: its first link
    page.keyboard.press("Enter")
    page.wait_for_url("**/supervision/")
    current = page.get_by_role("navigation", name="主导航").locator("[aria-current=page]")
    expect(current).to_have_text("督查整改")
    expect(nav.locator("summary.current")).to_have_text("督查与信用")
    expect(link).to_be_hidden()  # the new page opens with the groups closed
    page.shot("supervision")

    nav.locator("summary", has_text="系统").click()
    nav.locator("summary", has_text="投票").click()  # opening another group closes the first
    expect(nav.get_by_role("link", name="抽奖")).to_be_visible()
    expect(nav.get_by_role("link", name="审计日志")).to_be_hidden()
    page.locator("main h1").click()  # a click elsewhere closes it
    expect(nav.get_by_role("link", name="抽奖")).to_be_hidden()
    page.context.close()


def test_at_phone_size_the_menu_opens_lists_the_areas_and_a_link_navigates(browser, live_server, campaign, world,
                                                                          request):
    f.make_user("haizhou", role=Role.DISTRICT, district=world.haizhou)
    page = signed_in(browser, live_server, request, "haizhou", viewport={"width": 375, "height": 812},
                     is_mobile=True, has_touch=True, user_agent=WECHAT_UA)
    nav = page.get_by_role("navigation", name="主导航")
    toggle = nav.get_by_role("button", name="菜单")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="工作台")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.shot("closed")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert [s.strip() for s in nav.locator("summary").all_inner_texts()] == ["督查与信用", "基础数据", "宣传", "数据"]
    for name in ("工作台", "通知", "申报", "入户调查", "志愿服务"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    nav.locator("summary", has_text="督查与信用").click()
    page.shot("open")
    assert not serious_violations(page), readable(serious_violations(page))

    nav.get_by_role("link", name="投诉处理").click()
    page.wait_for_url("**/complaints/")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    current = nav.locator("[aria-current=page]")
    expect(current).to_have_text("投诉处理")
    expect(current).to_be_hidden()  # inside its closed group, whose name is marked
    expect(nav.locator("summary.current")).to_have_text("督查与信用")
    page.shot("complaints")
    page.context.close()


def test_at_phone_size_the_page_opens_with_the_menu_closed_even_when_its_script_comes_late(browser, live_server,
                                                                                          campaign, world, request):
    """On a slow line the menu's script may be the last thing to arrive: the page must not show every
    link first and then snap the menu shut, moving the page under the reader's finger."""
    f.make_user("haizhou", role=Role.DISTRICT, district=world.haizhou)
    page = signed_in(browser, live_server, request, "haizhou", viewport={"width": 375, "height": 812},
                     is_mobile=True, has_touch=True, user_agent=WECHAT_UA)
    held = []
    page.route("**/static/wenming/nav.js", lambda route: held.append(route))
    # Where the page's content starts, in every frame drawn from the first one on.
    page.add_init_script("window.tops = []; (function frame() { var main = document.querySelector('main');"
                         " if (main) window.tops.push(Math.round(main.getBoundingClientRect().top));"
                         " requestAnimationFrame(frame); })();")
    page.goto("/workbench/", wait_until="commit")
    page.wait_for_timeout(1000)  # the script held back for a second
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_load_state()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="工作台")).to_be_hidden()
    page.wait_for_timeout(200)  # a few frames after the script ran
    assert len(set(page.evaluate("window.tops"))) == 1, page.evaluate("window.tops")
    toggle = nav.get_by_role("button", name="菜单")
    toggle.click()
    expect(nav.locator("form[action$='/logout/'] button")).to_be_visible()
    page.context.close()
