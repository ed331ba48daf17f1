import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from wenming.core.errors import Conflict
from wenming.core.roles import Role
from wenming.judging import services
from wenming.judging.models import Assignment, Sheet
from wenming.testing.factories import make_user

pytestmark = pytest.mark.django_db
SCORING = "2019-12-10 10:00 +0800"


def test_an_expert_employed_by_the_candidates_company_cannot_be_assigned(campaign, world, candidate, experts, office):
    experts[0].employer = world.company_a
    experts[0].save()
    experts[1].related_companies.add(world.company_a)
    with pytest.raises(ValidationError, match="任职于候选所属企业"):
        services.assign(campaign, office, experts[0], candidate)
    with pytest.raises(ValidationError, match="利害关系"):
        services.assign(campaign, office, experts[1], candidate)
    assert Assignment.objects.count() == 0
    with pytest.raises(PermissionDenied):
        services.assign(campaign, make_user("d", role=Role.DISTRICT, district=world.haizhou), experts[2], candidate)


def test_automatic_assignment_skips_conflicts_and_balances_the_load(campaign, world, candidate, experts, office):
    experts[0].employer = world.company_a
    experts[0].save()
    made, short = services.auto_assign(campaign, office, candidate.application.award, experts, per_candidate=5)
    assigned = set(Assignment.objects.filter(candidate=candidate).values_list("expert_id", flat=True))
    assert made == 5 and short == [] and experts[0].pk not in assigned
    made, short = services.auto_assign(campaign, office, candidate.application.award, experts, per_candidate=6)
    assert made == 0 and short[0][1] == "还差 1 名无利害关系的专家"


@pytest.fixture
def assignment(campaign, candidate, experts, office):
    return services.assign(campaign, office, experts[1], candidate)


@time_machine.travel(SCORING, tick=False)
@pytest.mark.parametrize("bad", ["-1", "8.5", "NaN", "1e309", "７", "٣", "", " ", "3.25", "inf", "0x1"])
def test_bad_scores_are_refused_and_nothing_is_saved(assignment, experts, bad):
    with pytest.raises(ValidationError) as refused:
        services.save_sheet(assignment, experts[1].user, scores={"environment.1": "7", "environment.2": bad}, version=0)
    assert "environment.2" in refused.value.message_dict
    sheet = Sheet.objects.get(assignment=assignment)
    assert sheet.scores == {} and sheet.version == 0


@time_machine.travel(SCORING, tick=False)
def test_two_tabs_saving_one_sheet_the_second_gets_a_conflict_with_the_current_version(assignment, experts):
    user = experts[1].user
    first = services.save_sheet(assignment, user, scores={"environment.1": "7.5"}, version=0)
    assert first.version == 1 and first.scores == {"environment.1": "7.5"}
    with pytest.raises(services.StaleSheet) as stale:
        services.save_sheet(assignment, user, scores={"environment.1": "6"}, version=0)
    assert stale.value.current == 1
    assert Sheet.objects.get(assignment=assignment).scores == {"environment.1": "7.5"}


@time_machine.travel(SCORING, tick=False)
def test_submit_needs_every_item_then_locks_and_reopening_needs_two_office_members(campaign, assignment, experts,
                                                                                   office):
    user = experts[1].user
    items = services.rubric(campaign, "model_community")
    sheet = services.save_sheet(assignment, user, scores={items[0]["key"]: "5"}, version=0)
    with pytest.raises(ValidationError, match="未评分"):
        services.submit_sheet(assignment, user)
    scores = {i["key"]: str(i["max"] - 1) for i in items}
    sheet = services.save_sheet(assignment, user, scores=scores, version=sheet.version)
    sheet = services.submit_sheet(assignment, user)
    assert sheet.total == sum(i["max"] for i in items) - len(items) == 80
    with pytest.raises(Conflict):
        services.save_sheet(assignment, user, scores=scores, version=sheet.version)
    reopen = services.request_reopen(sheet, office, "专家误填卫生项")
    with pytest.raises(PermissionDenied):
        services.approve_reopen(reopen, office)
    services.approve_reopen(reopen, make_user("office2", role=Role.OFFICE))
    sheet.refresh_from_db()
    assert sheet.submitted_at is None and sheet.total is None


@time_machine.travel(SCORING, tick=False)
def test_only_the_assigned_expert_may_score_and_only_in_the_window(assignment, experts):
    with pytest.raises(PermissionDenied):
        services.save_sheet(assignment, experts[2].user, scores={"environment.1": "1"}, version=0)
    from wenming.campaigns.clock import WindowClosed

    with time_machine.travel("2019-12-21 00:00 +0800", tick=False), pytest.raises(WindowClosed):
        services.save_sheet(assignment, experts[1].user, scores={"environment.1": "1"}, version=0)


def test_automatic_assignment_draws_only_from_the_awards_committee(campaign, candidate, experts, office):
    award = candidate.application.award
    services.set_committee(campaign, office, award, experts[:3])
    made, short = services.auto_assign(campaign, office, award, experts, per_candidate=5)
    assert made == 3 and short[0][1] == "还差 2 名无利害关系的专家"
    assert set(Assignment.objects.values_list("expert_id", flat=True)) == {e.pk for e in experts[:3]}


def test_the_scheduled_reminder_reaches_experts_with_open_sheets_only_while_scoring_is_open(
        assignment, experts, django_capture_on_commit_callbacks):
    from wenming.core import schedule
    from wenming.core.models import Notification

    reminders = Notification.objects.filter(message__contains="份评分表未提交")
    with time_machine.travel("2019-12-01 10:00 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        # before the scoring window
        assert "expert-reminders" in schedule.tick()
    assert not reminders.exists()
    with time_machine.travel(SCORING, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert "expert-reminders" in schedule.tick()
        assert "expert-reminders" not in schedule.tick()  # the day's slot is taken
    assert list(reminders.values_list("user", flat=True)) == [experts[1].user.pk]


@time_machine.travel(SCORING, tick=False)
def test_the_expert_is_told_of_the_task_and_reminded_until_the_sheet_is_in(campaign, candidate, experts, office,
                                                                          django_capture_on_commit_callbacks):
    from wenming.core import notifications

    user = experts[0].user
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assign(campaign, office, experts[0], candidate)
        assert services.remind(campaign) == 1
    told = {n.kind: n for n in notifications.inbox(user, unread_only=True)}
    assert told["expert_assigned"].message == f"您有新的评审任务：{candidate.title}"
    assert told["expert_assigned"].link == f"/judging/{assignment.pk}/"
    assert told["expert_reminded"].message == "您还有 1 份评分表未提交"
    items = services.rubric(campaign, "model_community")
    services.save_sheet(assignment, user, scores={i["key"]: "1" for i in items}, version=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_sheet(assignment, user)
    assert notifications.unread_count(user) == 0


@time_machine.travel(SCORING, tick=False)
def test_automatic_assignment_tells_each_expert_once(campaign, world, candidate, experts, office,
                                                     django_capture_on_commit_callbacks):
    from wenming.core.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        made, _ = services.auto_assign(campaign, office, candidate.application.award, experts)
    told = Notification.objects.filter(kind="expert_assigned")
    assert made == told.count() and {n.message for n in told} == {"您有 1 份新的评审任务"}
