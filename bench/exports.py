"""Benchmark: a 100k-row export through the export hub's worker path (issue 21: streams with
progress, finishes < 10 s).

    .venv/bin/python bench/exports.py [--records 111200] [--database-url URL]

Seeds volunteer records as bench/volunteers.py does, then takes the hub's 志愿服务记录 export as
the office: `exports.services.take` queues a Job (the entry always runs in the worker), and the
task (`run_export_task`, called as the worker calls it) streams the rows into the job's file,
writing progress. Prints the time, the progress steps the job row showed, and the file size."""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import setup_django
from bench.votes import _recreate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=111_200)  # ≈ 100k confirmed
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.database_url:
        _recreate(args.database_url)
    setup_django(args.database_url)
    import tempfile

    from django.conf import settings
    from django.db import connection

    from bench.volunteers import seed
    from wenming.core.models import Job
    from wenming.core.roles import Role
    from wenming.exports import services
    from wenming.exports.registry import BY_KEY
    from wenming.testing.factories import make_user

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="wenming-bench-exports-")
    # Queue without running (as a page does); the task is then run here as the worker runs it.
    from django.test import override_settings

    override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}).enable()
    campaign = seed(args.records)
    print(f"database: {connection.vendor}", flush=True)
    office = make_user("bench-office", role=Role.OFFICE)
    steps = []
    original = Job.progress

    def watched(job, done=None, status=None, total=None):
        original(job, done=done, status=status, total=total)
        row = Job.objects.values_list("done", "total").get(pk=job.pk)  # what a polling page reads
        steps.append((round(time.perf_counter() - started, 2), *row))

    Job.progress = watched
    started = time.perf_counter()
    _, job = services.take(BY_KEY["volunteer_records"], user=office, campaign=campaign)
    queued = time.perf_counter() - started
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    started = time.perf_counter()
    services.run_export_task.call(job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    size = job.file.size
    print(f"queued in {queued:.2f} s (the page's part); then the worker's job "
          f"{job.get_status_display()}: {job.done:,} rows in "
          f"{elapsed:.2f} s, {size / 1e6:.1f} MB", flush=True)
    print(f"progress steps seen ({len(steps)}): " + ", ".join(
        f"{t}s {d * 100 // (n or 1)}%" for t, d, n in steps), flush=True)
    ok = job.status == Job.Status.SUCCEEDED and elapsed < 10 and len(steps) > 3
    print("target (100k rows through the worker with progress < 10 s):", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
