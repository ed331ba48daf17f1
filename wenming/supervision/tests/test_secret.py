"""暗访抽查 stays secret: the company sees nothing of an unannounced inspection — list, detail,
report, photos, counts, notifications, workbench — until it is submitted. Samples are redrawn
only with a reason and a second officer of the district; the start form offers only sampled
communities. Regular inspections follow a per-district schedule and show due/overdue."""

import pytest
from django.urls import reverse

from wenming.core.models import AuditEntry, Notification
from wenming.core.roles import Role
from wenming.registry.models import Community
from wenming.supervision import services
from wenming.supervision.models import Inspection, Photo, RegularSchedule, Sample, SampleRedraw
from wenming.supervision.tests.conftest import inspect
from wenming.supervision.tests.test_views import jpeg
from wenming.testing.factories import make_community, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def haizhou2(world):
    return make_user("haizhou2", role=Role.DISTRICT, district=world.haizhou)


@pytest.fixture
def secret(client, campaign, world, haizhou_officer, at):
    """An unannounced inspection of 海州花园 in progress, one failed item with a photo."""
    at("2019-09-09 10:00 +0800")
    client.force_login(haizhou_officer)
    assert client.post(reverse("supervision:samples"), {"district": world.haizhou.pk}).status_code == 302
    page = client.get(reverse("supervision:start")).text
    assert 'id="id_sampled"' in page and "海州花园" in page
    response = client.post(reverse("supervision:start"), {"community": world.community_a.pk, "kind": "unannounced"})
    inspection = Inspection.objects.get(kind="unannounced")
    assert response.url == reverse("supervision:inspection", args=[inspection.pk])
    saved = client.post(response.url, {"verdict_EN1": "fail", "severity_EN1": "major", "note_EN1": "草坪烟头",
                                       "photos_EN1": [jpeg()]})
    assert saved.status_code == 302
    return inspection


def _company_sees(client, company_a, inspection):
    client.force_login(company_a)
    photo = Photo.objects.get(finding__inspection=inspection)
    return {
        "list": "暗访抽查" in client.get(reverse("supervision:inspections")).text,
        "detail": client.get(reverse("supervision:inspection", args=[inspection.pk])).status_code,
        "report": client.get(reverse("supervision:report", args=[inspection.pk])).status_code,
        "photo": client.get(photo.url).status_code,
        "home": client.get(reverse("supervision:home")).text,
        "workbench": client.get("/workbench/").text,
        "notified": Notification.objects.filter(user=company_a).exists(),
    }


def test_the_company_gets_404_until_submission_and_sees_it_afterwards(client, campaign, secret, haizhou_officer,
                                                                       company_a, django_capture_on_commit_callbacks):
    before = _company_sees(client, company_a, secret)
    assert not before["list"] and before["detail"] == 404 and before["report"] == 404 and before["photo"] == 404
    assert "检查中" not in before["home"] and "暗访 0" in before["home"]
    assert "确认整改通知" not in before["workbench"] and "检查中" not in before["workbench"]
    assert not before["notified"]

    client.force_login(haizhou_officer)  # the district sees its own inspection all along
    assert client.get(reverse("supervision:inspections")).text.count("暗访抽查") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("supervision:inspection", args=[secret.pk]),
                           {"then": "submit", "confirm_incomplete": "1"}).status_code == 302

    after = _company_sees(client, company_a, secret)
    assert after["list"] and after["detail"] == 200 and after["report"] == 200 and after["photo"] == 200
    assert "暗访 1" in after["home"] and "草坪烟头" in client.get(reverse("supervision:orders")).text
    assert "确认整改通知" in after["workbench"] and after["notified"]


def test_the_start_form_offers_only_sampled_communities(client, campaign, world, haizhou_officer, at):
    at("2019-09-09 10:00 +0800")
    other = make_community(name="海州外围小区", company=world.company_a, district=world.haizhou)
    sample = Sample.objects.create(district=world.haizhou, seed="s", size=1, population=[world.community_a.pk, other.pk],
                                   community_ids=[world.community_a.pk], drawn_by=haizhou_officer)
    client.force_login(haizhou_officer)
    page = client.get(reverse("supervision:start")).text
    sampled = page[page.index('id="id_sampled"'):]
    sampled = sampled[:sampled.index("</select>")]
    assert "海州花园" in sampled and "海州外围小区" not in sampled
    assert '<option value="unannounced"' not in page  # the regular form does not offer it
    response = client.post(reverse("supervision:start"), {"community": other.pk, "kind": "unannounced"}, follow=True)
    assert "暗访抽查的小区须来自本区的随机抽样" in response.text and not Inspection.objects.exists()
    # once inspected, a sampled community is no longer offered and cannot be inspected again from the sample
    services.start_inspection(campaign, haizhou_officer, world.community_a, "unannounced", sample=sample)
    assert "暂无待检查的抽样小区" in client.get(reverse("supervision:start")).text
    assert client.post(reverse("supervision:start"), {"community": world.community_a.pk, "kind": "unannounced",
                                                      "sample": sample.pk}).status_code == 409


def test_a_redraw_needs_a_reason_and_a_second_officer_of_the_district(client, campaign, world, haizhou_officer,
                                                                       haizhou2, lianyun_officer, office, at):
    at("2019-09-09 10:00 +0800")
    for i in range(5):
        make_community(name=f"抽样小区{i}", company=world.company_a, district=world.haizhou)
    client.force_login(haizhou_officer)
    client.post(reverse("supervision:samples"), {"district": world.haizhou.pk})
    sample = Sample.objects.get()
    assert client.post(reverse("supervision:samples"), {"district": world.haizhou.pk}).status_code == 409
    url = reverse("supervision:redraw", args=[sample.pk])
    blank = client.post(url, {f"r{sample.pk}-reason": "   "})
    assert blank.status_code == 400 and "请填写重新抽样的理由" in blank.text and not SampleRedraw.objects.exists()
    client.post(url, {f"r{sample.pk}-reason": "抽中的小区正在改造施工"})
    redraw = SampleRedraw.objects.get()
    assert redraw.state == "pending" and Sample.objects.count() == 1  # nothing drawn before approval
    page = client.get(reverse("supervision:samples")).text
    assert "抽中的小区正在改造施工" in page and "等待本区另一名工作人员审批" in page
    decide = reverse("supervision:decide_redraw", args=[redraw.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 409  # not by the requester
    client.force_login(lianyun_officer)
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    client.force_login(office)
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    client.force_login(haizhou2)
    assert "审批重新抽样" in client.get("/workbench/").text
    assert client.get(decide).status_code == 405
    assert "同意重新抽样" in client.get(reverse("supervision:samples")).text
    assert client.post(decide, {"decision": "approve"}, follow=True).status_code == 200
    redraw.refresh_from_db()
    sample.refresh_from_db()
    assert redraw.state == "approved" and sample.superseded_by == redraw.new_sample and redraw.decided_by == haizhou2
    assert "审批重新抽样" not in client.get("/workbench/").text
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "supervision.redraw.requested", "supervision.redraw.decided", "supervision.sample.drawn"}
    with pytest.raises(Exception, match="已被重新抽样替换"):
        services.start_inspection(campaign, haizhou_officer, Community.objects.get(pk=sample.community_ids[0]),
                                  "unannounced", sample=sample)


def test_a_refused_redraw_keeps_the_sample(campaign, world, haizhou_officer, haizhou2, at):
    at("2019-09-09 10:00 +0800")
    sample = services.draw_sample(campaign, world.haizhou, haizhou_officer)
    redraw = services.request_redraw(campaign, sample, haizhou_officer, reason="施工")
    services.decide_redraw(campaign, redraw, haizhou2, approve=False)
    sample.refresh_from_db()
    assert sample.current and Sample.objects.count() == 1
    # once every sampled community is inspected, a fresh draw needs no approval
    inspect(campaign, haizhou_officer, world.community_a, {}, kind="unannounced", sample=sample)
    assert services.draw_sample(campaign, world.haizhou, haizhou_officer).current


def test_the_regular_schedule_shows_due_and_overdue(client, campaign, world, haizhou_officer, company_a, at):
    at("2019-09-09 10:00 +0800")  # supervision opened on 2019-09-07
    client.force_login(haizhou_officer)
    url = reverse("supervision:schedule")
    bad = client.post(url, {"district": world.haizhou.pk, "every_weeks": "0"})
    assert bad.status_code == 400 and "间隔须为 1 至 52 周" in bad.text and 'value="0"' in bad.text
    assert not RegularSchedule.objects.exists()
    assert "每 <strong>4</strong> 周" in client.get(url).text  # the preset's default until the district sets its own
    saved = client.post(url, {"district": world.haizhou.pk, "every_weeks": "2"}, follow=True)
    assert "每个小区每 2 周一次" in saved.text and AuditEntry.objects.filter(action="supervision.schedule.set").exists()
    page = client.get(url).text
    assert "2019-09-21" in page and '<tr class="schedule-ok">' in page  # never inspected: due two weeks after the start

    def on(day):
        at(f"{day} 10:00 +0800")
        client.force_login(haizhou_officer)  # a new day, a new session
        return client.get(url).text

    page = on("2019-09-16")
    assert '<tr class="schedule-due">' in page and "即将到期</td>" in page
    assert "已逾期 2 天" in on("2019-09-23")
    workbench = client.get("/workbench/").text
    assert "定期督查" in workbench and "1 个小区已逾期" in workbench
    inspect(campaign, haizhou_officer, world.community_a, {})
    page = client.get(url).text
    assert "2019-10-07" in page and '<tr class="schedule-ok">' in page and "按期</td>" in page
    assert "定期督查" not in client.get("/workbench/").text
    assert '<tr class="schedule-due">' in on("2019-09-30")
    assert "已逾期 1 天" in on("2019-10-08")

    client.force_login(company_a)
    assert client.get(url).status_code == 403
    client.force_login(make_user("lianyun", role=Role.DISTRICT, district=world.lianyun))
    assert client.post(url, {"district": world.haizhou.pk, "every_weeks": "3"}).status_code == 404
    assert RegularSchedule.objects.get().every_weeks == 2


def test_redraw_and_schedule_pages_refuse_wrong_methods_roles_and_outsiders(client, campaign, world, haizhou_officer,
                                                                           haizhou2, lianyun_officer, company_a, at):
    at("2019-09-09 10:00 +0800")
    sample = services.draw_sample(campaign, world.haizhou, haizhou_officer)
    redraw_url = reverse("supervision:redraw", args=[sample.pk])
    client.force_login(haizhou_officer)
    assert client.get(redraw_url).status_code == 405
    assert client.put(reverse("supervision:schedule")).status_code == 405
    client.force_login(company_a)
    assert client.post(redraw_url, {f"r{sample.pk}-reason": "x"}).status_code == 403
    assert client.get(reverse("supervision:samples")).status_code == 403
    client.force_login(lianyun_officer)
    assert client.post(redraw_url, {f"r{sample.pk}-reason": "施工"}).status_code == 404
    assert not SampleRedraw.objects.exists()
    redraw = services.request_redraw(campaign, sample, haizhou_officer, reason="施工")
    client.force_login(haizhou2)
    decide = reverse("supervision:decide_redraw", args=[redraw.pk])
    response = client.post(decide, {"decision": "maybe"}, follow=True)
    assert "请选择审批结论" in response.text
    redraw.refresh_from_db()
    assert redraw.state == "pending" and Sample.objects.count() == 1
    with pytest.raises(Exception, match="已有待审批"):
        services.request_redraw(campaign, sample, haizhou2, reason="再次申请")
