"""Publicity's pages: the public news and announcements (only what is published), `/m/`, share
cards; the office's news form; materials, downloads and posting records; who may see what."""

import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from wenming.campaigns.models import Announcement
from wenming.core.models import AuditEntry
from wenming.core.share import JSSDK_ORIGIN
from wenming.publicity.models import Material, NewsItem, NewsPhoto, Posting
from wenming.publicity.tests.conftest import NOW, TZ, disguised, pdf, photo
from wenming.testing import factories as f

# --- public pages ---------------------------------------------------------------------------------------


def test_the_public_news_list_and_detail_show_only_published_news(client, published, draft, scheduled):
    with time_machine.travel(NOW, tick=False):
        page = client.get("/news/").content.decode()
        assert "活动启动仪式举行" in page and "尚未发布的稿件" not in page and "明天发布的新闻" not in page
        detail = client.get(f"/news/{published.pk}/")
        assert detail.status_code == 200 and "港城物管" in detail.content.decode()
        assert client.get(f"/news/{draft.pk}/").status_code == 404
        assert client.get(f"/news/{scheduled.pk}/").status_code == 404
        assert client.get("/news/abc/").status_code == 404
    with time_machine.travel("2019-09-11 09:01 +0800", tick=False):  # past the cache's minute, too
        assert "明天发布的新闻" in client.get("/news/").content.decode()
        assert client.get(f"/news/{scheduled.pk}/").status_code == 200


def test_news_photos_are_public_once_published_and_the_office_sees_drafts(client, published, draft, office):
    with time_machine.travel(NOW, tick=False):
        cover = published.photos.get(position=0)
        answer = client.get(f"/news/{published.pk}/photos/{cover.pk}/thumb/")
        assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
        assert answer["Cache-Control"] == "public, max-age=300"
        hidden = draft.photos.get()
        assert client.get(f"/news/{draft.pk}/photos/{hidden.pk}/").status_code == 404
        assert client.get(f"/news/{published.pk}/photos/{hidden.pk}/").status_code == 404  # not that item's
        client.force_login(office)
        own = client.get(reverse("publicity:news_photo", args=[draft.pk, hidden.pk]))
        assert own.status_code == 200 and own["Cache-Control"] == "private, no-store"


def test_announcements_have_public_pages_once_published(client, campaign):
    shown = Announcement.objects.create(campaign=campaign, title="申报推荐工作即将开始", body="10 月 10 日前报区主管部门",
                                        published_at=datetime.datetime(2019, 9, 9, 9, tzinfo=TZ))
    later = Announcement.objects.create(campaign=campaign, title="投票即将开始", body="敬请关注",
                                        published_at=datetime.datetime(2019, 11, 1, 9, tzinfo=TZ))
    with time_machine.travel(NOW, tick=False):
        page = client.get("/announcements/").content.decode()
        assert "申报推荐工作即将开始" in page and "投票即将开始" not in page
        assert "10 月 10 日前报区主管部门" in client.get(f"/announcements/{shown.pk}/").content.decode()
        assert client.get(f"/announcements/{later.pk}/").status_code == 404
        assert client.get("/announcements/0/").status_code == 404


def test_the_official_account_address_leads_to_the_news_or_the_home_page(client, campaign, office,
                                                                        django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        answer = client.get("/m/")
        assert answer.status_code == 302 and answer["Location"] == "/"
    from wenming.publicity import services
    from wenming.publicity.tests.conftest import clean, text

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.save_news(campaign, text(published_at=datetime.datetime(2019, 9, 9, 9, tzinfo=TZ)), actor=office,
                           cover=clean(photo()))
        answer = client.get("/m/")
    assert answer.status_code == 302 and answer["Location"] == "/news/"
    assert client.post("/m/").status_code == 405


def test_a_share_card_is_offered_only_with_a_configured_account_and_widens_the_csp_only_there(
        client, settings, published):
    with time_machine.travel(NOW, tick=False):
        plain = client.get(f"/news/{published.pk}/")
        assert 'id="wx-share"' not in plain.content.decode()
        assert JSSDK_ORIGIN not in plain.get("Content-Security-Policy", "")
        settings.WECHAT = {**settings.WECHAT, "appid": "wx-test", "secret": "wx-secret"}
        cache.clear()  # pages are cached whole; a deployment's settings do not change under them
        shared = client.get(f"/news/{published.pk}/")
        page = shared.content.decode()
        assert 'id="wx-share"' in page and 'data-title="活动启动仪式举行"' in page
        assert f'data-link="http://testserver/news/{published.pk}/"' in page and "/thumb/" in page
        assert "script-src 'self'" in shared["Content-Security-Policy"]
        assert JSSDK_ORIGIN in shared["Content-Security-Policy"]
        listing = client.get("/news/")
        assert JSSDK_ORIGIN not in listing["Content-Security-Policy"]  # only pages with a card


def test_candidate_and_results_pages_carry_the_share_card(client, settings, campaign, world):
    settings.WECHAT = {**settings.WECHAT, "appid": "wx-test", "secret": "wx-secret"}
    showcase = f.make_candidates(campaign, world, count=1)[0]
    candidate = client.get(f"/showcase/{showcase.pk}/")
    assert 'id="wx-share"' in candidate.content.decode() and JSSDK_ORIGIN in candidate["Content-Security-Policy"]
    results = client.get("/results/")
    assert 'data-title="评选结果公示"' in results.content.decode()
    assert JSSDK_ORIGIN in results["Content-Security-Policy"]


# --- the office's news ------------------------------------------------------------------------------------


def test_the_office_writes_news_a_bad_form_keeps_typed_values_and_photos(campaign, office):
    client = Client()
    client.force_login(office)
    with time_machine.travel(NOW, tick=False):
        answer = client.post("/publicity/news/new/", {"title": "", "body": "启动仪式正文", "byline": "港城物管",
                                                       "published_at": "2019-09-10T09:00", "cover": photo()})
        page = answer.content.decode()
        assert answer.status_code == 400 and "这个字段是必填项。" in page
        assert "启动仪式正文" in page and 'value="港城物管"' in page and "已保留 1 张照片" in page
        assert not NewsItem.objects.exists()
        token = page.split('name="kept_cover" value="')[1].split('"')[0]
        answer = client.post("/publicity/news/new/", {"title": "活动启动", "body": "启动仪式正文", "byline": "港城物管",
                                                       "published_at": "2019-09-10T09:00", "kept_cover": token},
                             follow=True)
        assert "新闻已保存并发布" in answer.content.decode()
    news = NewsItem.objects.get()
    assert news.photos.count() == 1 and news.author == office
    assert AuditEntry.objects.filter(action="publicity.news.created").count() == 1


def test_news_without_a_cover_or_with_a_disguised_photo_is_refused(campaign, office):
    client = Client()
    client.force_login(office)
    with time_machine.travel(NOW, tick=False):
        answer = client.post("/publicity/news/new/", {"title": "活动启动", "body": "正文"})
        assert answer.status_code == 400 and "请上传封面图片" in answer.content.decode()
        answer = client.post("/publicity/news/new/", {"title": "活动启动", "body": "正文", "cover": disguised("a.jpg")})
        assert answer.status_code == 400 and "文件不是有效的封面图片" in answer.content.decode()
    assert not NewsItem.objects.exists() and not NewsPhoto.objects.exists()


def test_the_office_removes_a_photo_and_unpublishes(client, office, published):
    client.force_login(office)
    other = published.photos.get(position=1)
    with time_machine.travel(NOW, tick=False):
        assert "图片已删除" in client.post(
            reverse("publicity:news_photo_remove", args=[published.pk, other.pk]), follow=True).content.decode()
        answer = client.post(reverse("publicity:news_unpublish", args=[published.pk]), follow=True)
        assert "新闻已撤回为草稿" in answer.content.decode()
        assert Client().get(f"/news/{published.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/publicity/news/", "/publicity/news/new/"])
def test_news_pages_are_the_offices(client, url, campaign, company_a, haizhou_officer, office):
    assert client.get(url)["Location"].startswith("/login/")
    for user in (company_a, haizhou_officer):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(office)
    assert client.get(url).status_code == 200


# --- materials and posting records ------------------------------------------------------------------------


def test_the_office_uploads_a_material_checked_by_content(client, office, campaign):
    client.force_login(office)
    with time_machine.travel(NOW, tick=False):
        answer = client.post("/publicity/materials/new/", {"title": "文明行为20条", "description": "张贴",
                                                           "file": disguised()})
        page = answer.content.decode()
        assert answer.status_code == 400 and "文件不是有效的 PDF" in page and 'value="文明行为20条"' in page
        assert not Material.objects.exists()
        answer = client.post("/publicity/materials/new/", {"title": "文明行为20条", "file": pdf()}, follow=True)
    assert "已上传通稿“文明行为20条”" in answer.content.decode()
    assert Material.objects.get().content_type == "application/pdf"


def test_a_company_downloads_a_material_privately(client, material, company_a, expert):
    assert client.get(f"/publicity/materials/{material.pk}/file/")["Location"].startswith("/login/")
    client.force_login(expert)
    assert client.get(f"/publicity/materials/{material.pk}/file/").status_code == 403
    client.force_login(company_a)
    answer = client.get(f"/publicity/materials/{material.pk}/file/")
    assert answer.status_code == 200 and answer["Cache-Control"] == "private, no-store"
    assert answer["Content-Disposition"].startswith("attachment;") and b"".join(answer.streaming_content).startswith(
        b"%PDF-")
    assert client.get("/publicity/materials/987654/file/").status_code == 404


def test_a_company_records_a_posting_after_a_form_error(client, material, company_a, world):
    client.force_login(company_a)
    url = f"/publicity/materials/{material.pk}/postings/"
    with time_machine.travel(NOW, tick=False):
        answer = client.post(url, {"channel": "notice_board", "place": "3 号楼大堂公告栏", "posted_on": "2019-09-12",
                                   "community": world.community_a.pk, "photo": photo("公告栏")})
        page = answer.content.decode()
        assert answer.status_code == 400 and "发布日期不能晚于今天" in page
        assert 'value="3 号楼大堂公告栏"' in page and "已保留 1 张照片" in page
        assert not Posting.objects.exists()
        token = page.split('name="kept" value="')[1].split('"')[0]
        answer = client.post(url, {"channel": "notice_board", "place": "3 号楼大堂公告栏", "posted_on": "2019-09-09",
                                   "community": world.community_a.pk, "kept": token}, follow=True)
        assert "发布记录已登记" in answer.content.decode()
    posting = Posting.objects.get()
    assert posting.photo and posting.company == world.company_a
    assert client.get(url).status_code == 405


def test_a_posting_for_another_companys_community_is_refused_at_its_field(client, material, company_a, world):
    client.force_login(company_a)
    with time_machine.travel(NOW, tick=False):
        answer = client.post(f"/publicity/materials/{material.pk}/postings/", {
            "channel": "notice_board", "place": "公告栏", "posted_on": "2019-09-09", "community": world.community_b.pk})
    assert answer.status_code == 400 and "选择一个有效的选项" in answer.content.decode()
    assert not Posting.objects.exists()


def test_posting_records_per_company_for_the_office_and_the_district_only(client, posting, office, haizhou_officer,
                                                                         lianyun_officer, company_b, world):
    for user, shown in ((office, True), (haizhou_officer, True), (lianyun_officer, False), (company_b, False)):
        client.force_login(user)
        page = client.get("/publicity/postings/").content.decode()
        assert ("3 号楼大堂公告栏" in page) is shown, user.username
        photo_status = client.get(f"/publicity/postings/{posting.pk}/photo/thumb/").status_code
        assert photo_status == (200 if shown else 404)
    client.force_login(haizhou_officer)
    book = load_workbook(io.BytesIO(client.get("/publicity/postings/export.xlsx").content))
    summary, records = book["按企业汇总"], book["发布记录"]
    assert "海州区" in summary["A1"].value and summary["B3"].value == world.company_a.name and summary["C3"].value == 1
    assert records["F3"].value == "3 号楼大堂公告栏" and records.max_row == 3


def test_a_company_removes_its_own_posting_only(client, posting, company_a, outsider):
    client.force_login(outsider)
    assert client.post(f"/publicity/postings/{posting.pk}/remove/").status_code == 404
    client.force_login(company_a)
    answer = client.post(f"/publicity/postings/{posting.pk}/remove/", follow=True)
    assert "发布记录已删除" in answer.content.decode() and not Posting.objects.exists()


def test_the_application_review_shows_the_companys_postings(client, campaign, world, posting, office):
    application = f.make_candidates(campaign, world, count=1)[0].application
    client.force_login(office)
    page = client.get(f"/applications/{application.pk}/").content.decode()
    assert "宣传通稿发布情况" in page and "已发布通稿（种）" in page


def test_the_audit_log_reads_publicity_changes_in_chinese(client, posting, office):
    client.force_login(office)
    page = client.get("/office/audit/").content.decode()
    assert "office（评选工作办公室） 上传了宣传通稿 「社会主义核心价值观公益广告」" in page
    assert "登记了通稿发布记录" in page and "通稿：社会主义核心价值观公益广告" in page and "小区：海州花园" in page
    assert "application/pdf" not in page
