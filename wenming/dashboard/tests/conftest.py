"""A hand-built data set for the dashboards: two districts (海州区 with company 海州甲 and three
communities, 连云区 with company 连云乙 and one), each figure small enough to count by hand.
The counts each test expects are written out beside the rows that make them."""

import datetime
import itertools
from types import SimpleNamespace

import pytest
import time_machine

from wenming.awards.models import Application, Showcase, Status
from wenming.campaigns import clock
from wenming.complaints import services as complaints
from wenming.complaints.models import Ticket
from wenming.core.models import Resident
from wenming.credit import services as credit
from wenming.credit.models import CreditList, ListEntry, Source
from wenming.dashboard import panels
from wenming.judging.models import Assignment, Expert, Sheet
from wenming.supervision.models import Finding, Inspection, Interview, OrderState, RectificationOrder, RepeatProblem
from wenming.surveys.models import Assignment as SurveyAssignment
from wenming.surveys.models import Response
from wenming.testing import factories as f
from wenming.volunteers.models import Activity, Record, RecordState, Station, Volunteer
from wenming.voting.models import Vote, Voter, VoteStatus

NOW = "2019-11-28 10:00 +0800"  # in the voting phase of the Lianyungang preset
DAY1, DAY2 = datetime.date(2019, 11, 26), datetime.date(2019, 11, 27)
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
_n = itertools.count(1)


@pytest.fixture
def clock_now():
    with time_machine.travel(NOW, tick=False):
        yield


def _candidate(campaign, community, award="model_community", status=Status.CANDIDATE, published=True):
    application = Application.objects.create(
        campaign=campaign, award=campaign.awards.get(key=award), channel="company", status=status,
        community=community, company=community.company, district=community.district, applicant_name="x",
        full_name=community.name, submitted_at=campaign.starts_at)
    if status != Status.CANDIDATE:
        return application
    return Showcase.objects.create(application=application, title=community.name, story="介绍",
                                   published_at=clock.window(campaign, "showcase")[1] if published else None)


def _votes(showcase, day, hour, count, status=VoteStatus.COUNTED):
    for k in range(count):
        n = next(_n)
        resident = Resident.objects.create(phone=f"137{n:08d}", consent_version="2019.1",
                                           consented_at=datetime.datetime(2019, 11, 1, tzinfo=datetime.UTC))
        Vote.objects.create(receipt=f"d{n:031d}", award=showcase.application.award, candidate=showcase,
                            voter=Voter.objects.create(resident=resident), day=day,
                            cast_at=datetime.datetime.combine(day, datetime.time(hour, k), tzinfo=BEIJING),
                            status=status)


def _responses(campaign, community, keys, **flags):
    for key in keys:
        Response.objects.create(campaign=campaign, community=community, household=key, answers={}, channel="surveyor",
                                client_id=f"dash-{next(_n)}", recorded_at=campaign.starts_at, **flags)


def _sheet(campaign, office, candidate, name, total, username=None):
    user = f.make_user(username or f"expert-{name}", role="expert", display_name=name)
    expert, _ = Expert.objects.get_or_create(user=user, defaults={"employer_name": "某大学"})
    assignment = Assignment.objects.create(campaign=campaign, expert=expert, candidate=candidate, assigned_by=office)
    Sheet.objects.create(assignment=assignment, total=total,
                         submitted_at=campaign.starts_at if total is not None else None)


def _order(inspection, item, action, state, deadline, officer):
    finding = Finding.objects.create(inspection=inspection, action=action, item=item, passed=False, severity="minor")
    RectificationOrder.objects.create(finding=finding, community=inspection.community, district=inspection.district,
                                      company=inspection.company, issued_by=officer, deadline=deadline, workdays=5,
                                      state=state)
    return finding


def _inspection(community, officer, kind=Inspection.Kind.REGULAR):
    return Inspection.objects.create(kind=kind, level="district", community=community, district=community.district,
                                     company=community.company, inspector=officer, state=Inspection.State.SUBMITTED,
                                     submitted_at=datetime.datetime(2019, 11, 20, tzinfo=datetime.UTC))


def _hours(campaign, community, minutes_list, officer):
    station = Station.objects.create(community=community, company=community.company, district=community.district,
                                     name=f"{community.name}志愿者服务站", contact_name="站长", contact_phone="13800138001",
                                     hours="全天", registered_by=officer, registered_at=campaign.starts_at)
    starts = datetime.datetime(2019, 11, 20, 1, tzinfo=datetime.UTC)
    activity = Activity.objects.create(campaign=campaign, station=station, company=community.company,
                                       district=community.district, kind="repair", title="义务维修", content="检修水电",
                                       place="广场", starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
                                       places=10, organiser=officer, created_at=campaign.starts_at)
    for i, minutes in enumerate(minutes_list):
        volunteer = Volunteer.objects.create(station=station, company=community.company, district=community.district,
                                             kind="resident", name=f"志愿者{i}", phone=f"1360000{next(_n):04d}",
                                             consent_version="2019.1", consented_at=campaign.starts_at,
                                             joined_at=campaign.starts_at)
        state = RecordState.CONFIRMED if minutes else RecordState.SIGNED_UP
        Record.objects.create(campaign=campaign, volunteer=volunteer, activity=activity, station=station,
                              company=community.company, district=community.district, state=state, minutes=minutes or None,
                              served_on=campaign.starts_at)


@pytest.fixture
def city():
    return panels.city_scope()


@pytest.fixture
def haizhou(dataset):
    return panels.Scope("district", "海州区", district_id=dataset.haizhou.pk, pk=dataset.haizhou.pk)


@pytest.fixture
def dataset(campaign, world, office, haizhou_officer, lianyun_officer, company_a, resident):
    """海州区 (company 海州甲): 海州花园 (the world's), 候选小区一, 候选小区二; 连云区 (连云乙): 连云新村."""
    w = world
    hz1 = f.make_community(name="候选小区一", company=w.company_a, district=w.haizhou)
    hz2 = f.make_community(name="候选小区二", company=w.company_a, district=w.haizhou)
    f.make_staff(name="王五", community=hz1)  # 海州甲 now has 2 staff, 连云乙 1

    # applications: 海州区 2 candidates + 1 at office review + 1 draft (not counted); 连云区 1 candidate
    # + 1 at district review (a worker award)
    c_hz1, c_hz2 = _candidate(campaign, hz1), _candidate(campaign, hz2, published=False)
    _candidate(campaign, w.community_a, status=Status.OFFICE_REVIEW)
    _candidate(campaign, hz2, award="model_worker", status=Status.DRAFT)
    c_ly = _candidate(campaign, w.community_b)
    _candidate(campaign, w.community_b, award="model_worker", status=Status.DISTRICT_REVIEW)

    # votes: 海州区 day 1: 3 counted at 10h + 1 quarantined at 02h; day 2: 2 counted at 10h (候选小区二)
    #        连云区 day 1: 2 counted + 2 quarantined at 10h
    _votes(c_hz1, DAY1, 10, 3)
    _votes(c_hz1, DAY1, 2, 1, VoteStatus.QUARANTINED)
    _votes(c_hz2, DAY2, 10, 2)
    _votes(c_ly, DAY1, 10, 2)
    _votes(c_ly, DAY1, 10, 2, VoteStatus.QUARANTINED)

    # survey: 海州花园 10 households (8 occupied), 5 counted responses of occupied ones → 62.5%;
    # 连云新村 10 occupied, 3 counted + 1 held (too fast) → 30%
    f.make_register(w.community_a, buildings=1, units=1, floors=2, per_floor=5, vacant={"1-1-201", "1-1-202"})
    f.make_register(w.community_b, buildings=1, units=1, floors=2, per_floor=5)
    _responses(campaign, w.community_a, ["1-1-101", "1-1-102", "1-1-103", "1-1-104", "1-1-105"])
    _responses(campaign, w.community_b, ["1-1-101", "1-1-102", "1-1-103"])
    _responses(campaign, w.community_b, ["1-1-104"], flagged_fast=True)
    for community in (w.community_a, w.community_b):
        SurveyAssignment.objects.create(surveyor=f.make_user(f"surveyor-{community.pk}", role="surveyor"),
                                        community=community, campaign=campaign)

    # experts: 候选小区一 five sheets 80 85 90 70 95 (70 and 95 dropped); 候选小区二 one of two
    # submitted (88); 连云新村 one (60)
    for name, total in zip(("甲", "乙", "丙", "丁", "戊"), ("80.0", "85.0", "90.0", "70.0", "95.0"), strict=True):
        _sheet(campaign, office, c_hz1, name, total)
    _sheet(campaign, office, c_hz2, "己", "88.0")
    _sheet(campaign, office, c_hz2, "庚", None)
    _sheet(campaign, office, c_ly, "辛", "60.0")

    # supervision: 海州区 2 inspections (regular, unannounced); orders: environment 1 closed + 1 issued
    # past its deadline (overdue), equipment 1 rectifying in time. 连云区 1 inspection, environment 1 closed.
    # One 约谈 in 海州区, two in 连云区 (one concluded).
    past, later = datetime.date(2019, 11, 20), datetime.date(2019, 12, 20)
    hz = _inspection(w.community_a, haizhou_officer)
    _inspection(hz1, haizhou_officer, Inspection.Kind.UNANNOUNCED)
    first = _order(hz, "E1", "environment", OrderState.CLOSED, past, haizhou_officer)
    again = _order(hz, "E2", "environment", OrderState.ISSUED, past, haizhou_officer)
    _order(hz, "Q1", "equipment", OrderState.RECTIFYING, later, haizhou_officer)
    ly = _inspection(w.community_b, lianyun_officer)
    ly_first = _order(ly, "E1", "environment", OrderState.CLOSED, past, lianyun_officer)
    ly_again = Finding.objects.create(inspection=ly, action="environment", item="E3", passed=False)
    ly_third = Finding.objects.create(inspection=ly, action="environment", item="E4", passed=False)
    problems = [RepeatProblem.objects.create(community=i.community, district=i.district, company=i.company, item="E1",
                                             first=a, repeat=b)
                for i, a, b in ((hz, first, again), (ly, ly_first, ly_again), (ly, ly_first, ly_third))]
    for problem, state in zip(problems, ("open", "open", "rectified"), strict=True):
        Interview.objects.create(problem=problem, held_at=campaign.starts_at, attendees="经理", requirements="整改",
                                 deadline=later, recorded_by=office, state=state)

    # complaints: 海州区 3 (2 received in time, 1 late; 2 answered in time of 3 due; 2 followed up,
    # 1 fixed; 2 rated, 1 satisfied); 连云区 1 (received in time)
    with time_machine.travel(NOW, tick=False):
        tickets = [complaints.file_ticket(campaign, complaints.Filing(
            community=community, category="repair", urgency="normal", description="门禁坏了好几天",
            phone=resident.phone), source="resident", resident=resident.resident)
            for community in (w.community_a, w.community_a, hz1, w.community_b)]
    answered = datetime.datetime(2019, 11, 28, 6, tzinfo=datetime.UTC)
    figures = [dict(received_in_time=True, answered_in_time=True, answered_at=answered, fixed=True, satisfaction=5),
               dict(received_in_time=True, answered_in_time=False, answered_at=answered, fixed=False, satisfaction=2),
               dict(received_in_time=False, answered_in_time=True, answered_at=answered),
               dict(received_in_time=True)]
    for ticket, values in zip(tickets, figures, strict=True):
        Ticket.objects.filter(pk=ticket.pk).update(**values)

    # volunteer hours: 海州花园 90 + 30 min confirmed (+1 signed up, not counted), 候选小区一 60;
    # 连云新村 45
    _hours(campaign, w.community_a, [90, 30, 0], company_a)
    _hours(campaign, hz1, [60], company_a)
    _hours(campaign, w.community_b, [45], company_a)

    # credit: 海州甲 +3 → 93 (A); 连云乙 −10 → 80 (B). Published list: 海州甲 red, 连云乙 black.
    at = campaign.starts_at
    credit.record(campaign, w.company_a, "HONOR_CITY", source=Source.MANUAL, source_key="d1", evidence="依据",
                  actor=office, at=at)
    for key in ("d2", "d3"):
        credit.record(campaign, w.company_b, "FEE_INFO_UNDISCLOSED", source=Source.MANUAL, source_key=key,
                      evidence="依据", actor=office, at=at)
    listing = CreditList.objects.create(campaign=campaign, period="2019-10", as_of=at, computed_by=office,
                                        state=CreditList.State.PUBLISHED, published_at=at)
    ListEntry.objects.create(credit_list=listing, company=w.company_a, kind="red", score=93, grade="A")
    ListEntry.objects.create(credit_list=listing, company=w.company_b, kind="black", score=80, grade="B")
    return SimpleNamespace(hz1=hz1, hz2=hz2, c_hz1=c_hz1, c_hz2=c_hz2, c_ly=c_ly, **vars(w))
