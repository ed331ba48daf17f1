import datetime
from fractions import Fraction

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from wenming.core.errors import Conflict
from wenming.registry import households
from wenming.surveys import services
from wenming.surveys.models import Response
from wenming.testing.factories import make_community, make_register

pytestmark = pytest.mark.django_db
IN_WINDOW = "2019-11-28 10:00 +0800"


def answers(campaign, satisfied="满意", aware="是", support="支持"):
    out = {}
    for q in campaign.rules["survey"]["questions"]:
        if q["kind"] == "satisfaction":
            out[q["key"]] = satisfied
        elif q["kind"] == "awareness":
            out[q["key"]] = q["choices"][0] if aware == "是" else q["choices"][1]
        elif q["kind"] == "support":
            out[q["key"]] = support
        else:
            out[q["key"]] = q["choices"][0]
    return out


@pytest.fixture
def assigned(campaign, world, surveyor, office):
    services.assign(campaign, office, surveyor, [world.community_a])
    return world.community_a


def record(campaign, community, surveyor, household, client_id, **kw):
    return services.record_response(campaign, community, household=household, answers=kw.pop("answers", None) or
                                    answers(campaign), client_id=client_id, channel="surveyor", surveyor=surveyor, **kw)


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_second_response_for_the_same_household_is_refused(campaign, assigned, surveyor):
    record(campaign, assigned, surveyor, ("3", "2", "501"), "client-0001")
    with pytest.raises(Conflict, match="本轮已有问卷"):
        record(campaign, assigned, surveyor, ("３号楼", "2单元", "501室"), "client-0002")  # the same household typed
    assert Response.objects.count() == 1


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_retry_with_the_same_client_id_is_the_same_response(campaign, assigned, surveyor):
    first, created = record(campaign, assigned, surveyor, ("3", "2", "501"), "client-0003")
    again, created_again = record(campaign, assigned, surveyor, ("3", "2", "501"), "client-0003")
    assert created and not created_again and first.pk == again.pk
    with pytest.raises(Conflict):
        record(campaign, assigned, surveyor, ("4", "1", "101"), "client-0003")


def test_coverage_matches_a_hand_count(campaign, world, surveyor, office):
    small = make_community(company=world.company_a, district=world.haizhou, name="小户小区", total_households=12,
                           occupied_households=10)
    make_register(small, buildings=1, units=1, floors=6, per_floor=2, vacant=["1-1-601", "1-1-602"])
    services.assign(campaign, office, surveyor, [small, world.community_a])
    with time_machine.travel(IN_WINDOW, tick=False):
        for i, room in enumerate(["101", "102", "201", "202", "301", "302"]):
            record(campaign, small, surveyor, ("1", "1", room), f"client-s{i:04d}")
        with pytest.raises(Conflict):
            record(campaign, small, surveyor, ("1", "1", "101"), "client-dup1")
    rows = {c.community.name: c for c in services.coverage(campaign, [small, world.community_a])}
    assert (rows["小户小区"].responses, rows["小户小区"].households, rows["小户小区"].rate) == (6, 10, Fraction(3, 5))
    assert rows["小户小区"].percent == 60.0 and rows["海州花园"].responses == 0


def test_the_window_and_the_assignment_are_enforced(campaign, assigned, surveyor, world):
    from wenming.campaigns.clock import WindowClosed

    with time_machine.travel("2019-11-25 23:59:59 +0800", tick=False), pytest.raises(WindowClosed):
        record(campaign, assigned, surveyor, ("1", "1", "101"), "client-early")
    with time_machine.travel(IN_WINDOW, tick=False), pytest.raises(PermissionDenied):
        record(campaign, world.community_b, surveyor, ("1", "1", "101"), "client-other")
    # recorded offline inside the window, uploaded later (still before the expert phase): accepted
    with time_machine.travel("2019-12-04 20:00 +0800", tick=False):
        response, _ = record(campaign, assigned, surveyor, ("1", "1", "102"), "client-offline",
                             recorded_at=datetime.datetime(2019, 11, 30, 9, tzinfo=campaign.tz))
    assert response.recorded_at.day == 30
    with time_machine.travel("2019-12-05 00:00 +0800", tick=False), pytest.raises(Conflict):
        record(campaign, assigned, surveyor, ("1", "1", "103"), "client-late1",
               recorded_at=datetime.datetime(2019, 12, 4, 9, tzinfo=campaign.tz))


@time_machine.travel(IN_WINDOW, tick=False)
def test_bad_answers_and_households_are_refused_with_nothing_saved(campaign, assigned, surveyor):
    bad = answers(campaign)
    bad["support"] = "非常支持"
    for kwargs in ({"answers": bad}, {"answers": {"support": "支持"}}):
        with pytest.raises(ValidationError):
            record(campaign, assigned, surveyor, ("1", "1", "101"), "client-bad1", **kwargs)
    with pytest.raises(ValidationError):
        record(campaign, assigned, surveyor, ("", "1", "101"), "client-bad2")
    with pytest.raises(ValidationError):
        record(campaign, assigned, surveyor, ("1", "1", "101"), "x")
    assert Response.objects.count() == 0


@time_machine.travel(IN_WINDOW, tick=False)
def test_an_implausibly_fast_entry_is_flagged(campaign, assigned, surveyor):
    now = datetime.datetime(2019, 11, 28, 10, tzinfo=campaign.tz)
    fast, _ = record(campaign, assigned, surveyor, ("1", "1", "101"), "client-fast", started_at=now -
                     datetime.timedelta(seconds=20), recorded_at=now)
    slow, _ = record(campaign, assigned, surveyor, ("1", "1", "102"), "client-slow", started_at=now -
                     datetime.timedelta(minutes=4), recorded_at=now)
    assert fast.flagged_fast and fast.duration_seconds == 20 and not slow.flagged_fast
    assert services.coverage(campaign, [assigned])[0].fast == 1


def test_survey_points_follow_the_formula(campaign):
    qs = campaign.rules["survey"]["questions"]

    def row(sat, aware_yes, support_yes):
        a = answers(campaign, satisfied=sat, aware="是" if aware_yes else "否", support="支持" if support_yes else "无所谓")
        return {q["key"]: a[q["key"]] for q in qs}

    rows = [row("满意", True, True), row("一般", False, True)]  # satisfaction (100 + 60) / 2 = 80
    points, raw = services.points_from(campaign.rules["survey"], rows, households=4)
    # 20% × awareness 50 + 20% × support 100 + 60% × satisfaction 80 = 10 + 20 + 48 = 78
    assert points == 78 and raw["coverage"] == "1/2" and raw["satisfaction"] == "80"
    assert services.points_from(campaign.rules["survey"], [], households=4)[0] is None


def test_household_keys_fold_what_people_type():
    assert households.household_key("３号楼", " 2 单元", "501室") == "3-2-501"
    assert households.household_key("a座", "1", "1201") == "A座-1-1201"


def test_near_the_close_low_coverage_is_told_once_to_surveyors_and_districts(
        campaign, world, surveyor, office, haizhou_officer, lianyun_officer, django_capture_on_commit_callbacks):
    from wenming.core.models import Notification

    services.assign(campaign, office, surveyor, [world.community_a, world.community_b])
    with time_machine.travel(IN_WINDOW, tick=False):
        record(campaign, world.community_a, surveyor, ("1", "1", "101"), "client-0001")
    with time_machine.travel("2019-12-01 10:00 +0800", tick=False):
        assert services.remind_low_coverage(campaign) == 0  # the close is more than 3 days away
    with time_machine.travel("2019-12-03 10:00 +0800", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.remind_low_coverage(campaign) == 3
        assert services.remind_low_coverage(campaign) == 0  # once
    told = {n.user.username: n.message for n in Notification.objects.filter(kind="survey_coverage")}
    until = "调查将于 2019年12月4日 24:00 截止"
    assert told == {"surveyor1": f"{until}，海州花园、连云新村入户调查覆盖率仍低于 60%",
                    "haizhou": f"{until}，海州花园入户调查覆盖率仍低于 60%",
                    "lianyun": f"{until}，连云新村入户调查覆盖率仍低于 60%"}
    with time_machine.travel("2019-12-05 00:00 +0800", tick=False):
        assert services.remind_low_coverage(campaign) == 0  # closed
