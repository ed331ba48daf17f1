"""Benchmark: importing registry rows from Excel (issue target: 1,000 rows in under 10 s).

    .venv/bin/python bench/registry_import.py [--rows 1000] [--database-url postgres://...]

Without --database-url it runs on a fresh SQLite database in a temporary data dir. With
one, it uses that server but a database of its own (NAME_bench), created and dropped here.
Prints the full import (validation of every row through the page form, all-or-nothing
write, one audit entry per record) and, as the same stack's baseline, reading the same
file with openpyxl and a bare bulk_create of the same rows, with the ratio between them.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="wenming-bench-")
    os.environ["WENMING_DATA_DIR"] = data_dir
    os.environ["WENMING_TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
    os.environ["WENMING_DEBUG"] = "0"
    os.environ["WENMING_SECRET_KEY"] = "bench-only"
    os.environ["WENMING_PHONE_KEYS"] = "YmVuY2gtb25seS1ub3QtYS1zZWNyZXQtcGhvbmUta2U="  # bench-only (core.fields)
    os.environ["WENMING_PHONE_HASH_KEYS"] = "bench-only-not-a-secret-phone-hash-key"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url.rstrip("/") + "_bench"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        _recreate_pg_database(connection)
    call_command("migrate", verbosity=0)
    try:
        run(args.rows)
    finally:
        if connection.vendor == "postgresql":
            connection.close()
            _drop_pg_database(connection)


def run(rows):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from wenming.campaigns.services import load_preset
    from wenming.core.excel import read_rows
    from wenming.core.models import Job, User
    from wenming.core.roles import Role
    from wenming.registry.importing import run_import, start_import
    from wenming.registry.models import Community, Company, District
    from wenming.registry.resources import COMMUNITIES
    from wenming.testing.factories import make_company, xlsx

    load_preset("lianyungang-2019")
    office = User.objects.create(username="bench-office", role=Role.OFFICE)
    districts = list(District.objects.all())
    companies = [make_company(district=districts[i % 3]) for i in range(20)]
    headers = [c.header for c in COMMUNITIES.columns]
    body = [[f"基准小区{i:05d}", districts[i % len(districts)].name, f"街道{i % 9}", "", f"示例路 {i} 号",
             companies[i % len(companies)].credit_code, "2012-06-30", 600 + i % 300, 400 + i % 200, ""]
            for i in range(rows)]
    content = xlsx(headers, body).getvalue()

    started = time.perf_counter()
    job = start_import(COMMUNITIES, SimpleUploadedFile("bench.xlsx", content), actor=office)
    job = run_import(job.pk)
    full = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.report
    assert Community.objects.filter(name__startswith="基准小区").count() == rows

    started = time.perf_counter()
    with transaction.atomic():
        import io

        parsed = list(read_rows(io.BytesIO(content)))[1:]
        by_name = {d.name: d for d in districts}
        by_code = {c.credit_code: c for c in Company.objects.all()}
        Community.objects.bulk_create([
            Community(name=f"基线{r[0]}", district=by_name[r[1]], company=by_code[r[5]], total_households=r[7],
                      occupied_households=r[8]) for _, r in parsed])
        transaction.set_rollback(True)
    baseline = time.perf_counter() - started

    print(f"database:            {Community.objects.db}/{__import__('django.db').db.connection.vendor}")
    print(f"rows:                {rows}")
    print(f"full import:         {full:.2f} s  ({rows / full:.0f} rows/s)")
    print(f"baseline (read+bulk): {baseline:.2f} s  ({rows / baseline:.0f} rows/s)")
    print(f"ratio full/baseline: {full / baseline:.1f}x")
    target = 10 * rows / 1000
    print(f"target:              < {target:.0f} s  -> {'PASS' if full < target else 'FAIL'}")


def _recreate_pg_database(connection):
    import psycopg

    name = connection.settings_dict["NAME"]
    with psycopg.connect(_admin_dsn(connection), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def _drop_pg_database(connection):
    import psycopg

    with psycopg.connect(_admin_dsn(connection), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{connection.settings_dict["NAME"]}"')


def _admin_dsn(connection):
    s = connection.settings_dict
    return f"host={s['HOST']} port={s['PORT'] or 5432} user={s['USER']} password={s['PASSWORD']} dbname=postgres"


if __name__ == "__main__":
    main()
