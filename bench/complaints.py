"""Benchmark: complaints at the scale of a city (issue 19 targets: filing without a photo ≥ 30%
of the same server's hello-world on PostgreSQL, rows == accepted after SIGKILL; the sweep over
100k open tickets < 5 s; the four rates for a district over 50k tickets < 150 ms).

    .venv/bin/python bench/complaints.py [--part filing|sweep|all] [--seconds 15] [--open 100000]
        [--district 50000] [--runs 9] [--database-url URL]

Filing: residents with bearer tokens POST /api/v1/complaints (form-encoded, each with its own
Idempotency-Key) through the production server (granian, 2 workers) from the exact load client
(bench/vote_client.py), 32 connections; hello-world on the same server before and after; then
the server is killed with SIGKILL and the tickets are counted against the 201 answers.

Tickets are inserted directly (bulk) over three districts and 60 communities, in every state,
with limits as the service computes them. Of the open ones, 2% have just passed a limit (owed a
reminder), 8% were reminded and wait for escalation, the rest are within their limits. The
timed parts call the services as the scheduler and the rates page do: `sweep(campaign)` (first
run, then a second with nothing owed) and `rates()` over one district's tickets."""

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import setup_django
from bench.votes import _recreate


def seed(open_count, district_count):
    from django.db import transaction
    from django.utils import timezone

    from wenming.campaigns.services import load_preset
    from wenming.complaints import services
    from wenming.complaints.models import State, Ticket, TicketEvent
    from wenming.core.roles import Role
    from wenming.registry.models import Community
    from wenming.testing.factories import make_company, make_district, make_user

    rng = random.Random(19)
    campaign, _ = load_preset("lianyungang-2019")
    rules = services.spec(campaign)
    now = timezone.now()
    with transaction.atomic():
        districts = [make_district(name) for name in ("海州区", "连云区", "赣榆区")]
        communities = []
        for i, district in enumerate(districts):
            company = make_company(district=district)
            make_user(f"bench-company-{i}", role=Role.COMPANY, company=company)
            make_user(f"bench-district-{i}", role=Role.DISTRICT, district=district)
            communities += Community.objects.bulk_create([
                Community(name=f"{district.name}花园{n}期", district=district, company=company, total_households=600,
                          occupied_households=500, completed_on=datetime.date(2010, 1, 1)) for n in range(20)])
    categories = [c.key for c in rules.categories]
    started, number = time.time(), 0

    def ticket(community, state, filed_at, **fields):
        nonlocal number
        number += 1
        urgency = services.effective_urgency(rules, fields["category"], "normal")
        dues = services.due_dates(campaign, rules, urgency, filed_at)
        return Ticket(campaign=campaign, number=f"BENCH{number:09d}", source="resident", community=community,
                      company_id=community.company_id, district_id=community.district_id, phone="13900000000",
                      urgency=urgency, description="楼道灯不亮", state=state, filed_at=filed_at, **dues, **fields)

    batch, events = [], []
    # open tickets: within limits (90%), just past a limit (2%), reminded and waiting (8%)
    for _ in range(open_count):
        roll = rng.random()
        community = rng.choice(communities)
        category = rng.choice(categories[4:])  # normal-urgency categories: limits in hours and working days
        if roll < 0.90:
            batch.append(ticket(community, State.FILED, now - datetime.timedelta(minutes=rng.randrange(600)),
                                category=category))
        else:
            batch.append(ticket(community, State.FILED, now - datetime.timedelta(hours=24, minutes=rng.randrange(1, 600)),
                                category=category))
            if roll >= 0.92:
                events.append(len(batch) - 1)
        if len(batch) == 5000:
            _flush(batch, events, now)
            batch, events = [], []
    _flush(batch, events, now)
    # closed tickets of one district, for the rates (plus its open ones above)
    district = districts[0]
    own = [c for c in communities if c.district_id == district.pk]
    have = Ticket.objects.filter(district=district).count()
    batch = []
    for _ in range(max(0, district_count - have)):
        filed_at = now - datetime.timedelta(days=rng.randrange(1, 90), minutes=rng.randrange(1440))
        fixed = rng.random() < 0.8
        batch.append(ticket(rng.choice(own), State.FOLLOWED_UP, filed_at, category=rng.choice(categories),
                            received_at=filed_at + datetime.timedelta(hours=2), received_in_time=rng.random() < 0.9,
                            answered_at=filed_at + datetime.timedelta(days=2), answered_in_time=rng.random() < 0.85,
                            followed_up_at=filed_at + datetime.timedelta(days=4), fixed=fixed,
                            satisfaction=rng.choice([2, 3, 4, 5, 5]) if fixed else 2))
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    print(f"data: {Ticket.objects.filter(state='filed').count():,} open tickets over 3 districts and "
          f"{len(communities)} communities, {TicketEvent.objects.count():,} reminders already sent; "
          f"{Ticket.objects.filter(district=district).count():,} tickets in {district.name} "
          f"(inserted in {time.time() - started:.0f} s)", flush=True)
    return campaign, district


def _flush(batch, reminded, now):
    from wenming.complaints.models import Ticket, TicketEvent

    Ticket.objects.bulk_create(batch)
    TicketEvent.objects.bulk_create([TicketEvent(ticket=batch[i], kind="reminded", step="receive", round=1, at=now,
                                                 public=False) for i in reminded])


def seed_residents(count):
    """Residents with API tokens (raw tokens returned), and communities to file for."""
    from django.utils import timezone

    from wenming.campaigns.services import load_preset
    from wenming.core.models import Resident, ResidentToken, hash_token
    from wenming.registry.models import Community
    from wenming.testing.factories import make_company, make_district

    campaign, _ = load_preset("lianyungang-2019")
    now = timezone.now()
    district = make_district("海州区")
    company = make_company(district=district)
    communities = Community.objects.bulk_create([
        Community(name=f"海州花园{n}期", district=district, company=company, total_households=600,
                  occupied_households=500, completed_on=datetime.date(2010, 1, 1)) for n in range(20)])
    residents = Resident.objects.bulk_create([Resident(phone=f"139{i:08d}", consent_version="2019.1", consented_at=now)
                                              for i in range(count)], batch_size=2000)
    raw = [f"bench-token-{i:06d}" for i in range(count)]
    ResidentToken.objects.bulk_create([ResidentToken(resident=r, key_hash=hash_token(t),
                                                     expires_at=now + datetime.timedelta(days=30))
                                       for r, t in zip(residents, raw, strict=True)], batch_size=2000)
    return campaign, [c.pk for c in communities], raw


def filing_requests(tokens, communities, count):
    """A `.http` file of `count` distinct filings (no key repeats: every 201 is a new ticket)."""
    import tempfile
    from urllib.parse import urlencode

    categories = ["repair", "sanitation", "greenery", "parking", "noise", "fees", "attitude", "other"]
    path = Path(tempfile.mkstemp(suffix=".http")[1])
    with path.open("wb") as fh:
        for i in range(count):
            body = urlencode({"community_id": communities[i % len(communities)], "as_new": "true",
                              "category": categories[i % len(categories)],
                              "description": f"楼道灯不亮已经三天了，第 {i} 件"}).encode()
            request = (b"POST /api/v1/complaints HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       b"Content-Type: application/x-www-form-urlencoded\r\nAuthorization: Bearer %s\r\n"
                       b"Idempotency-Key: bench-%d\r\nContent-Length: %d\r\n\r\n%s"
                       % (tokens[i % len(tokens)].encode(), i, len(body), body))
            fh.write(b"#%d\n%s" % (len(request), request))
    return path


def filing(args):
    import os
    import signal

    from django.db import connection

    from bench.common import Server, report, wrk
    from bench.votes import run_votes, warm_up
    from wenming.complaints.models import Ticket

    _, communities, tokens = seed_residents(5000)
    path = filing_requests(tokens, communities, 60_000)
    print(f"database: {connection.vendor}; server: granian WSGI; 5,000 residents, 20 communities", flush=True)
    server = Server(env={"WENMING_SECRET_KEY": "bench-only-not-a-secret", "REDIS_URL": ""}).__enter__()
    try:
        warm_up(server)
        before = wrk(server.url("/bench/hello/"), args.seconds, 32)
        report("hello-world c=32, before", before)
        result = run_votes(server, path, args.seconds, 32)
        after = wrk(server.url("/bench/hello/"), args.seconds, 32)
        report("hello-world c=32, after", after)
    finally:
        os.killpg(server.proc.pid, signal.SIGKILL)  # durability: no graceful shutdown
        server.proc.wait()
    hello = max(before, after, key=lambda r: r["rps"])
    accepted, rows = result["statuses"].get(201, 0), Ticket.objects.count()
    share = result["accepted_per_s"] / hello["rps"]
    print(f"filing c=32: {result['accepted_per_s']:.0f} filed/s, p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, "
          f"statuses {result['statuses']}; {100 * share:.1f}% of hello-world", flush=True)
    print(f"after SIGKILL of the server: rows {rows:,} vs accepted {accepted:,} -> "
          f"{'OK' if rows == accepted else 'MISMATCH'}")
    ok = share >= 0.30 and rows == accepted and result["errors"] == 0
    print("targets (filing ≥ 30% of hello-world, rows == accepted):", "PASS" if ok else "FAIL")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["filing", "sweep", "all"], default="all")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--district", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.database_url:
        _recreate(args.database_url)
    setup_django(args.database_url)
    if args.part in ("filing", "all"):
        filing(args)
        if args.part == "filing":
            return
        from wenming.complaints.models import Ticket

        Ticket.objects.all().delete()
    sweep_and_rates(args)


def sweep_and_rates(args):
    from django.db import connection

    from wenming.complaints import services
    from wenming.complaints.models import Ticket, TicketEvent

    campaign, district = seed(args.open, args.district)
    print(f"database: {connection.vendor}", flush=True)
    started = time.perf_counter()
    reminded, escalated = services.sweep(campaign)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = services.sweep(campaign)
    second = time.perf_counter() - started
    print(f"sweep over {Ticket.objects.filter(state='filed').count():,} open tickets: {first:.2f} s "
          f"({reminded:,} reminded, {escalated:,} escalated); again with nothing owed: {second:.2f} s {again}")
    from django.utils import timezone

    owed = Ticket.objects.filter(state="filed", receive_due__lt=timezone.now()).count()
    assert TicketEvent.objects.filter(kind="reminded").count() == owed, "each overdue ticket reminded once"
    queryset = Ticket.objects.filter(district=district)
    samples = []
    for _ in range(args.runs + 1):
        started = time.perf_counter()
        figures = services.rates(queryset)
        samples.append((time.perf_counter() - started) * 1000)
    median = statistics.median(samples[1:])
    print(f"rates for {district.name} over {queryset.count():,} tickets: median {median:.1f} ms, max "
          f"{max(samples[1:]):.1f} ms — " + "；".join(f"{r.name} {r.percent} ({r.numerator}/{r.denominator})"
                                                  for r in figures))
    ok = first < 5 and median < 150
    print("targets (sweep < 5 s, rates < 150 ms):", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
