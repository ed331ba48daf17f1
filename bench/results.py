"""Benchmark: computing every score sheet (issue target: 500 candidates, 2,000,000 votes,
20,000 survey responses, 5 experts each, in < 5 s on SQLite and on PostgreSQL).

    .venv/bin/python bench/results.py [--database-url postgres://…/name]

Data are inserted directly (bulk SQL); the timed part is `results.services.compute` for the
award, run three times (the three answers must be byte-identical)."""

import argparse
import datetime
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import setup_django
from bench.votes import _drop, _recreate

CANDIDATES, VOTES, RESPONSES, EXPERTS, VOTERS = 500, 2_000_000, 20_000, 5, 4_000


def seed():
    from django.db import connection, transaction
    from django.utils import timezone

    from wenming.awards.models import Application, Showcase, Status
    from wenming.campaigns.services import demo_shift_days, load_preset, shift_campaign
    from wenming.core.models import Resident
    from wenming.core.roles import Role
    from wenming.judging.models import Assignment, Expert, Sheet
    from wenming.registry.models import Community
    from wenming.surveys.models import Response
    from wenming.testing.factories import make_company, make_district, make_user
    from wenming.voting.models import Vote, Voter

    rng = random.Random(5)
    campaign, _ = load_preset("lianyungang-2019")
    today = timezone.localdate(timezone.now(), campaign.tz)
    campaign = shift_campaign(campaign, demo_shift_days(campaign, "results", today))
    award = campaign.awards.get(key="model_community")
    office = make_user("bench-office", role=Role.OFFICE)
    now = timezone.now()
    with transaction.atomic():
        district = make_district("海州区")
        company = make_company(district=district)
        communities = Community.objects.bulk_create([
            Community(name=f"基准小区{i}", district=district, company=company, total_households=60,
                      occupied_households=50, completed_on=datetime.date(2010, 1, 1)) for i in range(CANDIDATES)])
        applications = Application.objects.bulk_create([
            Application(campaign=campaign, award=award, channel="company", status=Status.CANDIDATE, community=c,
                        company=company, district=district, applicant_name="x", full_name=c.name) for c in communities])
        shows = Showcase.objects.bulk_create([Showcase(application=a, title=a.full_name, story="介绍", published_at=now)
                                              for a in applications])
        experts = [Expert.objects.create(user=make_user(f"bench-expert{i}", role=Role.EXPERT)) for i in range(EXPERTS)]
        assignments = Assignment.objects.bulk_create([Assignment(campaign=campaign, expert=e, candidate=s,
                                                                 assigned_by=office) for s in shows for e in experts])
        Sheet.objects.bulk_create([Sheet(assignment=a, scores={}, version=1, total=f"{rng.uniform(55, 95):.1f}",
                                         submitted_at=now) for a in assignments], batch_size=2000)
        survey = campaign.rules["survey"]
        rows = []
        for n in range(RESPONSES):
            community = communities[n % CANDIDATES]
            answers = {q["key"]: rng.choice(q.get("choices") or survey["scale"]) for q in survey["questions"]}
            rows.append(Response(campaign=campaign, community=community, household=f"1-1-{n // CANDIDATES + 1}",
                                 answers=answers, channel="surveyor", client_id=f"bench-{n:08d}", recorded_at=now))
        Response.objects.bulk_create(rows, batch_size=2000)
        residents = Resident.objects.bulk_create([Resident(phone=f"13{i:09d}", consent_version="2019.1",
                                                           consented_at=now) for i in range(VOTERS)], batch_size=2000)
        voters = [v.pk for v in Voter.objects.bulk_create([Voter(resident=r) for r in residents], batch_size=2000)]
    table = Vote._meta.db_table
    sql = (f"INSERT INTO {table} (receipt, award_id, candidate_id, voter_id, day, slot, cast_at, channel, status, "  # noqa: S608
           "status_reason, ip) VALUES (%s, %s, %s, %s, %s, 1, %s, 'web', %s, '', NULL)")
    started, made, batch = time.time(), 0, []
    weights = [rng.random() for _ in shows]
    with connection.cursor() as cursor:
        day = datetime.date(2019, 11, 26)
        while made < VOTES:
            for voter in voters:
                for show, weight in zip(shows, weights, strict=True):
                    if made >= VOTES:
                        break
                    if rng.random() > weight:
                        continue
                    batch.append((secrets.token_hex(16), award.pk, show.pk, voter, day, now,
                                  "counted" if rng.random() > 0.02 else "quarantined"))
                    made += 1
                    if len(batch) == 20000:
                        cursor.executemany(sql, batch)
                        batch = []
            day += datetime.timedelta(days=1)
        if batch:
            cursor.executemany(sql, batch)
    print(f"data: {CANDIDATES} candidates, {Vote.objects.count():,} votes (inserted in {time.time() - started:.0f} s), "
          f"{Response.objects.count():,} survey responses, {Sheet.objects.count():,} submitted expert sheets", flush=True)
    return campaign, award, office


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.database_url:
        _recreate(args.database_url)
    setup_django(args.database_url)
    from django.db import connection

    from wenming.results import services

    campaign, award, office = seed()
    timings, bodies = [], set()
    for _ in range(3):
        started = time.perf_counter()
        run = services.compute(campaign, award, office)
        timings.append(time.perf_counter() - started)
        bodies.add((run.body, run.input_hash))
    vendor = connection.vendor
    print(f"database: {vendor}; compute all {CANDIDATES} sheets: " + ", ".join(f"{t:.2f} s" for t in timings)
          + f" (median {statistics.median(timings):.2f} s; target < 5 s); identical answers: {len(bodies) == 1}")
    print("targets:", "PASS" if max(timings) < 5 and len(bodies) == 1 else "FAIL")
    if args.database_url:
        connection.close()
        _drop(args.database_url)


if __name__ == "__main__":
    main()
