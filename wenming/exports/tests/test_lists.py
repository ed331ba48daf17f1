"""Each list's numbers against a hand-built data set: vote statistics by candidate and day, the
expert score grid, supervision's inspections and interviews, survey coverage. Every one opens
with the caption, numeric cells where numbers are, and no full phone."""

import datetime

import pytest

from wenming.awards.models import Application, Showcase, Status
from wenming.core.excel import workbook_for
from wenming.core.models import Resident
from wenming.core.roles import Role
from wenming.exports.registry import BY_KEY
from wenming.judging.models import Assignment, Expert, Sheet
from wenming.supervision.models import Finding, Inspection, Interview, RepeatProblem
from wenming.testing.factories import make_candidates, make_community, make_user
from wenming.testing.workbooks import open_export
from wenming.voting.models import Vote, Voter

UTC = datetime.UTC


def sheets(key, user, campaign, scope):
    content = workbook_for(BY_KEY[key].tables(user, campaign), campaign=campaign, user=user)
    return open_export(content, campaign=campaign, scope=scope)


@pytest.fixture
def voted(campaign, world):
    """Candidate 0 (海州区): 3 counted votes on 11-28, 1 counted and 1 quarantined on 11-29;
    candidate 1: 1 invalidated on 11-28. A 连云区 candidate: 2 counted."""
    shown = make_candidates(campaign, world, count=2)
    award = shown[0].application.award
    application = Application.objects.create(
        campaign=campaign, award=award, channel="company", status=Status.CANDIDATE, community=world.community_b,
        company=world.company_b, district=world.lianyun, applicant_name="x", full_name="连云候选")
    other = Showcase.objects.create(application=application, title="连云候选", story="介绍",
                                    published_at=shown[0].published_at)
    n = 0

    def vote(candidate, day, status="counted"):
        nonlocal n
        n += 1
        resident = Resident.objects.create(phone=f"1390000{n:04d}", consent_version="1",
                                           consented_at=datetime.datetime(2019, 11, 1, tzinfo=UTC))
        Vote.objects.create(receipt=f"r{n}", award=award, candidate=candidate, voter=Voter.objects.create(
            resident=resident), day=day, cast_at=datetime.datetime.combine(day, datetime.time(2), tzinfo=UTC),
            status=status)

    d28, d29 = datetime.date(2019, 11, 28), datetime.date(2019, 11, 29)
    for _ in range(3):
        vote(shown[0], d28)
    vote(shown[0], d29)
    vote(shown[0], d29, "quarantined")
    vote(shown[1], d28, "invalidated")
    vote(other, d28)
    vote(other, d28)
    return shown, other


def test_vote_statistics_by_candidate_and_by_day_count_by_hand(campaign, voted, haizhou_officer, office):
    shown, _ = voted
    book = sheets("votes", haizhou_officer, campaign, "海州区")
    by_candidate = {r[1]: r for r in book["按候选统计"][1:]}
    assert book["按候选统计"][0] == ("奖项", "候选", "所属区", "有效票", "待核查票", "已作废票", "合计")
    assert by_candidate[shown[0].title][3:] == (4, 1, 0, 5)
    assert by_candidate[shown[1].title][3:] == (0, 0, 1, 1)
    assert "连云候选" not in by_candidate  # another district's candidate
    by_day = [(r[0].date(), r[2], *r[4:]) for r in book["按日统计"][1:]]
    assert by_day == [(datetime.date(2019, 11, 28), shown[0].title, 3, 0, 0, 3),
                      (datetime.date(2019, 11, 28), shown[1].title, 0, 0, 1, 1),
                      (datetime.date(2019, 11, 29), shown[0].title, 1, 1, 0, 2)]
    city = {r[1]: r for r in sheets("votes", office, campaign, "全市")["按候选统计"][1:]}
    assert city["连云候选"][3:] == (2, 0, 0, 2)


def test_the_expert_grid_holds_each_experts_total_and_the_spread(campaign, world, office, expert):
    shown = make_candidates(campaign, world, count=2)
    judges = [Expert.objects.create(user=make_user(f"judge{i}", role=Role.EXPERT, display_name=f"专家{i}"))
              for i in range(3)]
    Expert.objects.create(user=expert)
    at = datetime.datetime(2019, 12, 1, tzinfo=UTC)
    for judge, total in zip(judges, ("80.0", "90.5", None), strict=True):
        a = Assignment.objects.create(campaign=campaign, expert=judge, candidate=shown[0], assigned_by=office)
        Sheet.objects.create(assignment=a, total=total, submitted_at=at if total else None)
    mine = Assignment.objects.create(campaign=campaign, expert=expert.expert_profile, candidate=shown[1],
                                     assigned_by=office)
    Sheet.objects.create(assignment=mine, total="70.0", submitted_at=at)
    rows = sheets("scores", office, campaign, "全市")["专家评分"]
    header = rows[0]
    assert {"专家0", "专家1", "专家2", expert.username} == set(header[3:7])
    first = dict(zip(header, next(r for r in rows if r[1] == shown[0].title), strict=True))
    assert (first["专家0"], first["专家1"], first["专家2"]) == (80.0, 90.5, None)  # not submitted: empty
    assert (first["已评人数"], first["平均分"], first["最高分"], first["最低分"], first["极差"]) == (2, 85.25, 90.5, 80.0, 10.5)
    own = sheets("scores", expert, campaign, None)["专家评分"]
    assert len(own) == 2 and own[1][1] == shown[1].title and own[1][3] == 70.0  # the expert's own sheet only


def test_inspections_and_interviews_count_findings_and_carry_dates(campaign, world, office, haizhou_officer,
                                                                   lianyun_officer):
    inspection = Inspection.objects.create(kind="regular", level="district", community=world.community_a,
                                           district=world.haizhou, company=world.company_a, inspector=haizhou_officer,
                                           state="submitted", summary="联系人 13812345678",
                                           submitted_at=datetime.datetime(2019, 10, 9, 2, tzinfo=UTC))
    first = Finding.objects.create(inspection=inspection, action="environment", item="EN1", passed=False)
    Finding.objects.create(inspection=inspection, action="environment", item="EN2", passed=True)
    again = Inspection.objects.create(kind="reinspection", level="district", community=world.community_a,
                                      district=world.haizhou, company=world.company_a, inspector=haizhou_officer)
    repeat = Finding.objects.create(inspection=again, action="environment", item="EN1", passed=False)
    problem = RepeatProblem.objects.create(community=world.community_a, district=world.haizhou,
                                           company=world.company_a, item="EN1", first=first, repeat=repeat)
    Interview.objects.create(problem=problem, held_at=datetime.datetime(2019, 10, 20, 2, tzinfo=UTC),
                             attendees="经理 13912345678", requirements="=立即整改", deadline=datetime.date(2019, 10, 30),
                             recorded_by=haizhou_officer)
    rows = sheets("inspections", haizhou_officer, campaign, "海州区")["督查检查"]
    assert [r[10:12] for r in rows[1:]] == [(2, 1), (1, 1)] and rows[1][12] == "联系人 138****5678"
    assert isinstance(rows[1][8], datetime.datetime)
    talks = sheets("interviews", haizhou_officer, campaign, "海州区")["约谈"]
    assert talks[1][5] == datetime.datetime(2019, 10, 20, 10, 0) and talks[1][7] == "'=立即整改"
    assert talks[1][6] == "经理 139****5678" and isinstance(talks[1][8], datetime.datetime)
    assert rows[2][8] is None  # not submitted yet
    assert len(sheets("inspections", lianyun_officer, campaign, "连云区")["督查检查"]) == 1  # headers only
    assert len(sheets("interviews", lianyun_officer, campaign, "连云区")["约谈"]) == 1


def test_survey_coverage_has_households_and_percent_as_numbers(campaign, world, haizhou_officer):
    make_community(name="海州新苑", company=world.company_a, district=world.haizhou)
    rows = sheets("coverage", haizhou_officer, campaign, "海州区")["入户率"]
    assert {r[1] for r in rows[1:]} == {"海州花园", "海州新苑"}  # its district only
    assert all(isinstance(r[2], int) and isinstance(r[4], int | float) for r in rows[1:])


def test_the_complaint_rates_export_has_rates_as_numbers(client, campaign, world, office):
    import time_machine

    from wenming.complaints import services as complaints

    resident = Resident.objects.create(phone="13912345678", consent_version="1",
                                       consented_at=datetime.datetime(2019, 10, 1, tzinfo=UTC))
    with time_machine.travel("2019-10-01 10:00 +0800", tick=False):
        complaints.file_ticket(campaign, complaints.Filing(
            community=world.community_a, category="sanitation", urgency="normal", description="楼道垃圾无人清理",
            phone=resident.phone), source="resident", resident=resident)
    client.force_login(office)
    with time_machine.travel("2019-10-10 10:00 +0800", tick=False):
        rows = open_export(client.get("/complaints/rates/?format=xlsx").content, campaign=campaign,
                           scope="全市")["四率"]
    total = rows[1]
    assert total[:2] == ("全部", "合计") and "%" in rows[0][2]
    rates = total[2:-1]
    assert all(v is None or isinstance(v, int | float) for v in rates) and any(isinstance(v, int | float) for v in rates)
