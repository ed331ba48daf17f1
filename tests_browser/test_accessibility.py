"""axe-core (vendored, tests_browser/vendor/) finds no serious or critical accessibility
violation on the public pages and on the office's main pages, at phone size with demo data."""

from pathlib import Path

import pytest

from wenming.testing.browser import demo_site, log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def serious_violations(page):
    # Evaluated through the DevTools protocol: the site's CSP (rightly) refuses an injected <script>.
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def readable(violations):
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


def check(page, pages):
    """Every page is checked before the test fails, so one run lists all that is wrong."""
    report = []
    for url, name in pages:
        page.goto(url)
        page.shot(name)
        found = serious_violations(page)
        if found:
            report.append(f"{url}\n{readable(found)}")
    assert not report, "\n".join(report)


def test_public_pages_during_voting(phone, settings):
    demo_site(settings, "voting")
    from wenming.awards.models import Showcase

    candidate = Showcase.objects.filter(published_at__isnull=False).order_by("pk").first()
    check(phone, [("/", "home"), ("/showcase/", "showcase"), (f"/showcase/{candidate.pk}/", "candidate"),
                  ("/vote/leaderboard/", "leaderboard"), (f"/vote/{candidate.pk}/", "vote")])


def test_public_news_and_announcements(phone, settings):
    demo_site(settings, "voting", with_awards=False)
    from django.utils import timezone

    from wenming.campaigns.models import Announcement
    from wenming.publicity.models import NewsItem

    news = NewsItem.objects.filter(published_at__lte=timezone.now()).order_by("pk").first()
    announcement = Announcement.objects.order_by("pk").first()
    check(phone, [("/news/", "news"), (f"/news/{news.pk}/", "news-item"), ("/announcements/", "announcements"),
                  (f"/announcements/{announcement.pk}/", "announcement")])


def test_public_results_page(phone, settings):
    demo_site(settings, "results")
    check(phone, [("/results/", "results")])


def test_office_fraud_review_workbench_and_an_application(phone, settings):
    demo_site(settings, "voting")
    from wenming.awards.models import Application

    log_in(phone, "office")
    application = Application.objects.order_by("pk").first()
    check(phone, [("/workbench/", "workbench"), ("/office/votes/", "fraud-review"),
                  (f"/applications/{application.pk}/", "application")])


def test_dashboard_pages(phone, settings):
    """The office's board and its drill-down pages, and a district bureau's board (expert phase:
    every panel has numbers)."""
    demo_site(settings, "expert")
    from wenming.core.models import User
    from wenming.registry.models import Community, District

    district = District.objects.get(name="海州区")
    company = User.objects.get(username="company1").company
    community = Community.objects.filter(company=company, district=district).order_by("pk").first()
    log_in(phone, "office")
    check(phone, [("/dashboard/", "dashboard-city"), (f"/dashboard/district/{district.pk}/", "dashboard-district"),
                  (f"/dashboard/company/{company.pk}/", "dashboard-company"),
                  (f"/dashboard/community/{community.pk}/", "dashboard-community")])
    phone.context.clear_cookies()
    log_in(phone, "haizhou")
    check(phone, [("/dashboard/", "dashboard-bureau")])
