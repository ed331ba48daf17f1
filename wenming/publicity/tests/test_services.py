"""Publicity's services, called directly: news and its photos, materials checked by content,
companies' posting records, who sees them, the review panel and the export."""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from wenming.core.excel import build_workbook, caption_for
from wenming.core.models import AuditEntry
from wenming.core.uploads import UploadRejected
from wenming.publicity import services
from wenming.publicity.models import DOCX, NewsItem, NewsPhoto, Posting
from wenming.publicity.tests.conftest import NOW, TZ, clean, disguised, docx, pdf, photo, text
from wenming.testing import factories as f


def test_a_news_item_is_saved_with_its_cover_and_photos_re_encoded_and_logged(published):
    photos = list(published.photos.all())
    assert [p.position for p in photos] == [0, 1]
    with photos[0].file.open("rb") as handle:
        image = Image.open(handle)
        assert image.format == "JPEG" and not image.getexif()
    assert photos[0].thumbnail
    entry = AuditEntry.objects.get(action="publicity.news.created")
    assert entry.after["title"] == "活动启动仪式举行" and len(entry.after["photos"]) == 1


def test_a_news_item_needs_a_cover_and_the_office(campaign, office, company_a):
    with pytest.raises(ValidationError) as refused:
        services.save_news(campaign, text(), actor=office)
    assert refused.value.message_dict == {"cover": ["请上传封面图片"]}
    with pytest.raises(PermissionDenied):
        services.save_news(campaign, text(), actor=company_a, cover=clean(photo()))
    assert not NewsItem.objects.exists()


def test_photos_are_limited_and_a_new_cover_replaces_the_old(campaign, office, published):
    old_cover = published.photos.get(position=0)
    with pytest.raises(ValidationError) as refused:
        services.save_news(campaign, text(), actor=office, news=published,
                           photos=[clean(photo(str(i), i)) for i in range(services.NEWS_PHOTOS_MAX - 1)])
    assert "图片最多 9 张" in str(refused.value)
    services.save_news(campaign, text("改了标题", published_at=published.published_at), actor=office, news=published,
                       cover=clean(photo("新封面", 9)))
    published.refresh_from_db()
    assert published.title == "改了标题" and published.photos.count() == 2
    assert published.photos.get(position=0).pk != old_cover.pk
    entry = AuditEntry.objects.get(action="publicity.news.updated")
    assert entry.before == {"title": "活动启动仪式举行"} and entry.after["title"] == "改了标题"


def test_the_cover_cannot_be_removed_but_another_photo_can(office, published):
    cover, other = published.photos.all()
    with pytest.raises(ValidationError):
        services.remove_news_photo(cover, actor=office)
    services.remove_news_photo(other, actor=office)
    assert list(NewsPhoto.objects.values_list("pk", flat=True)) == [cover.pk]
    assert AuditEntry.objects.filter(action="publicity.news.photo_removed").count() == 1


def test_only_news_whose_time_has_come_is_published(campaign, published, draft, scheduled):
    with time_machine.travel(NOW, tick=False):
        assert list(services.published_news(campaign)) == [published]
    with time_machine.travel("2019-09-11 09:00 +0800", tick=False):
        assert list(services.published_news(campaign)) == [scheduled, published]


def test_unpublishing_turns_news_back_into_a_draft(campaign, office, published):
    services.unpublish_news(published, actor=office)
    assert not services.published_news(campaign).exists()
    assert AuditEntry.objects.get(action="publicity.news.unpublished").before["published_at"].startswith("2019-09-08")
    with pytest.raises(ValidationError):
        services.unpublish_news(published, actor=office)


@pytest.mark.parametrize(("upload", "content_type"), [(pdf, "application/pdf"), (docx, DOCX),
                                                      (lambda: photo(), "image/jpeg")])
def test_materials_are_taken_by_content(upload, content_type):
    assert services.clean_material(upload()).content_type == content_type


def test_a_disguised_or_macro_laden_material_is_refused():
    with pytest.raises(UploadRejected, match="文件不是有效的 PDF"):
        services.clean_material(disguised())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
        package.writestr("word/vbaProject.bin", b"macro")
    with pytest.raises(UploadRejected, match="含有宏"):
        services.clean_material(SimpleUploadedFile("通稿.docx", out.getvalue()))
    with pytest.raises(UploadRejected, match="Word"):
        services.clean_material(SimpleUploadedFile("x.docx", b"PK\x03\x04broken"))


def test_a_material_is_added_by_the_office_only(campaign, office, company_a, material):
    assert material.content_type == "application/pdf" and material.file.name.startswith("private/")
    assert AuditEntry.objects.get(action="publicity.material.added").after["title"] == "社会主义核心价值观公益广告"
    with pytest.raises(PermissionDenied):
        services.add_material(campaign, actor=company_a, title="自行设计", description="",
                              clean=services.clean_material(pdf()))


def test_a_company_records_a_posting_with_its_own_company_and_district(posting, company_a, world):
    assert (posting.company, posting.district, posting.community) == (world.company_a, world.haizhou,
                                                                      world.community_a)
    assert posting.photo and posting.thumbnail
    entry = AuditEntry.objects.get(action="publicity.posting.recorded")
    assert entry.after["channel"] == "notice_board" and entry.after["photo"]


def test_a_posting_is_refused_in_the_future_before_the_material_or_for_another_companys_community(
        campaign, material, company_a, haizhou_officer, world):
    def record(posted_on, community=None, actor=company_a):
        with time_machine.travel(NOW, tick=False):
            services.record_posting(campaign, material, services.PostingText(
                channel="wechat_group", place="海州花园业主群", posted_on=posted_on, community=community), actor=actor)

    with pytest.raises(ValidationError, match="不能晚于今天"):
        record(datetime.date(2019, 9, 11))
    with pytest.raises(ValidationError, match="不能早于通稿上传日期"):
        record(datetime.date(2019, 9, 7))
    with pytest.raises(ValidationError, match="本企业服务的小区"):
        record(datetime.date(2019, 9, 9), community=world.community_b)
    with pytest.raises(PermissionDenied):
        record(datetime.date(2019, 9, 9), actor=haizhou_officer)
    assert not Posting.objects.exists()


def test_posting_records_are_seen_by_the_office_the_companys_district_and_the_company(
        campaign, posting, office, haizhou_officer, lianyun_officer, company_a, company_b, expert):
    seen = {u.username: list(services.postings_for(campaign, u))
            for u in (office, haizhou_officer, lianyun_officer, company_a, company_b, expert)}
    assert seen == {"office": [posting], "haizhou": [posting], "lianyun": [], "company_a": [posting],
                    "company_b": [], "expert1": []}


def test_per_company_figures_and_the_export(campaign, material, posting, company_a, world, office):
    with time_machine.travel(NOW, tick=False):
        services.record_posting(campaign, material, services.PostingText(
            channel="official_account", place="https://mp.weixin.qq.com/s/abc", posted_on=datetime.date(2019, 9, 10)),
            actor=company_a)
    (row,) = services.by_company(services.postings_for(campaign, office))
    assert (row["company"], row["records"], row["materials"], row["channels"]) == (world.company_a, 2, 1,
                                                                                   "公众号、小区公告栏")
    rows = list(services.export_rows(services.postings_for(campaign, office), campaign))
    assert rows[0][:7] == ["海州区", world.company_a.name, material.title, "小区公告栏", "海州花园", "3 号楼大堂公告栏",
                           "2019-09-09"]
    assert rows[0][7] == "有" and rows[1][7] == "无"
    book = load_workbook(io.BytesIO(build_workbook([("发布记录", services.EXPORT_HEADERS, rows)],
                                                   caption=caption_for(campaign, "全市"))))
    sheet = book["发布记录"]
    assert sheet["A1"].value.startswith(campaign.name) and sheet["A2"].value == "所在区"


def test_removing_a_posting_is_the_companys_and_logged(posting, company_a, company_b):
    with pytest.raises(PermissionDenied):
        services.remove_posting(posting, actor=company_b)
    services.remove_posting(posting, actor=company_a)
    assert not Posting.objects.exists()
    assert AuditEntry.objects.get(action="publicity.posting.removed").before["place"] == "3 号楼大堂公告栏"


def test_the_review_panel_counts_the_candidate_companys_postings(campaign, world, posting, office, lianyun_officer,
                                                                  haizhou_officer):
    application = f.make_candidates(campaign, world, count=1)[0].application
    assert application.company_id == world.company_a.pk
    panel = services.review_panel(application, office)
    assert panel["title"] == "宣传通稿发布情况" and not panel["warning"]
    assert dict(panel["rows"])["已发布通稿（种）"] == "1 / 1" and dict(panel["rows"])["有照片佐证（条）"] == 1
    assert services.review_panel(application, haizhou_officer) is not None
    assert services.review_panel(application, lianyun_officer) is None


def test_scheduled_time_is_in_beijing_time(campaign, scheduled):
    assert scheduled.published_at == datetime.datetime(2019, 9, 11, 9, tzinfo=TZ)
