"""The volunteer service on the clock: stations, sign-up, QR sign-in/out, hours, confirmation,
objection, help requests, certificates and figures."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from wenming.core.errors import Conflict
from wenming.core.models import AuditEntry, Notification, Resident
from wenming.registry.models import Staff
from wenming.volunteers import services
from wenming.volunteers.models import Certificate, HelpRequest, Record, RecordState, Station, Volunteer
from wenming.volunteers.tests.conftest import NOW, at, scan_at


def test_a_station_is_registered_by_the_communitys_company_only_and_once(campaign, world, company_a, company_b,
                                                                       station, haizhou_officer, lianyun_officer):
    form = services.StationForm(name="站", contact_name="王", contact_phone="13800138002", hours="全天")
    with pytest.raises(PermissionDenied):
        services.register_station(campaign, world.community_a, form, actor=company_b)
    with pytest.raises(ValidationError) as err:
        services.register_station(campaign, world.community_a, form, actor=company_a)
    assert "该小区已登记志愿者服务站" in str(err.value)
    assert list(Station.objects.visible_to(haizhou_officer)) == [station]
    assert not Station.objects.visible_to(lianyun_officer).exists()
    assert not Station.objects.visible_to(company_b).exists()
    assert AuditEntry.objects.filter(action="volunteers.station.registered").count() == 1


def test_a_resident_joins_with_consent_and_skills_and_staff_come_from_the_registry(campaign, station, person,
                                                                                  company_a, world):
    with pytest.raises(ValidationError) as err:
        services.join_as_resident(campaign, station, person, name="张小明", consent_version="old")
    assert "consent" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.join_as_resident(campaign, station, person, name="张小明", chosen_skills=["flying"],
                                  consent_version=campaign.privacy_notice_version)
    assert "skills" in err.value.message_dict
    assert not Volunteer.objects.exists()
    volunteer = services.join_as_resident(campaign, station, person, name="张小明", chosen_skills=["repair", "company"],
                                          consent_version=campaign.privacy_notice_version)
    assert volunteer.kind == "resident" and volunteer.consented_at is not None and volunteer.skills == ["repair", "company"]
    staff = services.add_staff_volunteer(campaign, station, world.staff_a, actor=company_a, chosen_skills=["repair"])
    assert staff.kind == "staff" and staff.name == world.staff_a.name and staff.phone == world.staff_a.phone
    other = Staff.objects.exclude(company=world.company_a).first()
    with pytest.raises(ValidationError):
        services.add_staff_volunteer(campaign, station, other, actor=company_a)


def test_sign_up_takes_a_place_until_full_and_cancelling_frees_it(campaign, activity, person, volunteer, station):
    others = [Resident.objects.create(phone=f"1391234000{i}", consent_version="2019.1", consented_at=activity.created_at)
              for i in (2, 3)]
    with time_machine.travel(NOW, tick=False):
        for other in others:
            services.join_as_resident(campaign, station, other, name="李四", consent_version=campaign.privacy_notice_version)
        services.sign_up(activity, person)
        with pytest.raises(Conflict, match="已报名"):
            services.sign_up(activity, person)
        services.sign_up(activity, others[0])
        with pytest.raises(Conflict, match="名额已满"):
            services.sign_up(activity, others[1])
        services.cancel_sign_up(activity, person)
        services.sign_up(activity, others[1])
        assert services.taken_places(activity) == 2
    stranger = Resident.objects.create(phone="13700000000", consent_version="2019.1", consented_at=activity.created_at)
    with time_machine.travel(NOW, tick=False), pytest.raises(Conflict, match="请先登记"):
        services.sign_up(activity, stranger)
    with time_machine.travel("2019-11-26 09:00 +0800", tick=False), pytest.raises(Conflict, match="报名已截止"):
        services.sign_up(activity, person)


def test_sign_in_and_out_by_scanning_measures_the_minutes(activity, company_a, person, signed_up):
    record = scan_at(activity, company_a, person, services.IN, "2019-11-26 09:05 +0800")
    assert record.state == RecordState.SIGNED_IN and record.signed_in_at == at("2019-11-26 09:05 +0800")
    record = scan_at(activity, company_a, person, services.OUT, "2019-11-26 10:35 +0800")
    assert record.state == RecordState.SIGNED_OUT and record.measured_minutes == 90
    assert AuditEntry.objects.filter(action="volunteers.record.signed_out").count() == 1


def test_hours_are_capped_at_the_activitys_length(activity, company_a, person, signed_up):
    scan_at(activity, company_a, person, services.IN, "2019-11-26 08:40 +0800")  # 20 minutes early
    record = scan_at(activity, company_a, person, services.OUT, "2019-11-26 13:00 +0800")
    assert record.measured_minutes == 120  # 4 h 20 min on the clock, a 2-hour activity


def test_an_expired_code_is_refused(activity, company_a, person, signed_up):
    # shown at 09:00, scanned 61 seconds later (the preset: 60 seconds)
    with pytest.raises(services.CodeRefused, match="已过期"):
        scan_at(activity, company_a, person, services.IN, "2019-11-26 09:01:01 +0800", code_at="2019-11-26 09:00 +0800")
    assert Record.objects.get().state == RecordState.SIGNED_UP
    record = scan_at(activity, company_a, person, services.IN, "2019-11-26 09:01:00 +0800",
                     code_at="2019-11-26 09:00 +0800")
    assert record.state == RecordState.SIGNED_IN


def test_a_replayed_or_forged_code_is_refused(activity, company_a, person, signed_up):
    code = services.issue_code(activity, services.IN, actor=company_a, at=at("2019-11-26 09:00 +0800"))
    with time_machine.travel("2019-11-26 09:00:10 +0800", tick=False):
        services.scan(code, person)
        with pytest.raises(services.CodeRefused, match="已使用过"):
            services.scan(code, person)
        with pytest.raises(services.CodeRefused, match="无效"):
            services.scan(code[:-1] + ("0" if code[-1] != "0" else "1"), person)
        with pytest.raises(services.CodeRefused, match="无效"):
            services.scan(code.replace(".i.", ".o.", 1), person)  # a sign-in code turned into a sign-out one
    assert Record.objects.get().state == RecordState.SIGNED_IN


def test_sign_in_opens_shortly_before_the_start_and_needs_a_sign_up(activity, company_a, person, volunteer):
    with pytest.raises(Conflict, match="没有报名"):
        scan_at(activity, company_a, person, services.IN, "2019-11-26 09:00 +0800")
    with time_machine.travel(NOW, tick=False):
        services.sign_up(activity, person)
    with pytest.raises(Conflict, match="30 分钟起可签到"):
        scan_at(activity, company_a, person, services.IN, "2019-11-26 08:29 +0800")
    with pytest.raises(Conflict, match="请先签到"):
        scan_at(activity, company_a, person, services.OUT, "2019-11-26 09:10 +0800")


def test_the_organiser_confirms_or_corrects_with_a_reason_within_the_days(activity, company_a, company_b, served):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        with pytest.raises(PermissionDenied):
            services.confirm(served, actor=company_b)
        with pytest.raises(ValidationError) as err:
            services.confirm(served, actor=company_a, minutes=100)
        assert "reason" in err.value.message_dict
        with pytest.raises(ValidationError) as err:
            services.confirm(served, actor=company_a, minutes=121, reason="多算")
        assert "hours" in err.value.message_dict
        assert Record.objects.get().state == RecordState.SIGNED_OUT
        record = services.confirm(served, actor=company_a, minutes=100, reason="签退前仍在现场清理工具")
    assert record.state == RecordState.CONFIRMED and record.minutes == 100 and record.confirmed_by == company_a
    assert AuditEntry.objects.get(action="volunteers.record.confirmed").reason == "签退前仍在现场清理工具"


def test_confirmation_after_the_presets_days_is_refused(activity, company_a, served):
    # ends 11-26 11:00; 7 days later is 12-03 11:00
    with time_machine.travel("2019-12-03 11:01 +0800", tick=False), pytest.raises(Conflict, match="确认期限"):
        services.confirm(served, actor=company_a)
    with time_machine.travel("2019-12-03 10:59 +0800", tick=False):
        assert services.confirm(served, actor=company_a).minutes == 90


def test_a_volunteer_objects_once_and_the_organiser_reviews(activity, company_a, person, served,
                                                           django_capture_on_commit_callbacks):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        record = services.confirm(served, actor=company_a)
    with time_machine.travel("2019-11-27 09:00 +0800", tick=False):
        with pytest.raises(ValidationError):
            services.object_to(record, person, "不对")
        other = Resident.objects.create(phone="13700000009", consent_version="2019.1", consented_at=record.confirmed_at)
        with pytest.raises(PermissionDenied):
            services.object_to(record, other, "我签退晚了十分钟")
        with django_capture_on_commit_callbacks(execute=True):
            record = services.object_to(record, person, "我在 10:45 才签退，手机没网")
        assert record.state == RecordState.OBJECTED
        assert Notification.objects.filter(user=company_a, message__contains="异议").exists()
        record = services.resolve_objection(record, actor=company_a, minutes=100, reason="核对现场照片，补记 10 分钟")
        assert record.state == RecordState.CONFIRMED and record.minutes == 100
        with pytest.raises(Conflict, match="只能提出一次"):
            services.object_to(record, person, "还是不对，应该更多")


def test_an_objection_after_the_days_is_refused(activity, company_a, person, served):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        record = services.confirm(served, actor=company_a)
    with time_machine.travel("2019-12-03 12:01 +0800", tick=False), pytest.raises(Conflict, match="异议期限"):
        services.object_to(record, person, "我在 10:45 才签退")


def _help(campaign, station, household_phone="13612345678"):
    household = Resident.objects.create(phone=household_phone, consent_version="2019.1", consented_at=station.registered_at)
    with time_machine.travel(NOW, tick=False):
        request = services.request_help(campaign, station, services.HelpForm(
            group="elderly_alone", kind="repair", description="卫生间水龙头漏水", address="3-1-201",
            phone=household_phone), resident=household)
    return household, request


def test_a_help_request_is_taken_reported_and_confirmed_by_the_household(campaign, station, volunteer, person, company_a,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        household, request = _help(campaign, station)
    assert Notification.objects.filter(user=company_a, message__contains="帮扶需求").exists()
    with time_machine.travel("2019-11-25 14:00 +0800", tick=False):
        services.take_help(request, volunteer, resident=person)
        with pytest.raises(Conflict):
            services.take_help(request, volunteer, resident=person)
        with pytest.raises(ValidationError):
            services.report_help(request, person, minutes=9 * 60)  # the preset's help_hours_max is 8
        services.report_help(request, person, minutes=45)
        with pytest.raises(PermissionDenied):
            services.confirm_help(request, resident=person)  # not the household
        request = services.confirm_help(request, resident=household)
    assert request.state == HelpRequest.State.DONE
    record = Record.objects.get(help_request=request)
    assert record.state == RecordState.CONFIRMED and record.minutes == 45 and record.confirmed_how == "household"
    assert services.totals(Record.objects.filter(volunteer=volunteer))["minutes"] == 45


def test_a_volunteer_can_neither_take_nor_confirm_their_own_request(campaign, station, volunteer, person, company_a):
    with time_machine.travel(NOW, tick=False):  # the volunteer asks the station for help from their own phone
        request = services.request_help(campaign, station, services.HelpForm(
            group="elderly_alone", kind="repair", description="卫生间水龙头漏水", address="3-1-201",
            phone=person.phone), resident=person)
    with time_machine.travel("2019-11-25 14:00 +0800", tick=False):
        with pytest.raises(ValidationError, match="自己提出"):
            services.take_help(request, volunteer, resident=person)
        with pytest.raises(ValidationError, match="自己提出"):
            services.take_help(request, volunteer, actor=company_a)  # nor assigned it by the station
    request.refresh_from_db()
    assert request.state == HelpRequest.State.OPEN and not Record.objects.exists()


def test_the_station_records_a_call_for_a_household_without_a_phone(campaign, station, volunteer, company_a):
    with time_machine.travel(NOW, tick=False):
        request = services.request_help(campaign, station, services.HelpForm(
            group="disabled", kind="shopping", description="每周代购米面油", address="5-2-102", phone="13612340000"),
            actor=company_a)
        services.take_help(request, volunteer, actor=company_a)
        with pytest.raises(ValidationError):
            services.confirm_help(request, actor=company_a, minutes=60)  # what the household said is missing
        services.confirm_help(request, actor=company_a, minutes=60, note="电话回访：已送到，满意")
    record = Record.objects.get(help_request=request)
    assert record.confirmed_how == "call" and record.confirmed_by == company_a and record.minutes == 60


def test_a_certificates_totals_equal_the_confirmed_records(campaign, activity, company_a, person, served, volunteer,
                                                          station):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        services.confirm(served, actor=company_a)
    household, request = _help(campaign, station)
    with time_machine.travel("2019-11-27 10:00 +0800", tick=False):
        services.take_help(request, volunteer, resident=person)
        services.report_help(request, person, minutes=50)
        services.confirm_help(request, resident=household)
        # a record not confirmed does not count
        unconfirmed_request = _help(campaign, station, "13612349999")[1]
        services.take_help(unconfirmed_request, volunteer, resident=person)
        certificate = services.issue_certificate(campaign, volunteer, resident=person)
    confirmed = Record.objects.filter(volunteer=volunteer, state=RecordState.CONFIRMED)
    assert certificate.records == confirmed.count() == 2
    assert certificate.minutes == sum(r.minutes for r in confirmed) == 140
    assert certificate.number == f"320720191127{certificate.pk:06d}"
    check = services.public_check(certificate.number)
    assert check == {"number": certificate.number, "name": "张**", "records": 2, "hours": "2.3",
                     "station": station.name, "company": station.company.name, "issued_on": "2019-11-27"}
    assert services.public_check("320700000000000000") is None
    other = Resident.objects.create(phone="13700000008", consent_version="2019.1", consented_at=certificate.issued_at)
    with pytest.raises(PermissionDenied):
        services.issue_certificate(campaign, volunteer, resident=other)


def test_no_certificate_without_a_confirmed_record(campaign, volunteer, person):
    with pytest.raises(Conflict):
        services.issue_certificate(campaign, volunteer, resident=person)
    assert not Certificate.objects.exists()


def test_figures_per_station_company_and_district(campaign, activity, company_a, served, station, volunteer, person,
                                                 haizhou_officer):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        services.confirm(served, actor=company_a)
    _help(campaign, station)
    with time_machine.travel("2019-11-28 12:00 +0800", tick=False):
        data = services.figures(campaign, Station.objects.visible_to(haizhou_officer))
    (row,) = data["stations"]
    assert (row["minutes"], row["active"], row["served"], row["waiting"]) == (90, 1, 0, 1)
    (district,) = data["districts"]
    assert district["minutes"] == 90 and district["active"] == 1 and district["waiting"] == 1
    assert services.district_totals(campaign) == {station.district_id: {"minutes": 90, "volunteers": 1}}


def test_export_rows_hold_the_national_records_fields(campaign, activity, company_a, served):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        services.confirm(served, actor=company_a)
    (row,) = list(services.export_rows(Record.objects.all(), campaign))
    assert dict(zip(services.EXPORT_HEADERS, row, strict=True)) | {} == {
        "志愿者姓名": "张小明", "联系电话": "139****0001", "志愿者类别": "热心业主", "所属服务站": "海州花园志愿者服务站",
        "活动（服务）名称": "义务维修进家庭", "服务内容": "室内维修：为老人检修水电、更换灯泡", "服务地点": "3 号楼前广场",
        "服务开始时间": datetime.datetime(2019, 11, 26, 9, 5), "服务结束时间": datetime.datetime(2019, 11, 26, 10, 35),
        "服务时长（小时）": 1.5,
        "记录人": f"活动组织者确认：{company_a.display_name or company_a.username}", "记录单位": activity.company.name,
        "记录时间": datetime.datetime(2019, 11, 26, 12, 0)}


def test_a_cancelled_activity_cancels_its_sign_ups(activity, company_a, signed_up):
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ValidationError):
            services.cancel_activity(activity, actor=company_a, reason="")
        services.cancel_activity(activity, actor=company_a, reason="暴雨预警")
    assert Record.objects.get().state == RecordState.CANCELLED
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False), pytest.raises(Conflict, match="已取消"):
        services.confirm(Record.objects.get(), actor=company_a, minutes=60, reason="补记")
    activity.refresh_from_db()
    with pytest.raises(Conflict):
        services.issue_code(activity, services.IN, actor=company_a)


def test_the_review_panel_shows_the_candidates_station_to_the_expert(campaign, world, company_a, served, expert,
                                                                    lianyun_officer):
    from wenming.testing import factories as f

    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        services.confirm(served, actor=company_a)
    application = f.make_candidates(campaign, world, count=1)[0].application
    application.community = world.community_a  # the candidate is the station's community
    application.save(update_fields=["community"])
    with time_machine.travel("2019-11-28 12:00 +0800", tick=False):
        panel = services.review_panel(application, expert)
    assert panel["title"] == "志愿服务情况" and not panel["warning"]
    assert ("确认服务时长（小时）", "1.5") in panel["rows"] and ("已开展活动", 1) in panel["rows"]
    assert services.review_panel(application, lianyun_officer) is None


def test_cancelling_before_the_start_releases_those_already_signed_in(activity, company_a, person, signed_up):
    scan_at(activity, company_a, person, services.IN, "2019-11-26 08:45 +0800")  # sign-in opens before the start
    assert Record.objects.get().state == RecordState.SIGNED_IN
    with time_machine.travel("2019-11-26 08:50 +0800", tick=False):
        services.cancel_activity(activity, actor=company_a, reason="暴雨预警")
    assert Record.objects.get().state == RecordState.CANCELLED
