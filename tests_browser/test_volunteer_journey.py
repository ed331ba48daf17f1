"""A volunteer at phone size: a resident scans the station's poster, registers (told what is
missing first), signs up for an activity, signs in and out by scanning the organiser's phone; the
organiser corrects the hours with a reason; the resident sees the hours and gets the certificate,
which anyone can check by its number (masked name and totals only)."""

import datetime

import pytest
from django.utils import timezone

from tests_browser.test_complaint_journey import staff_page
from tests_browser.test_phone_journey import verify
from wenming.core.models import User
from wenming.testing.browser import ARTIFACTS, demo_site, requires_chromium
from wenming.volunteers import services
from wenming.volunteers.models import Certificate, Record, RecordState, Station

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def test_a_volunteer_from_the_poster_to_the_certificate(phone, browser, live_server, settings):
    campaign = demo_site(settings, "voting", with_awards=False)
    company = User.objects.get(username="company1")
    station = Station.objects.filter(company_id=company.company_id).order_by("pk").first()
    start = timezone.now() + datetime.timedelta(minutes=2)
    activity = services.create_activity(campaign, station, services.ActivityForm(
        kind="repair", title="楼道灯义务检修", content="检修各楼栋楼道灯和单元门禁", place="物业服务中心门口",
        starts_at=start, ends_at=start + datetime.timedelta(hours=2), places=5), actor=company)

    phone.goto(f"/volunteers/s/{station.pk}/")
    main = phone.locator("main")
    assert station.name in main.inner_text()
    phone.shot("station")
    phone.get_by_role("link", name="登记为志愿者").click()
    verify(phone, "13905209999")
    phone.fill("#id_name", "孙志愿")
    phone.get_by_role("button", name="登记").click()
    phone.wait_for_load_state()
    assert "请阅读并同意个人信息保护告知" in main.inner_text() and phone.input_value("#id_name") == "孙志愿"
    phone.shot("join-refused")
    phone.check("#id_consent")
    phone.get_by_role("button", name="登记").click()
    phone.wait_for_load_state()
    assert "已登记为" in main.inner_text()

    phone.goto(f"/volunteers/a/{activity.pk}/")
    phone.get_by_role("button", name="报名参加").click()
    phone.wait_for_load_state()
    assert "报名成功" in main.inner_text()
    phone.shot("signed-up")

    organiser = staff_page(browser, live_server, "company1")
    organiser.goto(f"/volunteers/activities/{activity.pk}/code/?d=i")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    organiser.screenshot(path=str(ARTIFACTS / "test_a_volunteer_from_the_poster_to_the_certificate-organiser-code.png"),
                         full_page=True)
    phone.goto(organiser.get_attribute("#sign-code", "data-url"))
    assert "确认签到" in main.inner_text()
    phone.get_by_role("button", name="确认签到").click()
    phone.wait_for_load_state()
    assert "签到成功" in main.inner_text()
    phone.shot("signed-in")
    organiser.goto(f"/volunteers/activities/{activity.pk}/code/?d=o")
    phone.goto(organiser.get_attribute("#sign-code", "data-url"))
    phone.get_by_role("button", name="确认签退").click()
    phone.wait_for_load_state()
    assert "签退成功" in main.inner_text()
    phone.shot("signed-out")

    record = Record.objects.get(activity=activity)
    organiser.goto(f"/volunteers/activities/{activity.pk}/")
    organiser.fill(f"#id_r{record.pk}_hours", "1.5")
    organiser.get_by_role("button", name="确认时长").click()
    organiser.wait_for_load_state()
    assert "调整签到签退时长须写明理由" in organiser.locator("main").inner_text()
    organiser.fill(f"#id_r{record.pk}_hours", "1.5")
    organiser.fill(f"#id_r{record.pk}_reason", "签到前已在现场布置工具")
    organiser.get_by_role("button", name="确认时长").click()
    organiser.wait_for_load_state()
    assert "服务时长已确认" in organiser.locator("main").inner_text()
    organiser.screenshot(path=str(ARTIFACTS / "test_a_volunteer_from_the_poster_to_the_certificate-organiser-confirmed.png"),
                         full_page=True)
    record.refresh_from_db()
    assert record.state == RecordState.CONFIRMED and record.minutes == 90

    phone.goto("/volunteers/me/")
    assert "确认时长 1.5 小时" in main.inner_text()
    phone.get_by_role("button", name="开具志愿服务记录证明").first.click()
    phone.wait_for_load_state()
    certificate = Certificate.objects.get(volunteer__phone="13905209999")
    assert f"证明已开具，编号 {certificate.number}" in main.inner_text()
    phone.shot("certificate-issued")
    phone.get_by_role("link", name="查看").first.click()
    phone.wait_for_load_state()
    assert "志愿服务记录证明" in main.inner_text() and "孙志愿" in main.inner_text()
    assert "楼道灯义务检修" in main.inner_text()  # the record it counts, with its recorder
    phone.shot("certificate")
    phone.goto(f"/volunteers/check/?number={certificate.number}")
    assert "姓名：孙**" in main.inner_text() and "孙志愿" not in main.inner_text()
    phone.shot("check")
