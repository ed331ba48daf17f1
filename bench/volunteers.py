"""Benchmark: volunteer records at the scale of a city (issue 20 targets: totals per district over
100k records < 200 ms; the Excel export of 100k records < 10 s).

    .venv/bin/python bench/volunteers.py [--records 100000] [--runs 5] [--database-url URL]

Records are inserted directly (bulk) over three districts, 60 stations and 3,000 volunteers, on
activities of the last year: 90% confirmed, the rest signed up, signed out or objected. The timed
parts call what the pages call: `district_totals(campaign)` (minutes and distinct volunteers per
district in one grouped query; the median of `--runs`), and `exports.records_xlsx` over every
record (the office's export; one run)."""

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


def seed(count):
    from django.db import transaction
    from django.utils import timezone

    from wenming.campaigns.services import load_preset
    from wenming.core.roles import Role
    from wenming.registry.models import Community
    from wenming.testing.factories import make_company, make_district, make_user
    from wenming.volunteers.models import Activity, Record, RecordState, Station, Volunteer

    rng = random.Random(20)
    campaign, _ = load_preset("lianyungang-2019")
    now = timezone.now()
    started = time.time()
    with transaction.atomic():
        stations, organisers = [], {}
        for i, name in enumerate(("海州区", "连云区", "赣榆区")):
            district = make_district(name)
            company = make_company(district=district)
            organisers[company.pk] = make_user(f"bench-company-{i}", role=Role.COMPANY, company=company)
            communities = Community.objects.bulk_create([
                Community(name=f"{name}花园{n}期", district=district, company=company, total_households=600,
                          occupied_households=500) for n in range(20)])
            stations += Station.objects.bulk_create([
                Station(community=c, company=company, district=district, name=f"{c.name}志愿者服务站", contact_name="站长",
                        contact_phone="13800000000", hours="全天", registered_at=now) for c in communities])
        volunteers = Volunteer.objects.bulk_create([
            Volunteer(station=s, company_id=s.company_id, district_id=s.district_id, kind="resident",
                      name=f"志愿者{n}", phone=f"139{s.pk:04d}{n:04d}", consent_version="2019.1", consented_at=now,
                      joined_at=now) for s in stations for n in range(50)])
        by_station = {}
        for v in volunteers:
            by_station.setdefault(v.station_id, []).append(v)
        activities = []
        for s in stations:
            for n in range(count // len(stations) // 20 + 1):
                start = now - datetime.timedelta(days=rng.randrange(1, 365), hours=rng.randrange(0, 8))
                activities.append(Activity(campaign=campaign, station=s, company_id=s.company_id,
                                           district_id=s.district_id, kind="repair", title=f"义务维修第{n}期",
                                           content="检修水电", place="服务中心", starts_at=start,
                                           ends_at=start + datetime.timedelta(hours=2), places=50,
                                           organiser=organisers[s.company_id], created_at=start))
        activities = Activity.objects.bulk_create(activities, batch_size=2000)
    rows = []
    for activity in activities:
        for volunteer in rng.sample(by_station[activity.station_id], 20):
            if len(rows) >= count:
                break
            roll = rng.random()
            state = (RecordState.CONFIRMED if roll < 0.9 else RecordState.SIGNED_OUT if roll < 0.95
                     else RecordState.SIGNED_UP if roll < 0.98 else RecordState.OBJECTED)
            signed_in = activity.starts_at + datetime.timedelta(minutes=rng.randrange(0, 15))
            minutes = rng.randrange(30, 121)
            done = state != RecordState.SIGNED_UP
            rows.append(Record(
                campaign=campaign, volunteer=volunteer, activity=activity, station_id=activity.station_id,
                company_id=activity.company_id, district_id=activity.district_id, state=state,
                signed_up_at=activity.created_at, served_on=activity.starts_at,
                signed_in_at=signed_in if done else None,
                signed_out_at=signed_in + datetime.timedelta(minutes=minutes) if done else None,
                measured_minutes=minutes if done else None,
                minutes=minutes if state in (RecordState.CONFIRMED, RecordState.OBJECTED) else None,
                confirmed_how="organiser" if state in (RecordState.CONFIRMED, RecordState.OBJECTED) else "",
                confirmed_by=organisers[activity.company_id] if state in (RecordState.CONFIRMED, RecordState.OBJECTED)
                else None,
                confirmed_at=activity.ends_at + datetime.timedelta(hours=2)
                if state in (RecordState.CONFIRMED, RecordState.OBJECTED) else None))
        if len(rows) >= count:
            break
    with transaction.atomic():
        Record.objects.bulk_create(rows, batch_size=5000)
    print(f"seeded {Record.objects.count():,} records, {len(activities):,} activities, {len(volunteers):,} volunteers "
          f"in {time.time() - started:.1f} s", flush=True)
    return campaign


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.database_url:
        _recreate(args.database_url)
    setup_django(args.database_url)
    from django.db import connection

    from wenming.volunteers import exports, services
    from wenming.volunteers.models import Record

    campaign = seed(args.records)
    print(f"database: {connection.vendor}", flush=True)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        totals = services.district_totals(campaign)
        times.append(time.perf_counter() - started)
    totals_ms = statistics.median(times) * 1000
    confirmed = Record.objects.filter(state="confirmed").count()
    print(f"totals per district over {Record.objects.count():,} records ({confirmed:,} confirmed): "
          f"median {totals_ms:.1f} ms of {args.runs} runs; {len(totals)} districts", flush=True)
    started = time.perf_counter()
    content = exports.records_xlsx(Record.objects.all(), campaign)
    export_s = time.perf_counter() - started
    print(f"Excel export of {confirmed:,} confirmed records: {export_s:.2f} s, {len(content) / 1e6:.1f} MB", flush=True)
    ok = totals_ms < 200 and export_s < 10
    print("targets (totals < 200 ms, export < 10 s):", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
