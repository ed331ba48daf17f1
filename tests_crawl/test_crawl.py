"""Every page of every demo phase, as every role and as a visitor, speaks Chinese and never answers 5xx.

The demo is built once and moved forward phase by phase (publicity → apply → review → voting →
expert → results), as `bootstrap.py demo --phase` does; each demo builder keeps what exists, so
phase N is the same data a fresh `--phase N` demo holds. The clock is frozen on the demo's day."""

import datetime
import os
import re
import time
from urllib.parse import unquote

import pytest
import time_machine

from tests_crawl.crawl import crawl, entry_urls
from wenming.core.demo_accounts import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db

PHASES = ["publicity", "apply", "review", "voting", "expert", "results"]
DAY = datetime.date(2026, 11, 26)
# One account of each role crawls every phase; the others of the same role (office2, lianyun, ganyu,
# company2, expert2–5) crawl the last phase, where the most pages exist. WENMING_CRAWL_ALL=1 crawls
# every account in every phase (slower).
FIRST_OF_ROLE = ["office", "haizhou", "company1", "expert1", "surveyor1"]
START_PAGES = ["/", "/workbench/", "/login/"]

# Strings that must never reach a reader: framework defaults, reprs, internal keys and codes.
DENIED = [
    (re.compile(r"Select an option|-{5,}"), "Django's blank choice"),
    (re.compile(r"\bobject \(\d+\)"), "a model repr"),
    (re.compile(r"\{'|'\}|\{\"|\[\s*'"), "a Python dict or list repr"),
    (re.compile(r"\b(None|True|False|nan|null|undefined)\b"), "a Python/JS value"),
    (re.compile(r"\b(live|daily|hidden|past|current|upcoming|pending|approved|draft)\b"), "a status key"),
    (re.compile(r"Asia/|UTC|GMT"), "a time zone name"),
    (re.compile(r"\b[A-Z]{2,3}\d+\b"), "a checklist code"),
    (re.compile(r"\b[a-z_]+\.[a-z_]+(\.[a-z_]+)*\b"), "an audit action or model label"),
    (re.compile(r"\b[a-z]+_[a-z_]+\b"), "an internal key"),
    (re.compile(r"Traceback|Exception|Error\b"), "an error dump"),
]
# Latin text a reader may legitimately see. Anything else with two or more Latin letters is a finding.
ALLOWED_WORDS = {
    "PDF", "Excel", "Word", "xlsx", "docx", "pdf", "png", "jpg", "IP", "QR", "ID", "API", "SMS", "TA",
    "SHA-256", "SHA256", "HTTPS", "WeChat", "H5", "Python", "wenming", "demo", "wenming-demo",
    *(username for username, _ in DEMO_ACCOUNTS),
}
ALLOWED_PATTERNS = [
    re.compile(r"[0-9a-f]{7,}"),             # a hash or seed shown for verification (lottery, results)
    re.compile(r"[0-9A-Z]{18}|[0-9A-Z]{9}"),  # 统一社会信用代码 / 组织机构代码
    re.compile(r"\d+(\.\d+){3}(/\d+)?"),      # an IP network under fraud review
]
LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-./:@]*")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _latin_findings(text):
    for token in LATIN.findall(text):
        token = token.rstrip(".:/-")
        if not re.search(r"[A-Za-z]{2}", token) or token in ALLOWED_WORDS:
            continue
        if any(p.fullmatch(token) for p in ALLOWED_PATTERNS):
            continue
        # "wenming lottery verify", "wenming votes verify --from-published" and similar
        # instructions: the command is allowed, its words too.
        if token.lower() in ("lottery", "votes", "results", "verify", "from-published", "seed"):
            continue
        yield token


def _context(text, needle):
    at = text.find(needle)
    return text[max(0, at - 40): at + len(needle) + 40] if at >= 0 else ""


def findings_of(page):
    """What a person must not meet on this page, as readable lines."""
    if page.status >= 500:
        yield f"answered {page.status}"
    if page.image and (page.status != 200 or not page.content_type.startswith("image/")):
        yield f"a picture on the page does not load ({page.status} {page.content_type})"
    if page.disposition and "filename" in page.disposition:
        names = re.findall(r"filename\*=UTF-8''([^;]+)", page.disposition, flags=re.I)
        if not names or not CJK.search(unquote(names[0])):
            yield f"download not named in Chinese (RFC 5987 filename*): {page.disposition}"
    if not page.text:
        return
    for pattern, what in DENIED:
        match = pattern.search(page.text)
        if match:
            yield f"{what}: «{_context(page.text, match.group())}»"
    words = sorted(set(_latin_findings(page.text)))
    if words:
        yield f"English or internal words {words[:8]}: «{_context(page.text, words[0])}»"


RESIDENT = "居民"


def _log_in(client, username, campaign):
    """A staff account by its session; the resident by a verified phone in the session, as the
    public forms leave it after the SMS code."""
    from django.utils import timezone

    from wenming.core.models import Resident, User
    from wenming.testing.factories import verified_session

    client.logout()
    if username == RESIDENT:
        resident, _ = Resident.objects.get_or_create(phone="13912345678", defaults={
            "consent_version": campaign.privacy_notice_version, "consented_at": timezone.now()})
        verified_session(client, resident)
    elif username:
        client.force_login(User.objects.get(username=username))


def known_records():
    """Pages that take a record no list links to for every role: a vote's receipt, an
    inspection's checklist."""
    from wenming.supervision.models import Inspection
    from wenming.voting.models import Vote

    urls = [f"/vote/receipt/{r}/" for r in Vote.objects.values_list("receipt", flat=True)[:1]]
    urls += [f"/supervision/inspections/{pk}/" for pk in
             Inspection.objects.filter(state="submitted").order_by("-submitted_at").values_list("pk", flat=True)[:2]]
    urls += [f"/supervision/inspections/{pk}/" for pk in
             Inspection.objects.filter(kind="unannounced", state="draft").values_list("pk", flat=True)[:1]]
    urls += ["/volunteers/me/", "/volunteers/check/"]  # a resident's volunteer record, the certificate check
    return urls


def secret_leaks(client, username, pages):
    """An unannounced inspection under way is invisible to the company it concerns: its pages are
    404, its photos too, and no page the company reached names its findings or links to it."""
    from wenming.core.models import User
    from wenming.supervision.models import Finding, Inspection, Photo

    user = User.objects.filter(username=username or "", role="company").first()
    if user is None:
        return
    for secret in Inspection.objects.filter(kind="unannounced", state="draft", company_id=user.company_id):
        links = (f"/supervision/inspections/{secret.pk}/", f"/supervision/inspections/{secret.pk}/report/")
        for url in links:
            if client.get(url).status_code != 404:
                yield f"the company opens the unannounced inspection under way at {url}"
        for photo in Photo.objects.filter(finding__inspection=secret):
            if client.get(photo.url).status_code != 404:
                yield f"the company sees a photo of the unannounced inspection under way {photo.url}"
        notes = [n for n in Finding.objects.filter(inspection=secret).values_list("note", flat=True) if n]
        for page in pages:
            if page.url.startswith(links) and page.status == 200:
                yield f"the crawl reached {page.url}"
            for note in notes:
                if note in (page.text or ""):
                    yield f"{page.url} shows the finding «{note}» of an unannounced inspection under way"


@pytest.mark.pinned_clock  # the whole crawl runs on the demo's day, clock stopped
def test_every_page_of_every_demo_phase_speaks_chinese_to_every_role(client, settings):
    from wenming.demo import build_demo

    settings.DEMO_MODE = True
    client.raise_request_exception = False  # a 500 is a finding of the crawl, not its end
    everyone = [u for u, _ in DEMO_ACCOUNTS]
    crawl_all = bool(os.environ.get("WENMING_CRAWL_ALL"))
    problems, visited, downloaded = {}, 0, set()
    started = time.perf_counter()
    with time_machine.travel(datetime.datetime(2026, 11, 26, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
                             tick=False):
        for phase in PHASES:
            campaign = build_demo(phase=phase, today=DAY)
            last = phase == PHASES[-1]
            accounts = everyone if crawl_all or last else FIRST_OF_ROLE
            starts = START_PAGES + entry_urls() + known_records()
            for username in [None, RESIDENT, *accounts]:
                _log_in(client, username, campaign)
                first_of_role = username in (None, RESIDENT, *FIRST_OF_ROLE)
                pages = crawl(client, starts, per_pattern=3 if first_of_role else 1, downloaded=downloaded)
                visited += len(pages)
                for leak in secret_leaks(client, username, pages):
                    problems.setdefault(("secret", leak), f"[{phase}] {username}: {leak}")
                for page in pages:
                    for finding in findings_of(page):
                        # One line per route and finding kind: the same template fails the same way.
                        problems.setdefault((page.route, finding.split(":")[0]), f"[{phase}] {username or '访客'} "
                                            f"GET {page.url} (linked from {page.referrer}): {finding}")
    elapsed = time.perf_counter() - started
    assert visited > 1000, f"the crawl reached only {visited} pages"
    assert not problems, f"{len(problems)} finding(s) over {visited} pages in {elapsed:.0f}s:\n" + "\n".join(
        problems.values())


def _page(text="", status=200, disposition=""):
    from tests_crawl.crawl import Page

    return Page("/x/", "x/", status, text, "text/html", disposition, None)


def test_the_checks_catch_each_kind_of_leak():
    from tests_crawl.crawl import visible_text_and_links

    leaks = ["- Select an option -", "Response object (1445)", "{'item': 'AD1'}", "None", "状态：live", "upcoming",
             "时区 Asia/Shanghai", "AD1 楼道", "awards.application.approved", "model_manager", "Submit"]
    for leak in leaks:
        assert list(findings_of(_page(f"申报 {leak} 通过"))), leak
    assert list(findings_of(_page("", status=500)))
    assert list(findings_of(_page(disposition='attachment; filename="inspection-1.pdf"')))
    assert not list(findings_of(_page(disposition="attachment; filename*=utf-8''%E5%AE%A1%E8%AE%A1.xlsx")))
    from tests_crawl.crawl import Page

    assert list(findings_of(Page("/files/x/", "<img>", 404, "", "text/html", "", "/a/", image=True)))
    assert not list(findings_of(Page("/files/x/", "<img>", 200, "", "image/jpeg", "", "/a/", image=True)))
    fine = "为TA投票 导出 Excel 打印（PDF） 913207005TA24MW24R 校验值 83f8b73bec5c 网段 100.64.0.0/24 office"
    assert not list(findings_of(_page(fine)))
    text, links = visible_text_and_links(
        '<p title="提示">看得见</p><script>var x = None;</script><input type="hidden" value="live">'
        '<button name="action" value="release">放行</button><a href="/next/">下一页</a>')
    assert text == "提示 看得见 放行 下一页" and links == ["/next/"]
