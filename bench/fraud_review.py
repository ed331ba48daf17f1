"""Benchmark: the office's fraud review page with 50,000 quarantined votes (issue 17 target:
renders in < 500 ms).

    .venv/bin/python bench/fraud_review.py [--quarantined 50000] [--counted 50000] [--runs 15] [--database-url URL]

Votes are inserted directly (bulk SQL) with a realistic spread: 40 candidates of unequal
appeal, 600 /24 networks of very unequal size, the four risk signals (burst, a network's daily
share, night-time, virtual-operator numbers) over the ten voting days, beside counted votes.
The timed part is a signed-in office member's GET /office/votes/ (and one filtered view) on the
production server (granian, the app's middleware), sequentially, against the same server's
hello-world page."""

import argparse
import datetime
import random
import secrets
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import Server, session_cookie, setup_django
from bench.votes import _recreate

CANDIDATES, NETWORKS, VOTERS, DAYS = 40, 600, 20_000, 10
SIGNALS = (  # (share, reason template, hours)
    (0.40, "同一网段短时间内集中投票（{net}）", range(8, 23)),
    (0.30, "同一网段（{net}）当日投票集中", range(7, 24)),
    (0.10, "夜间同一网段集中投票（{net}）", range(1, 5)),
    (0.20, "虚拟运营商号段", range(0, 24)),
)


def seed(quarantined, counted):
    from django.db import connection, transaction
    from django.utils import timezone

    from wenming.awards.models import Application, Showcase, Status
    from wenming.campaigns.services import demo_shift_days, load_preset, shift_campaign
    from wenming.core.models import Resident
    from wenming.core.roles import Role
    from wenming.registry.models import Community
    from wenming.testing.factories import make_company, make_district, make_user
    from wenming.voting.models import Vote, Voter
    from wenming.voting.services import net24, rebuild_tally

    rng = random.Random(17)
    campaign, _ = load_preset("lianyungang-2019")
    today = timezone.localdate(timezone.now(), campaign.tz)
    campaign = shift_campaign(campaign, demo_shift_days(campaign, "voting", today))
    award = campaign.awards.get(key="model_community")
    office = make_user("bench-office", role=Role.OFFICE)
    now = timezone.now()
    with transaction.atomic():
        district = make_district("海州区")
        company = make_company(district=district)
        communities = Community.objects.bulk_create([
            Community(name=f"新城花园{i}期", district=district, company=company, total_households=600,
                      occupied_households=500, completed_on=datetime.date(2010, 1, 1)) for i in range(CANDIDATES)])
        applications = Application.objects.bulk_create([
            Application(campaign=campaign, award=award, channel="company", status=Status.CANDIDATE, community=c,
                        company=company, district=district, applicant_name="x", full_name=c.name) for c in communities])
        shows = [s.pk for s in Showcase.objects.bulk_create([
            Showcase(application=a, title=a.full_name, story="介绍", published_at=now) for a in applications])]
        residents = Resident.objects.bulk_create([Resident(phone=f"13{i:09d}", consent_version="2019.1",
                                                           consented_at=now) for i in range(VOTERS)], batch_size=2000)
        voters = [v.pk for v in Voter.objects.bulk_create([Voter(resident=r) for r in residents], batch_size=2000)]
    candidate_weights = [1 / (i + 1) ** 0.8 for i in range(CANDIDATES)]
    network_weights = [1 / (i + 1) ** 1.1 for i in range(NETWORKS)]
    networks = [f"100.{64 + i // 250}.{i % 250}" for i in range(NETWORKS)]
    opens = now.astimezone(campaign.tz).replace(hour=0, minute=0, second=0, microsecond=0) - datetime.timedelta(
        days=DAYS - 1)
    table = Vote._meta.db_table
    sql = (f"INSERT INTO {table} (receipt, award_id, candidate_id, voter_id, day, slot, cast_at, channel, status, "  # noqa: S608
           "status_reason, ip) VALUES (%s, %s, %s, %s, %s, 1, %s, 'web', %s, %s, %s)")
    started, taken, batch = time.time(), set(), []

    def add(status):
        while True:
            candidate = rng.choices(shows, candidate_weights)[0]
            voter, day = rng.choice(voters), rng.randrange(DAYS)
            if (voter, candidate, day) not in taken:
                taken.add((voter, candidate, day))
                break
        reason, hours = "", range(7, 24)
        if status == "quarantined":
            _, reason, hours = rng.choices(SIGNALS, [share for share, _, _ in SIGNALS])[0]
        network = rng.choices(networks, network_weights)[0]
        ip = f"{network}.{rng.randrange(1, 255)}"
        cast_at = opens + datetime.timedelta(days=day, hours=rng.choice(hours), seconds=rng.randrange(3600))
        batch.append((secrets.token_hex(16), award.pk, candidate, voter, cast_at.date(), cast_at.astimezone(datetime.UTC), status,
                      reason.format(net=net24(ip)), ip))

    with connection.cursor() as cursor:
        for status, count in (("quarantined", quarantined), ("counted", counted)):
            for _ in range(count):
                add(status)
                if len(batch) == 10000:
                    cursor.executemany(sql, batch)
                    batch = []
        if batch:
            cursor.executemany(sql, batch)
    rebuild_tally()
    print(f"data: {CANDIDATES} candidates, {NETWORKS} /24 networks, "
          f"{Vote.objects.filter(status='quarantined').count():,} quarantined and "
          f"{Vote.objects.filter(status='counted').count():,} counted votes over {DAYS} days "
          f"(inserted in {time.time() - started:.0f} s)", flush=True)
    return campaign, office


def timed(url, cookie, runs):
    """Median and worst wall time (ms) of sequential GETs, after one warm-up request."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    samples = []
    for i in range(runs + 1):
        started = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            body = response.read()
            status = response.status
        if i:
            samples.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return statistics.median(samples), max(samples), body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quarantined", type=int, default=50_000)
    parser.add_argument("--counted", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.database_url:
        _recreate(args.database_url)
    setup_django(args.database_url)
    from django.db import connection

    _, office = seed(args.quarantined, args.counted)
    cookie = session_cookie(office)
    print(f"database: {connection.vendor}; server: granian WSGI (the app's middleware); {args.runs} sequential "
          "requests each, after one warm-up", flush=True)
    with Server() as server:
        hello = timed(server.url("/bench/hello/"), cookie, args.runs)
        page = timed(server.url("/office/votes/"), cookie, args.runs)
        filtered = timed(server.url("/office/votes/?signal=burst&page=2"), cookie, args.runs)
    assert "可疑集群".encode() in page[2] and b"login" not in page[2][:200]
    print(f"hello-world                    median {hello[0]:7.1f} ms  max {hello[1]:7.1f} ms")
    for name, (median, worst, _) in (("fraud review page", page), ("filtered, second page", filtered)):
        print(f"{name:<30} median {median:7.1f} ms  max {worst:7.1f} ms  ({median / hello[0]:.0f}× hello-world)")
    ok = page[0] < 500 and filtered[0] < 500
    print("target (< 500 ms):", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
