"""The four steps on the clock: every transition, limit and rule of the complaints service."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wenming.complaints import services
from wenming.complaints.models import EventKind, RepeatFlag, State, Ticket, TicketEvent
from wenming.core.errors import Conflict
from wenming.core.models import AuditEntry, Notification, Resident
from wenming.core.roles import Role
from wenming.credit.models import CreditRecord
from wenming.testing.factories import make_register, make_user

# Friday 2019-09-27 10:00 in Lianyungang: Saturday 28 is a rest day, Sunday 29 a make-up workday,
# 10-01..10-07 the National Day holidays.
FRIDAY = "2019-09-27 10:00 +0800"


def at(text):
    return datetime.datetime.fromisoformat(text.replace(" +0800", "+08:00"))


@pytest.fixture
def resident(db):
    return Resident.objects.create(phone="13912345678", consent_version="2019-1", consented_at=timezone.now())


@pytest.fixture
def handler(world):
    return make_user("handler_a", role=Role.COMPANY, company=world.company_a, display_name="王师傅")


def file(campaign, world, resident, *, category="repair", urgency="normal", when=FRIDAY, **fields):
    filing = services.Filing(community=fields.pop("community", world.community_a), category=category,
                             urgency=urgency, description=fields.pop("description", "3 号楼电梯按钮失灵"),
                             phone=resident.phone, **fields)
    with time_machine.travel(when, tick=False):
        return services.file_ticket(campaign, filing, source="resident", resident=resident)


def test_filing_sets_limits_from_the_urgency_and_tells_the_company(campaign, world, resident, company_a,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = file(campaign, world, resident)
    assert ticket.number == f"20190927{ticket.pk:06d}" and ticket.state == State.FILED
    assert ticket.company == world.company_a and ticket.district == world.haizhou
    # 一般: 接待 24 hours, 处理 3 working days (Sun 29 make-up, Mon 30, Tue 10-08), 反馈 5 working days
    assert ticket.receive_due == at("2019-09-28 10:00 +0800")
    assert ticket.handle_due == at("2019-10-09 00:00 +0800")
    assert ticket.answer_due == at("2019-10-11 00:00 +0800")
    assert Notification.objects.filter(user=company_a, message__contains=ticket.number).exists()
    assert AuditEntry.objects.filter(action="complaints.ticket.filed").count() == 1


def test_an_entrapment_is_urgent_whatever_was_ticked_and_runs_round_the_clock(campaign, world, resident):
    ticket = file(campaign, world, resident, category="elevator_entrapment", urgency="normal",
                  when="2019-09-28 23:50 +0800")  # a Saturday night
    assert ticket.urgency == "emergency"
    assert ticket.receive_due == at("2019-09-29 00:05 +0800") and ticket.handle_due == at("2019-09-29 00:20 +0800")
    # an urgent (加急) outage counts 处理 in working hours: Saturday does not count, Sunday is a make-up workday
    outage = file(campaign, world, resident, category="outage", urgency="normal", when="2019-09-28 10:00 +0800")
    assert outage.urgency == "urgent" and outage.handle_due == at("2019-09-29 12:30 +0800")


def test_a_household_must_be_in_the_register_and_bad_input_writes_nothing(campaign, world, resident):
    make_register(world.community_a, buildings=2, units=1, floors=2, per_floor=2)
    ticket = file(campaign, world, resident, household="1-1-101")
    assert ticket.household.key == "1-1-101"
    for fields, key in (({"household": "9-9-909"}, "household"), ({"category": "nonsense"}, "category"),
                        ({"description": "坏了"}, "description")):
        with pytest.raises(ValidationError) as refused:
            file(campaign, world, resident, **fields)
        assert key in refused.value.message_dict
    assert Ticket.objects.count() == 1


def test_the_four_steps_in_order_and_no_step_skipped(campaign, world, resident, company_a, handler, company_b):
    ticket = file(campaign, world, resident)
    with time_machine.travel("2019-09-27 11:00 +0800", tick=False):
        with pytest.raises(Conflict):
            services.start_handling(ticket, actor=company_a)  # 处理 before 接待
        with pytest.raises(Conflict):
            services.answer(ticket, actor=company_a, text="已经修好了电梯按钮")
        with pytest.raises(PermissionDenied):
            services.receive(ticket, actor=company_b, handler=handler)  # another company
        with pytest.raises(ValidationError):
            services.receive(ticket, actor=company_a, handler=make_user("other", role=Role.COMPANY,
                                                                        company=world.company_b))
        ticket = services.receive(ticket, actor=company_a, handler=handler)
        assert ticket.state == State.RECEIVED and ticket.received_in_time and ticket.handler == handler
        with pytest.raises(Conflict):
            services.receive(ticket, actor=company_a, handler=handler)
        ticket = services.start_handling(ticket, actor=handler, note="已到现场")
        services.add_note(ticket, actor=handler, note="更换按钮面板")
        ticket = services.answer(ticket, actor=handler, text="已更换 3 号楼电梯按钮面板，恢复正常")
    assert ticket.state == State.ANSWERED and ticket.answered_in_time
    assert ticket.resident_reply_until == at("2019-09-30 11:00 +0800")
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == ["filed", "received", "handling", "note", "answered"]
    assert AuditEntry.objects.filter(action__startswith="complaints.ticket.").count() == 5


def answered(campaign, world, resident, company_a, when="2019-09-27 11:00 +0800"):
    ticket = file(campaign, world, resident)
    with time_machine.travel(when, tick=False):
        services.receive(ticket, actor=company_a, handler=company_a)
        services.start_handling(ticket, actor=company_a)
        return services.answer(ticket, actor=company_a, text="已处理完毕，请查看")


def test_not_fixed_reopens_with_new_limits_and_a_credit_record_once(campaign, world, resident, company_a):
    ticket = answered(campaign, world, resident, company_a)
    with time_machine.travel("2019-09-29 09:00 +0800", tick=False):
        ticket = services.follow_up(ticket, fixed=False, satisfaction=2, resident=resident)
    assert ticket.state == State.HANDLING and ticket.round == 2 and ticket.answered_at is None
    assert ticket.answer_due == at("2019-10-12 00:00 +0800")  # 5 working days from Sunday (make-up): ..10-11
    record = CreditRecord.objects.get(code="VALID_COMPLAINT")
    assert record.company == world.company_a and ticket.number in record.evidence
    with time_machine.travel("2019-09-29 10:00 +0800", tick=False):
        services.answer(ticket, actor=company_a, text="再次检修，已彻底修好")
        ticket = services.follow_up(ticket, fixed=False, satisfaction=1, resident=resident)
    assert ticket.round == 3 and CreditRecord.objects.filter(code="VALID_COMPLAINT").count() == 1
    with time_machine.travel("2019-09-29 11:00 +0800", tick=False):
        services.answer(ticket, actor=company_a, text="更换整套面板，已修好")
        ticket = services.follow_up(ticket, fixed=True, satisfaction=5, resident=resident)
    assert ticket.state == State.FOLLOWED_UP and ticket.fixed and ticket.satisfaction == 5
    assert list(ticket.events.filter(kind=EventKind.REOPENED).values_list("round", flat=True)) == [2, 3]


def test_who_may_record_the_return_visit_and_when(campaign, world, resident, company_a, haizhou_officer,
                                                  lianyun_officer):
    ticket = answered(campaign, world, resident, company_a)
    other = Resident.objects.create(phone="13900000000", consent_version="1", consented_at=timezone.now())
    with time_machine.travel("2019-09-28 09:00 +0800", tick=False):
        with pytest.raises(PermissionDenied):
            services.follow_up(ticket, fixed=True, satisfaction=5, resident=other)
        with pytest.raises(Conflict, match="请等待居民答复"):
            services.follow_up(ticket, fixed=True, satisfaction=5, actor=company_a, note="电话回访")
    with time_machine.travel("2019-09-30 12:00 +0800", tick=False):  # the resident's 3 days are over
        with pytest.raises(ValidationError):
            services.follow_up(ticket, fixed=True, satisfaction=5, actor=company_a, note="")
        with pytest.raises(Conflict):
            services.follow_up(ticket, fixed=True, satisfaction=5, actor=haizhou_officer, note="电话")
        with pytest.raises(PermissionDenied):
            services.follow_up(ticket, fixed=True, satisfaction=5, actor=lianyun_officer, note="电话")
    with time_machine.travel("2019-10-04 12:00 +0800", tick=False):  # 7 days after the reply: the district calls
        ticket = services.follow_up(ticket, fixed=True, satisfaction=4, actor=haizhou_officer, note="居民表示已修好")
    assert ticket.follow_up_by == "district" and ticket.state == State.FOLLOWED_UP


def test_a_late_answer_writes_the_overdue_credit_rule_once(campaign, world, resident, company_a):
    ticket = answered(campaign, world, resident, company_a, when="2019-10-12 09:00 +0800")
    assert ticket.answered_in_time is False and ticket.received_in_time is False
    assert CreditRecord.objects.filter(code="COMPLAINT_OVERDUE", company=world.company_a).count() == 1


def test_sweep_reminds_then_escalates_once_per_step(campaign, world, resident, company_a, haizhou_officer,
                                                    django_capture_on_commit_callbacks):
    ticket = file(campaign, world, resident)  # 接待 due Saturday 10:00
    with time_machine.travel("2019-09-28 10:30 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(campaign) == (1, 0)
        assert services.sweep(campaign) == (0, 0)
    assert Notification.objects.filter(user=company_a, message__contains="接待已超过时限").count() == 1
    # escalate one working day after the limit: Saturday 10:00 → end of Sunday (a make-up workday)
    with time_machine.travel("2019-09-29 23:00 +0800", tick=False):
        assert services.sweep(campaign) == (0, 0)
    with time_machine.travel("2019-09-30 00:30 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(campaign) == (0, 1)
        assert services.sweep(campaign) == (0, 0)
    assert Notification.objects.filter(user=haizhou_officer, message__contains="已上报本区住建局").count() == 1
    assert list(services.escalated(Ticket.objects.all())) == [ticket]
    # the next step has its own reminder
    with time_machine.travel("2019-09-30 09:00 +0800", tick=False):
        services.receive(ticket, actor=company_a, handler=company_a)
    assert services.escalated(Ticket.objects.all()).count() == 0
    with time_machine.travel("2019-10-09 09:00 +0800", tick=False):
        assert services.sweep(campaign) == (1, 0)
    assert TicketEvent.objects.filter(kind__in=["reminded", "escalated"]).count() == 3


def test_only_the_handling_company_sees_the_phone_in_full_and_each_look_is_logged(campaign, world, resident,
                                                                                  company_a, haizhou_officer, office):
    ticket = file(campaign, world, resident)
    assert services.phone_for(ticket, company_a) == "13912345678"
    assert services.phone_for(ticket, haizhou_officer) == "139****5678"
    assert services.phone_for(ticket, office) == "139****5678"
    shown = ticket.events.get(kind=EventKind.PHONE_SHOWN)
    assert shown.actor == company_a and not shown.public


def test_a_repeat_within_a_day_is_offered_as_an_update(campaign, world, resident):
    ticket = file(campaign, world, resident)
    with time_machine.travel("2019-09-27 20:00 +0800", tick=False):
        assert services.open_repeat(campaign, resident, world.community_a, "repair") == ticket
        assert services.open_repeat(campaign, resident, world.community_a, "parking") is None
        services.add_update(ticket, "晚上又坏了", resident=resident)
    with time_machine.travel("2019-09-28 10:01 +0800", tick=False):
        assert services.open_repeat(campaign, resident, world.community_a, "repair") is None
    assert ticket.events.filter(kind=EventKind.UPDATED).count() == 1


def test_repeated_complaints_of_one_kind_are_flagged_to_the_district_once(campaign, world, resident,
                                                                         haizhou_officer,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for day in (1, 5, 9):
            file(campaign, world, resident, category="sanitation", when=f"2019-10-{day:02d} 10:00 +0800")
        file(campaign, world, resident, category="parking", when="2019-10-09 11:00 +0800")
        assert not RepeatFlag.objects.exists()  # flagged by the sweep, not by the filing
        services.flag_repeats(campaign, at=at("2019-10-09 12:00 +0800"))
    flag = RepeatFlag.objects.get()
    assert flag.count == 3 and flag.district == world.haizhou and flag.category == "sanitation"
    file(campaign, world, resident, category="sanitation", when="2019-10-10 10:00 +0800")
    with django_capture_on_commit_callbacks(execute=True):
        services.flag_repeats(campaign, at=at("2019-10-10 12:00 +0800"))
        services.flag_repeats(campaign, at=at("2019-10-10 12:05 +0800"))
    flag.refresh_from_db()
    assert RepeatFlag.objects.count() == 1 and flag.count == 4
    assert Notification.objects.filter(user=haizhou_officer, message__contains="建议列入督查").count() == 1
    with pytest.raises(ValidationError):
        services.decide_repeat(flag, actor=haizhou_officer, inspect=False)
    services.decide_repeat(flag, actor=haizhou_officer, inspect=True)
    assert RepeatFlag.objects.get().state == RepeatFlag.State.INSPECT
    # decided: not raised again by the same complaints, only by a new one
    assert services.flag_repeats(campaign, at=at("2019-10-10 12:10 +0800")) == []
    file(campaign, world, resident, category="sanitation", when="2019-10-11 10:00 +0800")
    [again] = services.flag_repeats(campaign, at=at("2019-10-11 12:00 +0800"))
    assert again.count == 5 and again.state == RepeatFlag.State.OPEN
    # outside the window the count falls below the preset's 3: nothing more is raised
    assert services.flag_repeats(campaign, at=at("2019-11-20 12:00 +0800")) == []


def test_the_rates_of_twenty_tickets_equal_a_hand_count(campaign, world, resident, company_a, company_b):
    """20 tickets: 12 at company A (Haizhou), 8 at company B (Lianyun), each with a known fate."""
    plan_a = ["on_time_fixed_5"] * 4 + ["on_time_fixed_3"] * 2 + ["late_fixed_4"] * 2 + ["on_time_unfixed"] * 2 \
        + ["received_only"] + ["filed_only"]
    plan_b = ["on_time_fixed_5"] * 3 + ["late_fixed_2"] * 3 + ["filed_only"] * 2
    for company, community, plan in ((company_a, world.community_a, plan_a), (company_b, world.community_b, plan_b)):
        for fate in plan:
            ticket = file(campaign, world, resident, community=community)
            late = fate.startswith("late")
            when = "2019-10-12 09:00 +0800" if late else "2019-09-27 11:00 +0800"
            if fate == "filed_only":
                continue
            with time_machine.travel(when, tick=False):
                services.receive(ticket, actor=company, handler=company)
                if fate == "received_only":
                    continue
                services.start_handling(ticket, actor=company)
                services.answer(ticket, actor=company, text="已处理完毕，请查看")
                fixed = "unfixed" not in fate
                services.follow_up(ticket, fixed=fixed, satisfaction=int(fate[-1]) if fixed else 2, resident=resident)
    with time_machine.travel("2019-10-20 12:00 +0800", tick=False):
        by_company = services.rates_by(Ticket.objects.all(), "company_id")
        by_district = services.rates_by(Ticket.objects.all(), "district_id")
    def table(rates):
        return {r.key: (r.numerator, r.denominator) for r in rates}
    # A: 12 filed; received in time 4+2+2(unfixed)+1 = 9 (the late 2 were received late); answers due 12
    # (all past due by 10-20), answered in time 4+2 = 6 (the unfixed 2 reopened: unanswered);
    # followed up: 4+2+2 fixed + 2 unfixed = 10, fixed 8; rated 10, satisfied (≥4) 4+2 = 6.
    assert table(by_company[world.company_a.pk]) == {"response": (9, 12), "closure": (6, 12),
                                                     "resolution": (8, 10), "satisfaction": (6, 10)}
    # B: 8 filed; received in time 3; answers due 8, in time 3; followed up 6, fixed 6; satisfied 3 of 6
    assert table(by_company[world.company_b.pk]) == {"response": (3, 8), "closure": (3, 8),
                                                     "resolution": (6, 6), "satisfaction": (3, 6)}
    assert table(by_district[world.haizhou.pk]) == table(by_company[world.company_a.pk])
    rate = by_company[world.company_a.pk][0]
    assert rate.name == "响应率" and rate.percent == "75.0%" and "÷" in rate.rule


def test_the_sweep_command_and_task(campaign, world, resident):
    from django.core.management import call_command

    from wenming.complaints.tasks import sweep_task

    file(campaign, world, resident)
    with time_machine.travel("2019-09-28 10:30 +0800", tick=False):
        out = io.StringIO()
        call_command("complaints", "sweep", stdout=out)
        assert out.getvalue().strip() == "已提醒 1 件超时投诉，0 件上报区住建局"
        assert sweep_task.call() == (0, 0)  # already reminded


def test_the_new_complaint_to_do_clears_for_every_handler_once_received(campaign, world, resident, company_a, handler,
                                                                        django_capture_on_commit_callbacks):
    from wenming.core import notifications

    with django_capture_on_commit_callbacks(execute=True):
        ticket = file(campaign, world, resident)
    for user in (company_a, handler):
        (told,) = notifications.inbox(user, unread_only=True)
        assert told.kind == "complaint" and ticket.number in told.message and "前接待" in told.message
    with time_machine.travel("2019-09-27 11:00 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        services.receive(ticket, actor=company_a, handler=handler)
    assert notifications.unread_count(company_a) == 0
    assert [n.message for n in notifications.inbox(handler, unread_only=True)] == [
        f"投诉 {ticket.number} 已指派给您办理"]


def test_the_resident_gets_the_reply_by_sms(campaign, world, resident, company_a, handler,
                                                           django_capture_on_commit_callbacks):
    from wenming.core.identity.sms import FileOutboxBackend
    from wenming.core.models import Delivery

    ticket = file(campaign, world, resident)
    with time_machine.travel("2019-09-27 11:00 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        ticket = services.receive(ticket, actor=company_a, handler=handler)
        ticket = services.start_handling(ticket, actor=handler, note="已到现场")
        services.answer(ticket, actor=handler, text="已更换 3 号楼电梯按钮面板，恢复正常")
    (sms,) = FileOutboxBackend.read()
    assert sms["phone"] == resident.phone
    assert sms["text"] == (f"【投诉处理结果】您的投诉 {ticket.number} 已有处理结果：已更换 3 号楼电梯按钮面板，恢复正常。"
                           "请在“我的投诉”中查看并告诉我们是否已解决")
    delivery = Delivery.objects.get(kind="complaint_answered")
    assert delivery.notification is None and delivery.state == Delivery.State.SENT
