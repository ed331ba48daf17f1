"""Pages: outsider 404, wrong role 403, wrong method 405, bad input changes nothing, a skipped
state 409, evidence frozen after submission 403."""

import datetime
import io

import pytest
from django.urls import reverse

from wenming.core.models import AuditEntry
from wenming.supervision.models import Evidence, Finding, Inspection, Interview, OrderState, RectificationOrder, RepeatProblem
from wenming.supervision.tests.conftest import inspect
from wenming.testing.factories import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(campaign, world, haizhou_officer, at):
    at("2019-09-09 10:00 +0800")
    return RectificationOrder.objects.get(finding__inspection=inspect(campaign, haizhou_officer, world.community_a,
                                                         {"SV2": "未公示收费标准"}))


def test_an_inspector_records_findings_with_a_photo_and_submits(client, campaign, world, haizhou_officer, at):
    at("2019-09-09 10:00 +0800")
    client.force_login(haizhou_officer)
    response = client.post(reverse("supervision:start"), {"community": world.community_a.pk, "kind": "regular"})
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == reverse("supervision:inspection", args=[inspection.pk])
    page = client.get(response.url).text
    assert "步行200米看到的宣传内容处数" in page and "≥ 5" in page
    url = reverse("supervision:inspection", args=[inspection.pk])
    saved = client.post(url, {"value_AD1": "3", "note_AD1": "仅 3 处", "verdict_EN1": "fail", "severity_EN1": "major",
                              "note_EN1": "草坪烟头", "location_EN1": "2 号楼前", "photos_EN1": [jpeg()]}, follow=True)
    assert "已保存 2 项，共已填 2/" in saved.content.decode()
    finding = Finding.objects.get(item="EN1")
    assert not finding.passed and finding.photos.count() == 1 and finding.location == "2 号楼前"
    assert client.post(url, {"then": "submit", "confirm_incomplete": "1"}).status_code == 302
    assert RectificationOrder.objects.filter(finding__inspection=inspection).count() == 2
    report = client.get(reverse("supervision:report", args=[inspection.pk])).text
    assert "不合格 2 项" in report and "草坪烟头" in report


def test_bad_input_on_an_item_writes_nothing(client, campaign, world, haizhou_officer, at):
    at("2019-09-09 10:00 +0800")
    client.force_login(haizhou_officer)
    client.post(reverse("supervision:start"), {"community": world.community_a.pk, "kind": "regular"})
    inspection = Inspection.objects.get()
    url = reverse("supervision:inspection", args=[inspection.pk])
    for bad in ({"value_AD1": "abc"}, {"value_AD1": "1e309"}, {"verdict_EN1": "maybe"}, {"severity_EN1": "x"}):
        assert client.post(url, {**bad, "verdict_SV1": "pass"}).status_code == 400
    assert client.post(url, {"verdict_EN1": "fail", "note_EN1": ""}).status_code == 400  # a failure needs a description
    assert client.post(url, {"note_EN1": "有烟头"}).status_code == 400  # a note needs a verdict, never dropped
    html = io.BytesIO(b"<html><script>alert(1)</script></html>")
    html.name = "x.jpg"
    assert client.post(url, {"verdict_EN2": "pass", "photos_EN2": [html]}).status_code == 400
    assert Finding.objects.count() == 0
    assert client.post(url, {"then": "submit", "confirm_incomplete": "1"}).status_code == 400  # nothing to submit
    inspection.refresh_from_db()
    assert inspection.state == "draft" and RectificationOrder.objects.count() == 0


def test_outsiders_get_404_and_wrong_roles_403(client, order, lianyun_officer, company_b, expert, world):
    client.force_login(lianyun_officer)
    assert client.get(reverse("supervision:order", args=[order.pk])).status_code == 404
    assert client.post(reverse("supervision:reinspect", args=[order.pk]), {"result": "pass"}).status_code == 404
    assert client.get(reverse("supervision:report", args=[order.finding.inspection_id])).status_code == 404
    assert client.post(reverse("supervision:start"), {"community": world.community_a.pk,
                                                      "kind": "regular"}).status_code == 404
    client.force_login(company_b)
    assert client.get(reverse("supervision:order", args=[order.pk])).status_code == 404
    assert client.post(reverse("supervision:reinspect", args=[order.pk]), {"result": "pass"}).status_code == 403
    client.force_login(expert)
    assert client.get(reverse("supervision:home")).status_code == 403
    assert client.get(reverse("supervision:order", args=["x"])).status_code == 403
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED and Inspection.objects.count() == 1


def test_wrong_methods_are_405(client, order, haizhou_officer):
    client.force_login(haizhou_officer)
    assert client.get(reverse("supervision:order_action", args=[order.pk])).status_code == 405
    assert client.get(reverse("supervision:evidence", args=[order.pk])).status_code == 405
    assert client.post(reverse("supervision:order", args=[order.pk])).status_code == 405
    assert client.delete(reverse("supervision:samples")).status_code == 405


def test_skipping_a_state_answers_409_and_changes_nothing(client, order, haizhou_officer):
    client.force_login(haizhou_officer)
    response = client.post(reverse("supervision:order_action", args=[order.pk]), {"act": "close"})
    assert response.status_code == 409 and "只有“已复查合格”时才能销号" in response.text
    response = client.post(reverse("supervision:reinspect", args=[order.pk]), {"result": "pass"})
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED and order.events.count() == 1


def test_a_company_uploads_evidence_and_cannot_edit_it_after_submission(client, order, company_a):
    client.force_login(company_a)
    url = reverse("supervision:order", args=[order.pk])
    client.post(reverse("supervision:order_action", args=[order.pk]), {"act": "start"})
    client.post(reverse("supervision:evidence", args=[order.pk]), {"text": "已在大堂公示", "photos": [jpeg()]})
    client.post(reverse("supervision:evidence", args=[order.pk]), {"text": "补充公示照片", "photos": [jpeg()]})
    assert client.post(reverse("supervision:order_action", args=[order.pk]), {"act": "submit"}).status_code == 302
    response = client.post(reverse("supervision:evidence", args=[order.pk]), {"text": "提交后再改"})
    assert response.status_code == 403
    assert list(Evidence.objects.values_list("version", "text")) == [(1, "已在大堂公示"), (2, "补充公示照片")]
    assert Evidence.objects.get(version=2).photos.count() == 1
    page = client.get(url).text
    assert "第 2 版" in page and "已提交" in page
    assert AuditEntry.objects.filter(action="supervision.evidence.saved").count() == 2


def test_a_district_officer_cannot_interview_outside_the_district(client, campaign, world, haizhou_officer,
                                                                  lianyun_officer, at):
    at("2019-10-21 10:00 +0800")
    inspect(campaign, haizhou_officer, world.community_a, {"EN2": "杂物"})
    at("2019-11-04 10:00 +0800")
    inspect(campaign, haizhou_officer, world.community_a, {"EN2": "杂物"})
    problem = RepeatProblem.objects.get()
    data = {"held_at": "2019-11-04T15:00", "attendees": "王科长", "requirements": "清理"}
    client.force_login(lianyun_officer)
    assert client.post(reverse("supervision:interview", args=[problem.pk]), data).status_code == 404
    client.force_login(haizhou_officer)
    assert client.post(reverse("supervision:interview", args=[problem.pk]), {**data, "attendees": ""}).status_code == 302
    assert Interview.objects.count() == 0
    assert client.post(reverse("supervision:interview", args=[problem.pk]), data).status_code == 302
    assert Interview.objects.get().deadline.isoformat() == "2019-11-18"  # 10 working days
    assert "王科长" in client.get(reverse("supervision:repeats")).text


def test_samples_show_their_seed_and_reproduce(client, campaign, world, haizhou_officer):
    client.force_login(haizhou_officer)
    assert client.post(reverse("supervision:samples"), {"district": world.haizhou.pk}).status_code == 302
    page = client.get(reverse("supervision:samples")).text
    assert "复现一致" in page and "海州花园" in page


def test_orders_export_to_excel(client, order, haizhou_officer):
    from wenming.testing.workbooks import first_sheet

    client.force_login(haizhou_officer)
    response = client.get(reverse("supervision:orders"), {"format": "xlsx"})
    rows = first_sheet(response.content, scope="海州区")
    assert rows[0][:3] == ("编号", "区", "小区") and rows[1][2] == "海州花园" and rows[1][11] == "已下达"
    assert isinstance(rows[1][0], int) and isinstance(rows[1][8], datetime.datetime)  # dates as dates
    assert isinstance(rows[1][10], int)


def test_the_dashboard_counts_for_the_district(client, order, haizhou_officer):
    client.force_login(haizhou_officer)
    page = client.get(reverse("supervision:home")).text
    assert "未销号整改" in page and "海州花园" in page


def test_the_office_sees_the_supervision_record_in_review(client, campaign, world, office, company_a, at):
    from wenming.awards.models import Application, Status

    at("2019-09-09 10:00 +0800")
    application = Application.objects.create(
        campaign=campaign, award=campaign.awards.get(key="model_community"), channel="company",
        status=Status.OFFICE_REVIEW,
        community=world.community_a, company=world.company_a, district=world.haizhou, applicant_name="x",
        full_name=world.community_a.name)
    client.force_login(office)
    page = client.get(reverse("awards:detail", args=[application.pk])).text
    assert "督查与信用记录" in page and "企业信用" in page and "A（90 分）" in page
    client.force_login(company_a)
    assert "督查与信用记录" not in client.get(reverse("awards:detail", args=[application.pk])).text


def test_workbench_todos_follow_the_orders(client, order, company_a, haizhou_officer):
    client.force_login(company_a)
    assert "确认整改通知" in client.get("/workbench/").text
    client.post(reverse("supervision:order_action", args=[order.pk]), {"act": "start"})
    client.post(reverse("supervision:evidence", args=[order.pk]), {"text": "已公示"})
    client.post(reverse("supervision:order_action", args=[order.pk]), {"act": "submit"})
    client.force_login(haizhou_officer)
    page = client.get("/workbench/").text
    assert "复查整改" in page and "1 份整改通知" in page


def test_inspections_start_only_while_the_campaign_runs(client, campaign, world, haizhou_officer, at):
    at("2019-09-06 10:00 +0800")  # the day before the campaign starts
    client.force_login(haizhou_officer)
    response = client.post(reverse("supervision:start"), {"community": world.community_a.pk, "kind": "regular"})
    assert response.status_code == 409
    assert "督查整改时间为 2019年9月7日 00:00 至 2019年12月30日 24:00，当前不在此时间内" in response.text
    assert not Inspection.objects.exists()
    at("2019-09-07 00:00 +0800")
    client.force_login(haizhou_officer)
    assert client.post(reverse("supervision:start"), {"community": world.community_a.pk,
                                                      "kind": "regular"}).status_code == 302
    assert Inspection.objects.count() == 1
