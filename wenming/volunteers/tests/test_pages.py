"""The volunteer pages: a resident's journey from joining to the certificate, the organiser's
pages, the public check, and who may see what."""

import datetime
import re

import time_machine
from django.test import Client
from django.urls import reverse

from wenming.core.models import AuditEntry, Resident
from wenming.testing.factories import make_resident, verified_session
from wenming.testing.workbooks import first_sheet
from wenming.volunteers import services
from wenming.volunteers.models import Activity, Certificate, HelpRequest, Record, RecordState, Station, Volunteer
from wenming.volunteers.tests.conftest import NOW, at


def resident_client(phone):
    return verified_session(Client(), make_resident(phone))


def test_a_resident_joins_signs_up_scans_in_and_out_and_gets_a_certificate(campaign, station, activity, person,
                                                                           company_a, client):
    phone = resident_client(person.phone)
    with time_machine.travel(NOW, tick=False):
        response = phone.post(reverse("volunteers:join", args=[station.pk]), {"step": "join", "name": "张小明"})
        assert response.status_code == 400 and "请阅读并同意个人信息保护告知" in response.content.decode()
        assert not Volunteer.objects.exists()
        response = phone.post(reverse("volunteers:join", args=[station.pk]),
                              {"step": "join", "name": "张小明", "skills": ["repair"], "consent": "on"}, follow=True)
        assert "已登记为海州花园志愿者服务站志愿者" in response.content.decode()
        response = phone.post(reverse("volunteers:activity", args=[activity.pk]), {"step": "signup"}, follow=True)
        assert "报名成功" in response.content.decode()
    client.force_login(company_a)
    with time_machine.travel("2019-11-26 09:00 +0800", tick=False):
        page = client.get(reverse("volunteers:activity_code", args=[activity.pk]) + "?d=i").content.decode()
        assert 'http-equiv="refresh"' in page and "data:image/png;base64," in page
        code = services.issue_code(activity, services.IN, actor=company_a)
        response = phone.get(reverse("volunteers:scan") + f"?c={code}")
        assert response.status_code == 200 and "确认签到" in response.content.decode()
        assert Record.objects.get().state == RecordState.SIGNED_UP  # a GET changes nothing
        response = phone.post(reverse("volunteers:scan"), {"step": "scan", "c": code}, follow=True)
        assert "签到成功：09:00" in response.content.decode()
    with time_machine.travel("2019-11-26 10:30 +0800", tick=False):
        code = services.issue_code(activity, services.OUT, actor=company_a)
        response = phone.post(reverse("volunteers:scan"), {"step": "scan", "c": code}, follow=True)
        assert "本次服务 1.5 小时" in response.content.decode()
    record = Record.objects.get()
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        response = client.post(reverse("volunteers:record_confirm", args=[record.pk]), {"hours": "1.2"}, follow=True)
        assert "调整签到签退时长须写明理由" in response.content.decode()
        assert Record.objects.get().state == RecordState.SIGNED_OUT
        response = client.post(reverse("volunteers:record_confirm", args=[record.pk]), {"hours": ""}, follow=True)
        assert "服务时长已确认" in response.content.decode()
        page = phone.get(reverse("volunteers:me")).content.decode()
        assert "共 <strong>1.5</strong> 小时" in page and "活动组织者确认" in page
        volunteer = Volunteer.objects.get()
        response = phone.post(reverse("volunteers:issue_mine", args=[volunteer.pk]), follow=True)
    certificate = Certificate.objects.get()
    assert f"证明已开具，编号 {certificate.number}" in response.content.decode()
    page = phone.get(reverse("volunteers:certificate", args=[certificate.number])).content.decode()
    assert "志愿服务记录证明" in page and "张小明" in page and "1.5</strong> 小时" in page and "（盖章）" in page
    assert station.company.name in page and "义务维修进家庭" in page and "活动组织者确认" in page
    # another resident's session, or nobody, cannot see it
    assert resident_client("13700000000").get(reverse("volunteers:certificate", args=[certificate.number])).status_code == 404
    assert Client().get(reverse("volunteers:certificate_pdf", args=[certificate.number])).status_code == 404


def test_the_public_check_shows_the_masked_name_and_totals_and_nothing_more(campaign, company_a, served, volunteer,
                                                                           person):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        services.confirm(served, actor=company_a)
        certificate = services.issue_certificate(campaign, volunteer, resident=person)
    response = Client().get(reverse("volunteers:check") + f"?number={certificate.number}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "姓名：张**" in page and "累计服务：1 次，1.5 小时" in page and "海州花园志愿者服务站" in page
    assert "张小明" not in page and person.phone not in page and "139****" not in page
    assert "义务维修进家庭" not in page  # the records themselves are not shown
    assert Client().get(reverse("volunteers:check") + "?number=32071").status_code == 404
    body = Client().get(f"/api/v1/volunteers/certificates/{certificate.number}").json()
    assert body == {"number": certificate.number, "name": "张**", "records": 1, "hours": "1.5",
                    "station": "海州花园志愿者服务站", "company": certificate.company.name, "issued_on": "2019-11-26"}


def test_staff_pages_are_scoped_and_role_checked(client, station, activity, company_b, expert, haizhou_officer,
                                                 lianyun_officer):
    for url in (reverse("volunteers:station_detail", args=[station.pk]),
                reverse("volunteers:activity_detail", args=[activity.pk])):
        client.force_login(company_b)
        assert client.get(url).status_code == 404
        client.force_login(lianyun_officer)
        assert client.get(url).status_code == 404
        client.force_login(haizhou_officer)
        assert client.get(url).status_code == 200
        client.force_login(expert)
        assert client.get(url).status_code == 403
    client.force_login(haizhou_officer)  # a district sees, but does not organise
    assert client.get(reverse("volunteers:activity_code", args=[activity.pk])).status_code == 403
    assert client.get(reverse("volunteers:activity_cancel", args=[activity.pk])).status_code == 405


def test_a_bad_activity_is_refused_at_the_field_with_the_typed_values_kept(client, campaign, station, company_a):
    client.force_login(company_a)
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("volunteers:activity_new", args=[station.pk]), {
            "kind": "repair", "title": "义务理发", "content": "为老人免费理发", "place": "服务中心",
            "starts_at": "2019-11-27T10:00", "ends_at": "2019-11-27T09:00", "places": "5"})
    page = response.content.decode()
    assert response.status_code == 400 and "结束时间应晚于开始时间" in page and 'value="义务理发"' in page
    assert not Activity.objects.exists()
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("volunteers:activity_new", args=[station.pk]), {
            "kind": "repair", "title": "义务理发", "content": "为老人免费理发", "place": "服务中心",
            "starts_at": "2019-11-27T09:00", "ends_at": "2019-11-27T11:00", "places": "5"}, follow=True)
    assert "已发布活动“义务理发”" in response.content.decode()
    assert Activity.objects.get().length_minutes == 120


def test_a_company_registers_its_station_and_records_help_for_a_household(client, campaign, world, company_a):
    client.force_login(company_a)
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("volunteers:station_new"), {
            "community": str(world.community_a.pk), "name": "海州花园服务站", "contact_name": "李站长",
            "contact_phone": "123", "hours": "全天"})
        assert response.status_code == 400 and "请填写 11 位手机号" in response.content.decode()
        assert not Station.objects.exists()
        response = client.post(reverse("volunteers:station_new"), {
            "community": str(world.community_a.pk), "name": "海州花园服务站", "contact_name": "李站长",
            "contact_phone": "13800138001", "hours": "全天", "services": ["repair"]}, follow=True)
        assert "已登记 海州花园服务站" in response.content.decode()
        station = Station.objects.get()
        response = client.post(reverse("volunteers:help"), {
            "station": str(station.pk), "group": "elderly_alone", "kind": "visit", "description": "独居老人每周探访",
            "address": "2-1-302", "phone": "13612340000"}, follow=True)
        assert "帮扶需求已登记" in response.content.decode()
    assert HelpRequest.objects.get().recorded_by == company_a
    assert AuditEntry.objects.filter(action="volunteers.help.requested").exists()


def test_the_export_holds_the_national_records_fields(client, campaign, company_a, served, haizhou_officer):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        services.confirm(served, actor=company_a)
    client.force_login(haizhou_officer)
    response = client.get(reverse("volunteers:export"))
    rows = first_sheet(response.content, campaign=campaign, scope="海州区")
    assert rows[0] == services.EXPORT_HEADERS
    assert rows[1][0] == "张小明" and rows[1][1] == "139****0001" and rows[1][9] == 1.5
    assert isinstance(rows[1][7], datetime.datetime) and isinstance(rows[1][12], datetime.datetime)
    assert len(rows) == 2


def test_figures_page_shows_hours_per_district(client, campaign, company_a, served, haizhou_officer):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        services.confirm(served, actor=company_a)
    client.force_login(haizhou_officer)
    with time_machine.travel("2019-11-27 12:00 +0800", tick=False):
        page = client.get(reverse("volunteers:figures")).content.decode()
    assert re.search(r"<td>海州区</td><td>1</td><td>1\.5</td><td>1</td>", page)


def test_a_scan_with_an_expired_code_writes_nothing(campaign, activity, company_a, signed_up, person):
    phone = resident_client(person.phone)
    code = services.issue_code(activity, services.IN, actor=company_a, at=at("2019-11-26 09:00 +0800"))
    with time_machine.travel("2019-11-26 09:05 +0800", tick=False):
        response = phone.post(reverse("volunteers:scan"), {"step": "scan", "c": code})
    assert response.status_code == 409 and "二维码已过期" in response.content.decode()
    assert Record.objects.get().state == RecordState.SIGNED_UP


def test_a_household_asks_a_volunteer_takes_and_reports_and_the_household_confirms(campaign, station, volunteer,
                                                                                   person):
    Resident.objects.create(phone="13612345678", consent_version="2019.1", consented_at=station.registered_at)
    household = resident_client("13612345678")
    helper = resident_client(person.phone)
    with time_machine.travel(NOW, tick=False):
        response = household.post(reverse("volunteers:ask_help", args=[station.pk]), {
            "step": "help", "group": "elderly_alone", "kind": "repair", "description": "漏", "address": "3-1-201"})
        assert response.status_code == 400 and "至少 5 个字" in response.content.decode()
        assert not HelpRequest.objects.exists()
        household.post(reverse("volunteers:ask_help", args=[station.pk]), {
            "step": "help", "group": "elderly_alone", "kind": "repair", "description": "卫生间水龙头漏水",
            "address": "3-1-201"})
        request = HelpRequest.objects.get()
        assert "卫生间水龙头漏水" in helper.get(reverse("volunteers:me")).content.decode()
        page = helper.post(reverse("volunteers:my_help", args=[request.pk]), {"step": "take"}, follow=True)
        assert "已认领" in page.content.decode()
        page = helper.post(reverse("volunteers:my_help", args=[request.pk]), {"step": "report", "hours": "abc"},
                           follow=True)
        assert "请填写时长" in page.content.decode()
        helper.post(reverse("volunteers:my_help", args=[request.pk]), {"step": "report", "hours": "1"})
        # the helper is not the household: confirming is not theirs
        assert helper.post(reverse("volunteers:my_help", args=[request.pk]), {"step": "confirm"}).status_code == 404
        page = household.post(reverse("volunteers:my_help", args=[request.pk]), {"step": "confirm"}, follow=True)
        assert "感谢确认，服务已办结" in page.content.decode()
    record = Record.objects.get(help_request=request)
    assert record.minutes == 60 and record.confirmed_how == "household"


def test_a_volunteer_not_yet_verified_on_this_phone_verifies_from_the_scanned_page(campaign, activity, company_a,
                                                                                    signed_up, person, client):
    code = services.issue_code(activity, services.IN, actor=company_a, at=at("2019-11-26 09:00 +0800"))
    url = reverse("volunteers:scan") + f"?c={code}"
    with time_machine.travel("2019-11-26 09:00:20 +0800", tick=False):
        assert "获取验证码" in client.get(url).content.decode()
        # the phone step posts back to the scanned URL, the code in its query, not in its body
        response = client.post(url, {"step": "send", "phone": person.phone})
    page = response.content.decode()
    assert "二维码无效" not in page and response.status_code in (200, 302)
    assert Record.objects.get().state == RecordState.SIGNED_UP  # nothing signed until the resident is verified
