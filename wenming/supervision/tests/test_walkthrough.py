"""The issue's walk: finding → order → evidence → re-inspection → closed; then the same item
failing again → repeat flag → interview → not rectified → negative credit record → grade change
→ black list after two approvals → the company's new award application is refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wenming.awards import services as awards
from wenming.core.errors import Conflict
from wenming.core.models import AuditEntry
from wenming.core.roles import Role
from wenming.credit import services as credit
from wenming.credit.models import CreditRecord
from wenming.supervision import services
from wenming.supervision.models import Evidence, Interview, OrderState, RectificationOrder, RepeatProblem
from wenming.supervision.tests.conftest import inspect
from wenming.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_whole_walk_from_a_finding_to_the_black_list(campaign, world, haizhou_officer, company_a, office, at):
    community, company = world.community_a, world.company_a
    at("2019-09-09 10:00 +0800")  # Monday, the campaign under way
    first = inspect(campaign, haizhou_officer, community, {"EN2": "3 号楼楼道堆放杂物"})
    order = RectificationOrder.objects.get(finding__inspection=first)
    assert order.state == OrderState.ISSUED and order.workdays == 5
    assert order.deadline == datetime.date(2019, 9, 17)  # 5 working days; 09-13 was Mid-Autumn

    services.start_rectifying(order, company_a)
    services.save_evidence(order, company_a, text="已清理杂物，张贴告示")
    services.submit_evidence(order, company_a)
    services.reinspect(order, haizhou_officer, passed=True, note="复查合格")
    services.close_order(order, haizhou_officer)
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED and order.closed_at
    assert [e.to_state for e in order.events.all()] == ["issued", "rectifying", "evidence_submitted", "reinspected",
                                                         "closed"]

    at("2019-09-10 10:00 +0800")  # within 90 days: the same item fails again
    second = inspect(campaign, haizhou_officer, community, {"EN2": "楼道再次堆放杂物"})
    problem = RepeatProblem.objects.get(repeat__inspection=second)
    assert problem.first.inspection == first and problem.closed_at is None
    assert credit.standing(campaign, company).score == 88  # 90 − 2 (INSPECTION_REPEAT_PROBLEM)

    interview = services.record_interview(campaign, problem, haizhou_officer, held_at=datetime.datetime(
        2019, 9, 10, 15, tzinfo=campaign.tz), attendees="区住建局王科长；企业项目经理", requirements="十日内清理并建立巡查制度")
    assert interview.deadline == datetime.date(2019, 9, 25)  # 10 working days; 09-13 was Mid-Autumn
    with pytest.raises(Exception, match="未到"):  # not before the deadline
        services.conclude_interview(campaign, interview, haizhou_officer, rectified=False)

    at("2019-09-26 09:00 +0800")  # after the deadline, inside the apply window
    services.conclude_interview(campaign, interview, haizhou_officer, rectified=False, note="现场仍堆放杂物")
    # a second delivery of the same event changes nothing:
    credit.record(campaign, company, "INTERVIEW_NOT_RECTIFIED", source="interview", source_key=f"interview:{interview.pk}")
    assert CreditRecord.objects.filter(company=company, code="INTERVIEW_NOT_RECTIFIED").count() == 1
    standing = credit.standing(campaign, company)
    assert (standing.score, standing.grade) == (83, "B")

    other = make_user("office2", role=Role.OFFICE)
    draft = credit.compute_list(campaign, "2019-09", office, [world.company_a, world.company_b])
    assert [(e.company, e.kind) for e in draft.entries.all()] == [(company, "black")]
    credit.approve_list(campaign, draft, office)
    assert credit.restriction(company) is None  # one approval publishes nothing
    with pytest.raises(Exception, match="另一名"):
        credit.approve_list(campaign, draft, office)
    credit.approve_list(campaign, draft, other)
    entry = credit.restriction(company)
    assert entry.restricted_until.astimezone(campaign.tz) == datetime.datetime(2020, 3, 26, 9, tzinfo=campaign.tz)
    end = entry.restricted_until  # six months after publication, lifted exactly then
    assert credit.restriction(company, end - datetime.timedelta(microseconds=1)) == entry
    assert credit.restriction(company, end) is None
    assert credit.black_list_refusal(company, campaign, end) is None

    with pytest.raises(ValidationError) as refused:
        awards.start_application(campaign, campaign.awards.get(key="model_community"), actor=company_a,
                                 channel="company", community=community)
    assert "列入 2019-09 期物业行业黑名单（信用等级 B）" in refused.value.messages[0]
    assert "不得参加评优评先" in refused.value.messages[0]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"supervision.order.issued", "supervision.repeat.flagged", "supervision.interview.concluded",
            "credit.record.created", "credit.list.published"} <= actions


def test_skipping_a_state_is_a_conflict_and_submitted_evidence_is_frozen(campaign, world, haizhou_officer, company_a,
                                                                        at):
    from wenming.core.errors import Conflict

    at("2019-09-09 10:00 +0800")
    order = RectificationOrder.objects.get(finding__inspection=inspect(campaign, haizhou_officer, world.community_a,
                                                          {"SV2": "未公示收费标准"}))
    with pytest.raises(Conflict):
        services.close_order(order, haizhou_officer)  # issued → closed
    with pytest.raises(Conflict):
        services.reinspect(order, haizhou_officer, passed=True)
    services.start_rectifying(order, company_a)
    with pytest.raises(ValidationError):
        services.submit_evidence(order, company_a)  # nothing to submit yet
    services.save_evidence(order, company_a, text="第一稿")
    services.save_evidence(order, company_a, text="第二稿：已公示")
    services.submit_evidence(order, company_a)
    with pytest.raises(PermissionDenied):
        services.save_evidence(order, company_a, text="提交后修改")
    assert list(Evidence.objects.filter(order=order).values_list("version", "text")) == [
        (1, "第一稿"), (2, "第二稿：已公示")]
    services.reinspect(order, haizhou_officer, passed=False, note="公示内容不全")
    order.refresh_from_db()
    assert order.state == OrderState.RECTIFYING
    services.save_evidence(order, company_a, text="第三稿：补全公示")  # a failed re-inspection asks for a new version
    assert Evidence.objects.filter(order=order).count() == 3


def test_overdue_orders_escalate_once_and_reminders_come_before_the_deadline(campaign, world, haizhou_officer,
                                                                             company_a, at,
                                                                             django_capture_on_commit_callbacks):
    from wenming.core.models import Notification

    at("2019-09-09 10:00 +0800")
    order = RectificationOrder.objects.get(finding__inspection=inspect(campaign, haizhou_officer, world.community_a,
                                                          {"PK2": "未设集中充电区"}))
    at("2019-09-16 10:00 +0800")  # one working day before 09-17
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(campaign) == (1, 0)
    assert Notification.objects.filter(user=company_a, message__contains="将于 2019-09-17 到期").count() == 1
    assert services.sweep(campaign) == (0, 0)
    at("2019-09-18 10:00 +0800")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(campaign) == (0, 1)
    order.refresh_from_db()
    assert order.state == OrderState.OVERDUE and order.escalated_at
    assert Notification.objects.filter(user=haizhou_officer, message__contains="整改逾期").count() == 1
    assert services.sweep(campaign) == (0, 0)
    services.save_evidence(order, company_a, text="逾期后补交")  # late evidence is still taken
    services.submit_evidence(order, company_a)


def test_two_sweeps_at_once_remind_an_order_once(campaign, world, haizhou_officer, company_a, at, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    """The second sweep read the order as unreminded before the first claimed it (simulated by
    running the first inside the second's loop): its conditional claim finds nothing to take."""
    from wenming.core import workdays
    from wenming.core.models import Notification

    at("2019-09-09 10:00 +0800")
    inspect(campaign, haizhou_officer, world.community_a, {"PK2": "未设集中充电区"})
    at("2019-09-16 10:00 +0800")
    between = workdays.workdays_between
    first_sweep = []

    def meanwhile(*args):
        if not first_sweep:
            first_sweep.append(None)
            first_sweep[0] = services.sweep(campaign)
        return between(*args)

    monkeypatch.setattr(services.workdays, "workdays_between", meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        second_sweep = services.sweep(campaign)
    assert first_sweep == [(1, 0)] and second_sweep == (0, 0)
    assert Notification.objects.filter(user=company_a, message__contains="将于 2019-09-17 到期").count() == 1


def test_measured_items_are_judged_by_their_threshold(campaign, world, haizhou_officer, at):
    at("2019-09-09 10:00 +0800")
    from wenming.supervision.models import Inspection

    inspection = services.start_inspection(campaign, haizhou_officer, world.community_a, Inspection.Kind.REGULAR)
    four = services.save_finding(campaign, inspection, haizhou_officer, "AD1", value="4")
    assert not four.passed and four.value == 4 and four.severity == "minor"
    five = services.save_finding(campaign, inspection, haizhou_officer, "AD1", value="5", passed=False)
    assert five.passed  # the threshold decides, not the typed verdict
    assert services.save_finding(campaign, inspection, haizhou_officer, "FA2", value="0.5").passed
    assert not services.save_finding(campaign, inspection, haizhou_officer, "FA2", value="0.51").passed
    for bad in ("", "abc", "-1", "NaN", "1e309"):
        with pytest.raises(ValidationError):
            services.save_finding(campaign, inspection, haizhou_officer, "FA2", value=bad)


def test_equipment_findings_name_the_developer_within_warranty_and_the_fund_outside(campaign, world,
                                                                                    haizhou_officer, at):
    from wenming.supervision.models import Finding, Inspection

    at("2019-09-09 10:00 +0800")
    community = world.community_a
    community.completed_on = datetime.date(2018, 1, 1)
    community.save()
    inspection = services.start_inspection(campaign, haizhou_officer, community, Inspection.Kind.REGULAR)
    new = services.save_finding(campaign, inspection, haizhou_officer, "FA4", passed=False, note="电梯停用")
    assert new.responsible == Finding.Responsible.DEVELOPER
    community.completed_on = datetime.date(2010, 1, 1)
    community.save()
    old = services.save_finding(campaign, inspection, haizhou_officer, "FA4", passed=False, note="电梯停用")
    assert old.responsible == Finding.Responsible.FUND
    assert services.save_finding(campaign, inspection, haizhou_officer, "SV1", passed=False,
                                 note="未着装").responsible == Finding.Responsible.COMPANY


def test_the_unannounced_sample_is_the_same_when_redrawn_with_its_seed(campaign, world, haizhou_officer):
    from wenming.testing.factories import make_community

    for i in range(12):
        make_community(company=world.company_a, district=world.haizhou, name=f"抽样小区{i}")
    sample = services.draw_sample(campaign, world.haizhou, haizhou_officer)
    assert len(sample.community_ids) == 3 and services.verify_sample(sample)
    assert services.draw(sample.population, sample.size, sample.seed) == sample.community_ids
    assert services.draw(list(reversed(sample.population)), sample.size, sample.seed) == sample.community_ids
    others = {tuple(services.draw(sample.population, sample.size, f"seed-{i}")) for i in range(5)}
    assert len(others | {tuple(sample.community_ids)}) > 1  # a new seed draws anew
    with pytest.raises(Conflict):  # while communities remain, drawing again is a redraw (reason, second officer)
        services.draw_sample(campaign, world.haizhou, haizhou_officer)
    with pytest.raises(PermissionDenied):
        services.draw_sample(campaign, world.lianyun, haizhou_officer)


def test_a_district_officer_cannot_act_outside_the_district(campaign, world, haizhou_officer, lianyun_officer, at):
    at("2019-09-09 10:00 +0800")
    order = RectificationOrder.objects.get(finding__inspection=inspect(campaign, haizhou_officer, world.community_a,
                                                          {"SV4": "保安睡岗"}))
    from wenming.supervision.models import Inspection

    with pytest.raises(PermissionDenied):
        services.start_inspection(campaign, lianyun_officer, world.community_a, Inspection.Kind.REGULAR)
    with pytest.raises(PermissionDenied):
        services.reinspect(order, lianyun_officer, passed=True)
    assert Interview.objects.count() == 0


def test_the_commands_sweep_and_verify_samples(campaign, world, haizhou_officer, at):
    from io import StringIO

    from django.core.management import call_command

    at("2019-09-09 10:00 +0800")
    inspect(campaign, haizhou_officer, world.community_a, {"PK2": "未设集中充电区"})
    services.draw_sample(campaign, world.haizhou, haizhou_officer)
    at("2019-09-18 10:00 +0800")
    out = StringIO()
    call_command("supervision", "sweep", stdout=out)
    assert "1 份逾期" in out.getvalue()
    out = StringIO()
    call_command("supervision", "verify-samples", stdout=out)
    assert "1 次抽样均可按种子复现" in out.getvalue()


def test_the_scheduler_runs_the_daily_sweep_through_the_worker(campaign, world, haizhou_officer, company_a, at,
                                                             django_capture_on_commit_callbacks):
    from wenming.core import schedule
    from wenming.core.models import Notification

    at("2019-09-09 10:00 +0800")
    inspect(campaign, haizhou_officer, world.community_a, {"PK2": "未设集中充电区"})
    at("2019-09-16 10:00 +0800")  # one working day before the order's deadline 09-17
    with django_capture_on_commit_callbacks(execute=True):
        assert "supervision-sweep" in schedule.tick()
        assert "supervision-sweep" not in schedule.tick()
    assert Notification.objects.filter(user=company_a, message__contains="将于 2019-09-17 到期").count() == 1


def test_order_notifications_carry_their_kind_reach_sms_and_clear_once_answered(
        campaign, world, haizhou_officer, company_a, at, django_capture_on_commit_callbacks):
    from wenming.core import notifications
    from wenming.core.identity.sms import FileOutboxBackend
    from wenming.core.models import Delivery, Notification, NotificationSetting

    company_a.phone = "13812345678"
    company_a.save()
    NotificationSetting.objects.create(user=company_a, channels={"order_issued": ["sms"], "interview_scheduled": ["sms"]})
    at("2019-09-09 10:00 +0800")
    with django_capture_on_commit_callbacks(execute=True):
        first = inspect(campaign, haizhou_officer, world.community_a, {"PK2": "未设集中充电区"})
    order = RectificationOrder.objects.get(finding__inspection=first)
    issued = Notification.objects.get(user=company_a, kind="order_issued")
    assert Delivery.objects.get(notification=issued).state == Delivery.State.SENT
    assert [m["text"] for m in FileOutboxBackend.read()] == [f"【收到整改通知】{issued.message}"]
    at("2019-09-16 10:00 +0800")
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep(campaign)
    at("2019-09-18 10:00 +0800")
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep(campaign)
    assert notifications.inbox(company_a, unread_only=True).filter(kind="order_due").count() == 1
    assert notifications.inbox(haizhou_officer, unread_only=True).filter(kind="order_overdue").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.save_evidence(order, company_a, text="逾期后补交")
        services.submit_evidence(order, company_a)
    # The reminder and the 督办 are answered; the district now has 复查 to do, until it re-inspects.
    assert not notifications.inbox(company_a, unread_only=True).filter(kind="order_due").exists()
    assert not notifications.inbox(haizhou_officer, unread_only=True).filter(kind="order_overdue").exists()
    assert notifications.inbox(haizhou_officer, unread_only=True).filter(kind="order_evidence").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.reinspect(order, haizhou_officer, passed=True, note="复查合格")
    assert not notifications.inbox(haizhou_officer, unread_only=True).exists()

    at("2019-09-19 10:00 +0800")
    with django_capture_on_commit_callbacks(execute=True):
        second = inspect(campaign, haizhou_officer, world.community_a, {"PK2": "仍未设集中充电区"})
    problem = RepeatProblem.objects.get(repeat__inspection=second)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_interview(campaign, problem, haizhou_officer, held_at=datetime.datetime(
            2019, 9, 20, 15, tzinfo=campaign.tz), attendees="区住建局王科长；企业项目经理", requirements="十日内整改")
    interview = Notification.objects.get(user=company_a, kind="interview_scheduled")
    assert "约谈定于 2019-09-20 15:00" in interview.message
    assert Delivery.objects.get(notification=interview).state == Delivery.State.SENT
