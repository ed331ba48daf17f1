"""The printed papers: the inspection report (every photo taken, findings, signature lines) and
the 约谈通知书 (addressee, time, place, the reasons with their inspections and orders, the
district bureau as issuer, seal box, signature lines). Seen as the record: the office, the
record's district, the company concerned; anyone else 404, a role outside supervision 403."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from wenming.awards.tests.test_printing import fonts_of, requires_pdf
from wenming.core.uploads import clean_image
from wenming.supervision import services
from wenming.supervision.models import Inspection, RepeatProblem
from wenming.supervision.tests.test_views import jpeg

pytestmark = pytest.mark.django_db


def photo(color):
    return clean_image(SimpleUploadedFile("p.jpg", jpeg(colour=color).read()), max_bytes=1048576).content


def text_of(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", ""), reader


def images_in(reader):
    """The distinct pictures embedded (WeasyPrint may list one image in several pages' resources)."""
    import hashlib

    return len({hashlib.sha256(image.data).hexdigest() for page in reader.pages for image in page.images})


def inspect_with_photos(campaign, officer, community, note="楼道堆放杂物"):
    inspection = services.start_inspection(campaign, officer, community, Inspection.Kind.REGULAR)
    services.save_finding(campaign, inspection, officer, "EN1", passed=True, photos=[photo((40, 160, 60))])
    services.save_finding(campaign, inspection, officer, "EN2", passed=False, severity="major", note=note,
                          location="3 号楼 2 单元", photos=[photo((200, 60, 40)), photo((40, 60, 200))])
    return services.submit_inspection(campaign, inspection, officer, confirm_incomplete=True)


@pytest.fixture
def interview(campaign, world, haizhou_officer, at):
    at("2019-10-21 10:00 +0800")
    inspect_with_photos(campaign, haizhou_officer, world.community_a, note="楼道堆放杂物")
    at("2019-11-04 10:00 +0800")
    inspect_with_photos(campaign, haizhou_officer, world.community_a, note="楼道杂物仍未清理")
    problem = RepeatProblem.objects.get()
    import datetime

    return services.record_interview(
        campaign, problem, haizhou_officer, held_at=datetime.datetime(2019, 11, 6, 15, 0, tzinfo=campaign.tz),
        place="海州区住建局三楼会议室", attendees="王科长；海州甲物业项目经理", requirements="十日内清理并建立每日巡查制度")


@requires_pdf
def test_the_report_pdf_holds_the_findings_every_photo_and_the_signature_lines(client, campaign, world,
                                                                               haizhou_officer, at):
    at("2019-09-09 10:00 +0800")
    inspection = inspect_with_photos(campaign, haizhou_officer, world.community_a)
    client.force_login(haizhou_officer)
    response = client.get(reverse("supervision:report_pdf", args=[inspection.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    text, reader = text_of(response.content)
    assert "物业管理文明创建督查检查报告" in text and "海州花园" in text and "海州甲物业服务有限公司" in text
    assert "haizhou" in text and "2019-09-09" in text  # the inspector and the date
    assert "楼道堆放杂物" in text and "3 号楼 2 单元" in text and "合格" in text and "不合格" in text
    assert "检查人员（签字）" in text and "物业服务企业代表（签字）" in text
    assert images_in(reader) == 3  # the passed item's photo and the failed item's two
    assert any("CJK" in name for name in fonts_of(reader))


@requires_pdf
def test_the_interview_notice_names_the_company_time_place_reasons_and_issuer(client, campaign, world,
                                                                              haizhou_officer, interview):
    client.force_login(haizhou_officer)
    response = client.get(reverse("supervision:interview_notice", args=[interview.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text, _ = text_of(response.content)
    assert "约谈通知书" in text and "海州甲物业服务有限公司：" in text
    assert "2019-11-06 15:00" in text and "海州区住建局三楼会议室" in text
    assert "海州花园" in text and "楼道堆放杂物" in text and "楼道杂物仍未清理" in text  # both findings
    problem = interview.problem
    for finding in (problem.first, problem.repeat):
        assert f"检查编号 {finding.inspection.pk}" in text and f"整改通知编号 {finding.order.pk}" in text
    assert "十日内清理并建立每日巡查制度" in text and "2019年11月20日前" in text
    assert "海州区住房和城乡建设局" in text and "（盖章）" in text and "2019年11月4日" in text  # issued the day recorded
    assert "签发人（签字）" in text and "签收人（签字）" in text


@requires_pdf
@pytest.mark.parametrize(("who", "status"), [("office", 200), ("haizhou_officer", 200), ("company_a", 200),
                                             ("lianyun_officer", 404), ("company_b", 404), ("expert", 403),
                                             ("surveyor", 403)])
def test_who_may_print_the_notice_and_the_report(client, request, interview, who, status):
    client.force_login(request.getfixturevalue(who))
    inspection = interview.problem.repeat.inspection
    assert client.get(reverse("supervision:interview_notice", args=[interview.pk])).status_code == status
    assert client.get(reverse("supervision:report_pdf", args=[inspection.pk])).status_code == status


def test_a_signed_out_visitor_is_sent_to_sign_in_and_a_post_is_refused(client, interview, haizhou_officer):
    url = reverse("supervision:interview_notice", args=[interview.pk])
    assert client.get(url).status_code == 302
    client.force_login(haizhou_officer)
    assert client.post(url).status_code == 405


def test_without_the_pdf_pieces_the_notice_says_so(client, interview, haizhou_officer, monkeypatch):
    monkeypatch.setattr("wenming.supervision.printing.pdf_available", lambda: False)
    client.force_login(haizhou_officer)
    response = client.get(reverse("supervision:interview_notice", args=[interview.pk]))
    assert response.status_code == 503 and "请使用网页版打印" in response.text


@requires_pdf
def test_the_pages_link_to_the_papers(client, interview, haizhou_officer, company_a):
    inspection = interview.problem.repeat.inspection
    for user in (haizhou_officer, company_a):
        client.force_login(user)
        repeats = client.get(reverse("supervision:repeats")).text
        assert reverse("supervision:interview_notice", args=[interview.pk]) in repeats
        assert "海州区住建局三楼会议室" in repeats
        page = client.get(reverse("supervision:inspection", args=[inspection.pk])).text
        assert reverse("supervision:report_pdf", args=[inspection.pk]) in page


def test_the_place_is_typed_on_the_interview_form_and_kept(client, campaign, world, haizhou_officer, at):
    at("2019-10-21 10:00 +0800")
    inspect_with_photos(campaign, haizhou_officer, world.community_a)
    at("2019-11-04 10:00 +0800")
    inspect_with_photos(campaign, haizhou_officer, world.community_a)
    problem = RepeatProblem.objects.get()
    client.force_login(haizhou_officer)
    response = client.post(reverse("supervision:interview", args=[problem.pk]), {
        "held_at": "2019-11-06T15:00", "place": "区住建局会议室", "attendees": "王科长", "requirements": "清理"})
    assert response.status_code == 302
    assert problem.interviews.get().place == "区住建局会议室"
