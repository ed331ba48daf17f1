import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from wenming.campaigns import clock
from wenming.campaigns.services import extend_window
from wenming.core.models import AuditEntry

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text):
    return datetime.datetime.fromisoformat(text)


@pytest.mark.parametrize("moment, expected", [
    ("2019-11-25T23:59:59+08:00", False),
    ("2019-11-26T00:00:00+08:00", True),
    ("2019-12-05T23:59:59+08:00", True),
    ("2019-12-06T00:00:00+08:00", False),
])
def test_the_voting_window_is_half_open_in_shanghai_time(campaign, server_tz, moment, expected):
    assert clock.is_open(campaign, "vote", at(moment)) is expected


@pytest.mark.parametrize("moment, expected", [
    ("2019-10-10T23:59:59+08:00", True),
    ("2019-10-11T00:00:00+08:00", False),
])
def test_the_community_paper_deadline_is_the_end_of_10_10(campaign, server_tz, moment, expected):
    assert clock.is_open(campaign, "apply_community_self", at(moment)) is expected


@pytest.mark.parametrize("moment, expected", [
    ("2019-10-15T23:59:59+08:00", True),
    ("2019-10-16T00:00:00+08:00", False),
])
def test_intake_closes_at_the_end_of_10_15(campaign, server_tz, moment, expected):
    assert clock.is_open(campaign, "apply", at(moment)) is expected


def test_the_survey_closes_before_the_expert_phase_opens(campaign):
    assert clock.is_open(campaign, "survey", at("2019-12-04T23:59:59+08:00"))
    assert not clock.is_open(campaign, "survey", at("2019-12-05T00:00:00+08:00"))
    assert clock.is_open(campaign, "score", at("2019-12-05T00:00:00+08:00"))


@pytest.mark.parametrize("moment, phase", [
    ("2019-09-06T23:59:59+08:00", None),
    ("2019-09-07T00:00:00+08:00", "publicity"),
    ("2019-09-15T12:00:00+08:00", "apply"),       # publicity's last day, apply's first: the later start wins
    ("2019-12-05T12:00:00+08:00", "expert"),      # voting's last day overlaps the expert phase
    ("2019-12-30T23:59:59+08:00", "results"),
    ("2019-12-31T00:00:00+08:00", None),
])
def test_the_current_phase_is_the_latest_starting_one_holding_now(campaign, moment, phase):
    current = clock.current_phase(campaign, at(moment))
    assert (current.key if current else None) == phase


def test_require_open_explains_the_window_in_chinese(campaign):
    with pytest.raises(clock.WindowClosed) as exc:
        clock.require_open(campaign, "vote", at("2019-12-06T00:00:00+08:00"))
    assert str(exc.value) == "投票时间为 2019年11月26日 00:00 至 2019年12月5日 24:00，当前不在此时间内"


def test_the_office_extends_a_deadline_with_a_logged_reason(campaign, office):
    new_end = datetime.datetime(2019, 10, 13, tzinfo=SH)
    extend_window(campaign, "deadline:community_paper", new_end, actor=office, reason="国庆假期顺延")
    assert clock.is_open(campaign, "apply_community_self", at("2019-10-12T12:00:00+08:00"))
    entry = AuditEntry.objects.get(action="campaigns.deadline.extended")
    assert entry.reason == "国庆假期顺延"
    assert entry.before == {"at": "2019-10-10T16:00:00+00:00"} and entry.after == {"at": "2019-10-12T16:00:00+00:00"}


def test_an_extension_needs_a_reason_and_can_only_move_later(campaign, office):
    with pytest.raises(ValidationError, match="请填写延期原因"):
        extend_window(campaign, "phase:voting", datetime.datetime(2019, 12, 8, tzinfo=SH), actor=office, reason=" ")
    with pytest.raises(ValidationError, match="只能延长"):
        extend_window(campaign, "phase:voting", datetime.datetime(2019, 12, 1, tzinfo=SH), actor=office, reason="x")
    assert not AuditEntry.objects.filter(action__endswith="extended").exists()


def test_only_the_office_extends(campaign, haizhou_officer):
    with pytest.raises(PermissionDenied):
        extend_window(campaign, "phase:voting", datetime.datetime(2019, 12, 8, tzinfo=SH),
                      actor=haizhou_officer, reason="x")


def test_the_demo_shift_puts_today_in_the_chosen_phase(campaign):
    from wenming.campaigns.services import demo_shift_days, shift_campaign

    today = datetime.date(2026, 11, 26)
    for key in ("publicity", "apply", "review", "voting", "expert", "results"):
        shift_campaign(campaign, demo_shift_days(campaign, key, today))
        with time_machine.travel(datetime.datetime(2026, 11, 26, 10, tzinfo=SH), tick=False):
            assert clock.current_phase(campaign).key == key
