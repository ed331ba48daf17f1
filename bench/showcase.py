"""Benchmark: the public showcase (issue target: the list of 50 candidates and a candidate
page at ≥ 70% of the same server's hello-world req/s; an uncached render < 30 ms).

    .venv/bin/python bench/showcase.py [--seconds 8] [--connections 16] [--database-url URL]

Prints req/s, p50/p99 and the ratio to hello-world for each page, then the server-side
time of uncached renders, and checks that a publication change is seen at once.
"""

import argparse
import statistics
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import Server, report, setup_django, wrk

CANDIDATES = 50


def seed():
    """50 published candidates with a photo each, made directly (this is load data)."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from wenming.awards.demo import photo
    from wenming.awards.models import Application, Attachment, Showcase, Status
    from wenming.campaigns.services import load_preset
    from wenming.core.uploads import clean_image
    from wenming.demo import build_registry

    campaign, _ = load_preset("lianyungang-2019")
    import random

    rng = random.Random(7)
    build_registry(rng)
    award = campaign.awards.get(key="model_community")
    from wenming.registry.models import Community

    for community in Community.objects.all()[:CANDIDATES]:
        application = Application.objects.create(
            campaign=campaign, award=award, channel="company", status=Status.CANDIDATE, community=community,
            company=community.company, district=community.district, applicant_name=community.company.name,
            full_name=community.name, narrative="示例" * 200, submitted_at=timezone.now())
        clean = clean_image(photo(community.name, rng), max_bytes=10 * 1048576)
        attachment = Attachment(application=application, kind="gate_photo", content_type=clean.content_type,
                                size=clean.size, sha256=clean.sha256)
        attachment.file.save(clean.content.name, ContentFile(clean.content.read()), save=False)
        attachment.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
        attachment.save()
        Showcase.objects.create(application=application, title=community.name, story="示例介绍。" * 80,
                                published_at=timezone.now() - datetime.timedelta(minutes=1))
    return Showcase.objects.order_by("pk").first()


def uncached_render_ms(showcase, runs=30):
    from django.core.cache import cache
    from django.test import RequestFactory

    from wenming.awards import public

    factory = RequestFactory()
    timings = {}
    for name, call in (("list (50 candidates)", lambda: public.showcase_list(factory.get("/showcase/?page_size=50"))),
                       ("candidate page", lambda: public.showcase_detail(factory.get("/"), showcase.pk))):
        samples = []
        call()  # the first render compiles the templates: not what a request costs
        for _ in range(runs):
            cache.clear()
            started = time.perf_counter()
            response = call()
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        timings[name] = (statistics.median(samples), max(samples))
    return timings


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    setup_django(args.database_url)
    showcase = seed()
    from django.db import connection

    print(f"database: {connection.vendor}; server: granian WSGI, 2 workers; wrk -c {args.connections}"
          f" -d {args.seconds}s; {CANDIDATES} published candidates")
    with Server() as server:
        for path in ("/showcase/", f"/showcase/{showcase.pk}/"):
            urllib.request.urlopen(server.url(path)).read()  # warm the caches of both workers
        hello = wrk(server.url("/bench/hello/"), args.seconds, args.connections)
        report("hello-world", hello)
        listing = wrk(server.url("/showcase/"), args.seconds, args.connections)
        report("showcase list", listing, hello)
        detail = wrk(server.url(f"/showcase/{showcase.pk}/"), args.seconds, args.connections)
        report("candidate page", detail, hello)
        # Never stale: unpublish through the service, and the very next request must 404.
        from wenming.awards import services
        from wenming.core.models import User

        office = User.objects.create(username="bench-office", role="office")
        from wenming.awards.models import Showcase
        services.set_published(showcase, False, actor=office)
        try:
            urllib.request.urlopen(server.url(f"/showcase/{showcase.pk}/"))
            stale = True
        except urllib.error.HTTPError as exc:
            stale = exc.code != 404
        print(f"after unpublishing, the cached page answers {'STALE 200' if stale else '404 at once'}")
    for name, (median, worst) in uncached_render_ms(Showcase.objects.filter(published_at__isnull=False).first()).items():
        print(f"uncached render {name:<22} median {median:5.1f} ms  max {worst:5.1f} ms  (target < 30 ms)")
    ok = (listing["rps"] >= 0.7 * hello["rps"] and detail["rps"] >= 0.7 * hello["rps"]
          and listing["non2xx"] == detail["non2xx"] == 0)
    print("targets:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
