"""Benchmark: the dashboards at the scale of a city (issue 21 targets: every panel < 150 ms
uncached; the cached dashboard page ≥ 70% of hello-world on the same server).

    .venv/bin/python bench/dashboard.py --database-url postgres://postgres@127.0.0.1:5432/NAME
        [--votes 2000000] [--responses 20000] [--inspections 5000] [--complaints 50000]
        [--hours 100000] [--runs 5] [--seconds 8]

Stand-in data (PostgreSQL; the database is dropped and created afresh): the volunteer records of
bench/volunteers.py (`seed`: three districts, 60 communities and stations, `--hours` records),
and beside them 300 more companies with a community and 20 staff each; a candidate for each of
the 60 communities (and applications at every review stage); `--votes` votes over ten days from
100,000 voters (5% quarantined), inserted by one INSERT … SELECT generate_series; a household
register of 500 per community and `--responses` survey responses; five experts per candidate,
most sheets submitted; `--inspections` inspections, each with a failed item and its
rectification order in every state, and 300 interviews; `--complaints` tickets in every state;
credit records and a published red/black list.

Timed: the first hourly vote tally (the scheduler's vote-tallying job, run once here), then every
panel of `wenming.dashboard.panels` for the city and for one district, uncached
(the median of `--runs`, after one warm-up call); then the office's dashboard page through the
production server (granian, 2 workers), signed in, against hello-world on that server, with wrk
(the page's panels come from the cache after the first request per worker), and beside them the
signed-in floor: a page that reads only the session and the user (`bench/urls.py`), which bounds
what any signed-in page can reach."""

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import volunteers as volunteer_bench
from bench.common import Server, report, session_cookie, setup_django, wrk
from bench.votes import _recreate

VOTERS = 100_000
DAYS = 10  # the votes' days (the statement's i % 10)


def seed_registry(campaign):
    from django.db import transaction

    from wenming.registry.models import Community, Company, District, Post, Staff
    from wenming.testing.factories import credit_code

    districts = list(District.objects.order_by("pk"))
    with transaction.atomic():
        companies = Company.objects.bulk_create([
            Company(name=f"基准物业服务有限公司{n}", credit_code=credit_code(900000 + n), district=districts[n % 3],
                    contact_phone="13900000000") for n in range(300)])
        communities = Community.objects.bulk_create([
            Community(name=f"基准小区{n}", district=c.district, company=c, total_households=400, occupied_households=300)
            for n, c in enumerate(companies)])
        Staff.objects.bulk_create([
            Staff(name=f"员工{n}", company=c.company, community=c, post=Post.SECURITY,
                  entered_trade_on=datetime.date(2015, 1, 1), phone=f"1380000{n:04d}")
            for c in communities for n in range(20)], batch_size=5000)
    campaign.districts.set(districts)


def seed_applications(campaign):
    from django.db import transaction
    from django.utils import timezone

    from wenming.awards.models import Application, Showcase, Status
    from wenming.registry.models import Community

    award = campaign.awards.get(key="model_community")
    now = timezone.now()
    stages = [Status.COMPANY_REVIEW, Status.DISTRICT_REVIEW, Status.OFFICE_REVIEW, Status.RETURNED, Status.REJECTED]
    with transaction.atomic():
        showcases = []
        for community in Community.objects.filter(name__contains="花园").order_by("pk"):
            application = Application.objects.create(
                campaign=campaign, award=award, channel="company", status=Status.CANDIDATE, community=community,
                company=community.company, district=community.district, applicant_name="x", full_name=community.name,
                submitted_at=now)
            showcases.append(Showcase.objects.create(application=application, title=community.name, story="介绍",
                                                     published_at=now))
        Application.objects.bulk_create([
            Application(campaign=campaign, award=award, channel="company", status=stages[n % len(stages)],
                        community=c, company=c.company, district=c.district, applicant_name="x", full_name=c.name,
                        submitted_at=now)
            for n, c in enumerate(Community.objects.filter(name__startswith="基准").order_by("pk"))])
    return showcases


def seed_votes(campaign, showcases, count):
    """Voters and votes by INSERT … SELECT generate_series: vote i is voter i mod V's vote for
    candidate (i div V) (distinct per voter while count ≤ V × candidates), on day i mod 10."""
    from django.db import connection, transaction

    from wenming.core.models import Resident
    from wenming.voting.models import Vote, Voter

    # the tables the statements below name
    assert (Resident._meta.db_table, Voter._meta.db_table, Vote._meta.db_table) == (
        "core_resident", "voting_voter", "voting_vote")
    started = time.time()
    award_id = showcases[0].application.award_id
    ids = [s.pk for s in showcases]
    first_day = datetime.date(2019, 11, 26)
    voters = min(VOTERS, max(1, count))
    with transaction.atomic(), connection.cursor() as cursor:
        # voters with no number (nothing here reads one; core.fields would encrypt it): a unique
        # placeholder hash, and a prefix no real number has, to find them again
        cursor.execute("""INSERT INTO core_resident (phone, phone_hash, phone_prefix, consent_version, consented_at,
                                                     created_at)
                           SELECT '', md5('bench-voter-' || i) || md5(i::text), '0000', '2019.1', now(), now()
                           FROM generate_series(1, %s) AS i""", [voters])
        cursor.execute("""INSERT INTO voting_voter (resident_id, created_at)
                           SELECT id, now() FROM core_resident WHERE phone_prefix = '0000'""")
        cursor.execute("SELECT min(id) FROM voting_voter")
        first_voter = cursor.fetchone()[0]
        # in the order they were cast, as votes fill the table (the BRIN index on cast_at relies on it)
        cursor.execute("""
            INSERT INTO voting_vote
                (receipt, award_id, candidate_id, voter_id, day, slot, cast_at, channel, status, status_reason, ip)
            SELECT md5(i::text), %s, (%s::int[])[1 + (i / %s) %% %s], %s + i %% %s, day, 1, cast_at,
                   'web', CASE WHEN i %% 20 = 0 THEN 'quarantined' ELSE 'counted' END, '', NULL
            FROM (SELECT i, %s::date + (i %% 10) AS day,
                         (%s::date + (i %% 10))::timestamp AT TIME ZONE 'Asia/Shanghai'
                             + make_interval(hours => (i * 7) %% 24, secs => i %% 3600) AS cast_at
                  FROM generate_series(0, %s - 1) AS i) AS cast_in_order
            ORDER BY cast_at""",
                       [award_id, ids, voters, len(ids), first_voter, voters, first_day, first_day, count])
        cursor.execute("ANALYZE voting_vote")
    print(f"votes: {count:,} from {voters:,} voters for {len(ids)} candidates in {time.time() - started:.0f} s",
          flush=True)


def seed_survey(campaign, count):
    from django.db import transaction

    from wenming.core.roles import Role
    from wenming.registry.models import Community, Household
    from wenming.surveys.models import Assignment, Response
    from wenming.testing.factories import make_user

    communities = list(Community.objects.filter(name__contains="花园").order_by("pk"))
    surveyor = make_user("bench-surveyor", role=Role.SURVEYOR)
    with transaction.atomic():
        Household.objects.bulk_create([
            Household(community=c, building=str(b), unit="1", room=f"{r:03d}", key=f"{b}-1-{r:03d}", occupied=r % 10 != 0)
            for c in communities for b in range(1, 6) for r in range(1, 101)], batch_size=5000)
        Community.objects.filter(pk__in=[c.pk for c in communities]).update(total_households=500,
                                                                            occupied_households=450)
        Assignment.objects.bulk_create([Assignment(surveyor=surveyor, community=c, campaign=campaign) for c in communities])
        per = count // len(communities) + 1
        rows, n = [], 0
        for c in communities:
            for k in range(min(per, 500)):
                if n >= count:
                    break
                rows.append(Response(campaign=campaign, community=c, household=f"{1 + k // 100}-1-{1 + k % 100:03d}",
                                     answers={}, channel="surveyor", surveyor=surveyor, client_id=f"bench-{n}",
                                     recorded_at=campaign.starts_at, flagged_fast=n % 50 == 0))
                n += 1
        Response.objects.bulk_create(rows, batch_size=5000)
    print(f"survey: {len(rows):,} responses over {len(communities)} communities", flush=True)


def seed_experts(campaign, showcases, office):
    from django.db import transaction

    from wenming.core.roles import Role
    from wenming.judging.models import Assignment, Expert, Sheet
    from wenming.testing.factories import make_user

    rng = random.Random(5)
    with transaction.atomic():
        experts = [Expert.objects.create(user=make_user(f"bench-expert-{n}", role=Role.EXPERT,
                                                        display_name=f"专家{n:02d}"), employer_name="某大学")
                   for n in range(15)]
        assignments = Assignment.objects.bulk_create([
            Assignment(campaign=campaign, expert=experts[(i + k) % len(experts)], candidate=s, assigned_by=office)
            for i, s in enumerate(showcases) for k in range(5)])
        Sheet.objects.bulk_create([
            Sheet(assignment=a, total=f"{rng.uniform(60, 98):.1f}", submitted_at=campaign.starts_at)
            if rng.random() < 0.8 else Sheet(assignment=a) for a in assignments])


def seed_supervision(campaign, count, office):
    from django.db import transaction

    from wenming.registry.models import Community
    from wenming.supervision.models import Finding, Inspection, Interview, OrderState, RectificationOrder, RepeatProblem

    rng = random.Random(7)
    communities = list(Community.objects.order_by("pk"))
    actions = ["environment", "publicity", "equipment", "service", "volunteer"]
    states = [OrderState.ISSUED, OrderState.RECTIFYING, OrderState.EVIDENCE_SUBMITTED, OrderState.REINSPECTED,
              OrderState.CLOSED, OrderState.CLOSED, OrderState.OVERDUE]
    with transaction.atomic():
        picked = [rng.choice(communities) for _ in range(count)]
        inspections = Inspection.objects.bulk_create([
            Inspection(kind=rng.choice(["regular", "unannounced", "self"]), level="district", community=c,
                       district_id=c.district_id, company_id=c.company_id, inspector=office, state="submitted",
                       submitted_at=campaign.starts_at) for c in picked], batch_size=5000)
        findings = Finding.objects.bulk_create([
            Finding(inspection=i, action=actions[n % 5], item=f"X{n % 5}", passed=False, severity="minor")
            for n, i in enumerate(inspections)], batch_size=5000)
        RectificationOrder.objects.bulk_create([
            RectificationOrder(finding=f, community_id=f.inspection.community_id, district_id=f.inspection.district_id,
                               company_id=f.inspection.company_id, issued_by=office, workdays=10,
                               deadline=datetime.date(2019, 12, 1) + datetime.timedelta(days=n % 40),
                               state=states[n % len(states)]) for n, f in enumerate(findings)], batch_size=5000)
        repeats = RepeatProblem.objects.bulk_create([
            RepeatProblem(community_id=findings[n].inspection.community_id, district_id=findings[n].inspection.district_id,
                          company_id=findings[n].inspection.company_id, item="X0", first=findings[n],
                          repeat=findings[n + 1]) for n in range(0, min(600, len(findings) - 1), 2)])
        Interview.objects.bulk_create([
            Interview(problem=r, held_at=campaign.starts_at, attendees="经理", requirements="整改",
                      deadline=datetime.date(2019, 12, 20), recorded_by=office) for r in repeats])
    print(f"supervision: {count:,} inspections and orders, {len(repeats)} interviews", flush=True)


def seed_complaints(campaign, count):
    from django.db import transaction
    from django.utils import timezone

    from wenming.complaints import services
    from wenming.complaints.models import State, Ticket
    from wenming.registry.models import Community

    rng = random.Random(19)
    rules = services.spec(campaign)
    communities = list(Community.objects.order_by("pk"))
    now = timezone.now()
    bases = [now - datetime.timedelta(days=d, hours=h) for d in range(1, 60, 3) for h in (2, 9)]
    dues = {b: services.due_dates(campaign, rules, "normal", b) for b in bases}
    states = [State.FILED, State.RECEIVED, State.HANDLING, State.ANSWERED, State.FOLLOWED_UP, State.FOLLOWED_UP]
    rows = []
    for n in range(count):
        c, base, state = rng.choice(communities), bases[n % len(bases)], states[n % len(states)]
        done = state in (State.ANSWERED, State.FOLLOWED_UP)
        followed = state == State.FOLLOWED_UP
        fixed = followed and rng.random() < 0.8
        rows.append(Ticket(
            campaign=campaign, number=f"DASH{n:010d}", source="resident", community=c, company_id=c.company_id,
            district_id=c.district_id, phone="13900000000", urgency="normal", category="repair", description="楼道灯不亮",
            state=state, filed_at=base, **dues[base], received_in_time=rng.random() < 0.9 if state != State.FILED else None,
            answered_at=base + datetime.timedelta(days=1) if done else None,
            answered_in_time=rng.random() < 0.85 if done else None, fixed=fixed if followed else None,
            satisfaction=rng.choice([2, 3, 4, 5, 5]) if followed else None))
    with transaction.atomic():
        Ticket.objects.bulk_create(rows, batch_size=5000)
    print(f"complaints: {count:,} tickets", flush=True)


def seed_credit(campaign, office):
    from django.db import transaction

    from wenming.credit.models import CreditList, CreditRecord, ListEntry, Source
    from wenming.registry.models import Company

    companies = list(Company.objects.order_by("pk"))
    at = campaign.starts_at
    with transaction.atomic():
        CreditRecord.objects.bulk_create([
            CreditRecord(company=c, code="HONOR_CITY" if n % 3 else "FEE_INFO_UNDISCLOSED", name="记录",
                         points=3 if n % 3 else -5, source=Source.MANUAL, source_key=f"bench-{n}", valid_from=at,
                         valid_until=at + datetime.timedelta(days=3650)) for n, c in enumerate(companies)])
        listing = CreditList.objects.create(campaign=campaign, period="2019-11", as_of=at, computed_by=office,
                                            state=CreditList.State.PUBLISHED, published_at=at)
        ListEntry.objects.bulk_create([ListEntry(credit_list=listing, company=c, kind="red" if n % 2 else "black",
                                                 score=90, grade="A") for n, c in enumerate(companies[:40])])


def time_panels(campaign, scope, runs):
    from django.core.cache import cache

    from wenming.dashboard import panels

    figures = {}
    for key in panels.available(campaign):
        function = panels.PANELS[key]
        function(campaign, scope)  # warm: the campaign's parsed rules, connection, plans
        times = []
        for _ in range(runs):
            cache.clear()
            started = time.perf_counter()
            function(campaign, scope)
            times.append((time.perf_counter() - started) * 1000)
        figures[key] = statistics.median(times)
    return figures


def _timed(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True, help="PostgreSQL; the database is recreated")
    parser.add_argument("--votes", type=int, default=2_000_000)
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--inspections", type=int, default=5_000)
    parser.add_argument("--complaints", type=int, default=50_000)
    parser.add_argument("--hours", type=int, default=100_000, help="volunteer records")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    _recreate(args.database_url)
    setup_django(args.database_url)
    from django.db import connection

    from wenming.core.roles import Role
    from wenming.dashboard import panels, tally
    from wenming.registry.models import District
    from wenming.testing.factories import make_user

    started = time.time()
    campaign = volunteer_bench.seed(args.hours)
    office = make_user("bench-office", role=Role.OFFICE)
    seed_registry(campaign)
    showcases = seed_applications(campaign)
    seed_votes(campaign, showcases, args.votes)
    seed_survey(campaign, args.responses)
    seed_experts(campaign, showcases, office)
    seed_supervision(campaign, args.inspections, office)
    seed_complaints(campaign, args.complaints)
    seed_credit(campaign, office)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does in time: statistics, BRIN summaries
    print(f"data built in {time.time() - started:.0f} s; database: {connection.vendor}", flush=True)
    tallying = time.perf_counter()
    tallied = tally.refresh(campaign)  # what the scheduler's vote-tallying job does each hour
    print(f"votes tallied per hour: {tallied:,} in {time.perf_counter() - tallying:.1f} s (once; then an hour at a "
          f"time); a refresh with nothing new: {1000 * _timed(lambda: tally.refresh(campaign)):.1f} ms", flush=True)

    district = District.objects.get(name="海州区")
    worst = 0
    for scope in (panels.city_scope(), panels.Scope("district", district.name, district_id=district.pk, pk=district.pk)):
        figures = time_panels(campaign, scope, args.runs)
        worst = max(worst, *figures.values())
        print(f"panels, {scope.label}, uncached (median of {args.runs}): "
              + ", ".join(f"{k} {v:.1f} ms" for k, v in figures.items()), flush=True)

    cookie = session_cookie(office)
    with Server(env={"WENMING_SECRET_KEY": "bench-only-not-a-secret", "REDIS_URL": ""}) as server:
        headers = ("Cookie: " + cookie,)
        wrk(server.url("/dashboard/"), 2, args.connections, headers=headers)  # warm: each worker fills its cache
        wrk(server.url("/bench/hello/"), 2, args.connections)
        hello = wrk(server.url("/bench/hello/"), args.seconds, args.connections)
        report("hello-world", hello)
        floor = wrk(server.url("/bench/signed-in/"), args.seconds, args.connections, headers=headers)
        report("signed-in floor (session and user read, no page)", floor, hello)
        page = wrk(server.url("/dashboard/"), args.seconds, args.connections, headers=headers)
        report("dashboard, cached", page, hello)
    ratio = page["rps"] / hello["rps"]
    print(f"worst panel {worst:.1f} ms (target < 150); cached page {100 * ratio:.1f}% of hello-world (target ≥ 70%), "
          f"{100 * page['rps'] / floor['rps']:.1f}% of the signed-in floor")
    ok = worst < 150 and ratio >= 0.70 and page["non2xx"] == 0
    print("targets:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
