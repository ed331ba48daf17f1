"""Publicity at phone size: a resident comes in through the 公众号 menu's address (/m/), reads the
news list and a news item with its photos; a company downloads an approved material (通稿) and
records where it posted it (told first that the date is in the future, then fixed)."""

import datetime

import pytest
from django.utils import timezone

from tests_browser.test_complaint_journey import staff_page
from wenming.publicity.models import Material, NewsItem, Posting
from wenming.testing.browser import ARTIFACTS, demo_site, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def test_a_resident_reads_the_news_and_a_company_posts_a_material(phone, browser, live_server, settings):
    demo_site(settings, "voting", with_awards=False)
    news = NewsItem.objects.filter(published_at__lte=timezone.now()).order_by("-published_at").first()

    phone.goto("/m/")
    phone.wait_for_url("**/news/")
    main = phone.locator("main")
    assert "活动新闻" in main.inner_text() and "草稿" not in main.inner_text()
    phone.shot("news-list")
    phone.get_by_role("link", name=news.title).click()
    phone.wait_for_load_state()
    assert news.title in phone.locator("h1").inner_text() and "港城物管" in main.inner_text()
    cover = phone.locator("img.news-cover")
    assert cover.evaluate("img => img.complete && img.naturalWidth > 0")
    assert phone.locator(".gallery img").count() == 1
    phone.shot("news-item")

    company = staff_page(browser, live_server, "company1")
    material = Material.objects.get(title="连云港市文明行为20条")
    company.goto("/publicity/materials/")
    company.get_by_role("link", name=material.title).click()
    company.wait_for_load_state()
    with company.expect_download() as download:
        company.click("#download")
    assert download.value.suggested_filename == f"{material.title}.docx"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    before = Posting.objects.count()
    company.select_option("#id_channel", "notice_board")
    company.fill("#id_place", "5 号楼单元门宣传栏")
    company.fill("#id_posted_on", tomorrow.isoformat())
    company.get_by_role("button", name="登记").click()
    company.wait_for_load_state()
    assert "发布日期不能晚于今天" in company.locator("main").inner_text()
    assert company.input_value("#id_place") == "5 号楼单元门宣传栏" and Posting.objects.count() == before
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    company.screenshot(path=str(ARTIFACTS / "test_publicity_journey-posting-refused.png"), full_page=True)
    company.fill("#id_posted_on", timezone.localdate().isoformat())
    company.get_by_role("button", name="登记").click()
    company.wait_for_load_state()
    assert "发布记录已登记" in company.locator("main").inner_text()
    assert "5 号楼单元门宣传栏" in company.locator("table").inner_text()
    assert Posting.objects.count() == before + 1
    company.screenshot(path=str(ARTIFACTS / "test_publicity_journey-posting-recorded.png"), full_page=True)


def test_inside_wechat_a_news_item_sets_its_share_card(phone, browser, live_server, settings):
    """With a 公众号 configured, the page signs itself through the site (against a local fake of
    WeChat's API), loads jweixin from res.wx.qq.com (answered here by a stand-in that records
    the calls) and sets the card the page declares; outside WeChat it does nothing."""
    from django.core.cache import cache

    from wenming.core.identity import wechat_jssdk
    from wenming.testing.fake_wechat import FakeWeChat

    demo_site(settings, "voting", with_awards=False)
    fake = FakeWeChat().__enter__()
    settings.WECHAT = {**settings.WECHAT, "appid": "wx-test", "secret": "wx-secret", "api_base": fake.base}
    cache.clear()
    stand_in = """window.__wx = []; window.wx = {
      config: function (c) { window.__wx.push(["config", c]); },
      ready: function (f) { f(); },
      updateAppMessageShareData: function (d) { window.__wx.push(["friend", d]); },
      updateTimelineShareData: function (d) { window.__wx.push(["timeline", d]); }};"""
    loaded = []

    def jweixin(route):
        loaded.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body=stand_in)

    phone.route("https://res.wx.qq.com/**", jweixin)
    news = NewsItem.objects.filter(published_at__lte=timezone.now()).order_by("-published_at").first()
    try:
        phone.goto(f"/news/{news.pk}/#photos")
        calls = []
        for _ in range(100):  # wait_for_function would eval a string, which the page's CSP refuses
            calls = phone.evaluate("window.__wx || []")
            if len(calls) == 3:
                break
            phone.wait_for_timeout(100)
    finally:
        fake.__exit__()
    assert loaded == ["https://res.wx.qq.com/open/js/jweixin-1.6.0.js"]
    (_, config), (_, friend), (_, timeline) = calls
    assert config["appId"] == "wx-test" and config["signature"] == wechat_jssdk.signature(
        "ticket-1", config["nonceStr"], config["timestamp"], f"{live_server.url}/news/{news.pk}/")
    assert friend["title"] == news.title and friend["desc"] == news.teaser
    assert friend["link"] == f"{live_server.url}/news/{news.pk}/" and "/thumb/" in friend["imgUrl"]
    assert timeline["title"] == news.title

    outside = browser.new_context(base_url=live_server.url)  # a plain browser: no MicroMessenger
    page = outside.new_page()
    page.route("https://res.wx.qq.com/**", jweixin)
    page.goto(f"/news/{news.pk}/")
    page.wait_for_load_state("networkidle")
    assert len(loaded) == 1 and page.evaluate("typeof window.wx") == "undefined"
    outside.close()
