"""Shared fixtures: a loaded campaign and personas for every role (STYLE.md §9)."""

import os
import time

import pytest

from wenming.core.roles import Role
from wenming.testing import factories as f

REQUIRE_ALL = bool(os.environ.get("WENMING_REQUIRE_ALL") or os.environ.get("CI"))


def pytest_configure(config):
    os.environ.setdefault("WENMING_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
    config._wenming_skipped = []
    # WENMING_TEST_CLOCK=2029-02-28 runs the whole session on another day (the clock ticks on from
    # there), so a test that reads the real clock for a date it asserts on fails in CI, not in
    # December. Tests that travel themselves still do so from inside this one.
    moved = os.environ.get("WENMING_TEST_CLOCK")
    if moved:
        import time_machine

        config._wenming_clock = time_machine.travel(moved, tick=True)
        config._wenming_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_wenming_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    moved = os.environ.get("WENMING_TEST_CLOCK")
    return f"clock moved to {moved} (WENMING_TEST_CLOCK)" if moved else None


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are deselected (not skipped) on SQLite, Redis-only ones without
    REDIS_URL; CI runs both on its PostgreSQL pass, which has Redis as the shared cache.
    Tests on a pinned clock are deselected under WENMING_TEST_CLOCK (see below)."""
    from django.conf import settings
    from django.db import connection

    missing = {"postgres"} if connection.vendor != "postgresql" else set()
    if not settings.REDIS_URL:
        missing.add("redis")
    # Under WENMING_TEST_CLOCK, tests that pin their own clock for their whole run (the demo's
    # day, `demo_day`, or marked pinned_clock) would run exactly as in the run before: they are
    # deselected there, so the moved-clock runs spend their time on tests that read the clock.
    moved = bool(os.environ.get("WENMING_TEST_CLOCK"))

    def pinned(item):
        return "pinned_clock" in item.keywords or "demo_day" in getattr(item, "fixturenames", ())

    def left_out(item):
        return bool(missing & set(item.keywords)) or (moved and pinned(item))

    dropped = [item for item in items if left_out(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not left_out(item)]


def pytest_runtest_logreport(report):
    if report.skipped:
        import pytest as _pytest

        _pytest.wenming_skipped = [*getattr(_pytest, "wenming_skipped", []), report.nodeid]


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a browser or PostgreSQL test that did not run proves nothing."""
    skipped = getattr(pytest, "wenming_skipped", [])
    if REQUIRE_ALL and skipped and exitstatus == 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(f"FAILED: {len(skipped)} test(s) skipped under CI: " + ", ".join(skipped[:5]), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = tmp_path / "data"  # published bundles and other files never land in the checkout
    settings.DATA_DIR.mkdir()  # as settings.py makes it
    settings.OUTBOX_DIR = tmp_path / "outbox"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VERSIONS_DIR = tmp_path / "versions"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    from wenming.core import counters, versions

    cache.clear()
    counters.reset()
    versions.clear_memos()
    from wenming.core.identity.auth import resident_auth

    resident_auth.forget()


@pytest.fixture
def demo_day():
    """The day a demo test builds its demo on, with the clock on that day too (the demo acts
    through the real services, whose windows read the clock): 2026-11-26, 10:00 Beijing time,
    ticking. Inside WENMING_TEST_CLOCK's travel it still lands there (the innermost travel wins).
    Every browser test runs under it (tests_browser/conftest.py)."""
    import time_machine

    from wenming.testing.browser import DEMO_CLOCK, DEMO_DAY

    with time_machine.travel(DEMO_CLOCK):
        yield DEMO_DAY


@pytest.fixture
def campaign(db):
    from wenming.campaigns.services import load_preset

    campaign, _ = load_preset("lianyungang-2019")
    return campaign


@pytest.fixture
def world(campaign):
    """Two districts, two companies, a community and a worker in each: enough to test scope."""
    return f.make_world()


@pytest.fixture
def office(db):
    return f.make_user("office", role=Role.OFFICE)


@pytest.fixture
def haizhou_officer(world):
    return f.make_user("haizhou", role=Role.DISTRICT, district=world.haizhou)


@pytest.fixture
def lianyun_officer(world):
    return f.make_user("lianyun", role=Role.DISTRICT, district=world.lianyun)


@pytest.fixture
def company_a(world):
    return f.make_user("company_a", role=Role.COMPANY, company=world.company_a)


@pytest.fixture
def company_b(world):
    return f.make_user("company_b", role=Role.COMPANY, company=world.company_b)


@pytest.fixture
def expert(db):
    return f.make_user("expert1", role=Role.EXPERT)


@pytest.fixture
def surveyor(db):
    return f.make_user("surveyor1", role=Role.SURVEYOR)


@pytest.fixture
def outsider(world):
    """Signed in, but holding nothing of the world: a company of another district (赣榆区), none of
    whose records the other personas' objects belong to."""
    company = f.make_company(name="赣榆丙物业服务有限公司", district=f.make_district("赣榆区"))
    return f.make_user("outsider", role=Role.COMPANY, company=company)


@pytest.fixture
def resident(db):
    """A member of the public with a verified phone: `.phone` (what an SMS-verified page session
    holds, `.session(client)` keeps it) and `.token` (the API's bearer token), for `.resident`."""
    import datetime
    from types import SimpleNamespace

    from wenming.core.models import Resident, ResidentToken, hash_token

    phone = "13900139000"
    person = Resident.objects.create(phone=phone, consent_version="2019.1",
                                     consented_at=datetime.datetime(2019, 11, 1, tzinfo=datetime.UTC))
    raw = "resident-token-for-tests"
    ResidentToken.objects.create(resident=person, key_hash=hash_token(raw),
                                 expires_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))

    def session(client):
        from wenming.testing.factories import verified_session

        return verified_session(client, person)

    return SimpleNamespace(resident=person, phone=phone, token=raw, session=session)


@pytest.fixture(params=["UTC", "Asia/Shanghai"])
def server_tz(request):
    """The clock must not depend on the server's own time zone."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request, tmp_path_factory):
    """Browser runs drive a threaded live server. On SQLite they get a file database (WAL, busy
    timeout), so the server's threads wait for each other instead of failing with "database
    table is locked", as they can on the shared in-memory test database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    marks = request.config.getoption("-m") or ""
    if db["ENGINE"].endswith("sqlite3") and "browser" in marks and "not browser" not in marks:
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("browser-db") / "test.sqlite3")


@pytest.fixture
def fake_wechat(settings):
    """A local fake of WeChat's API (`wenming.testing.fake_wechat`: token, JS-SDK ticket,
    subscribe messages, OAuth), with settings.WECHAT pointing at it; no token of another test's
    fake in the cache."""
    from django.core.cache import cache

    from wenming.testing.fake_wechat import FakeWeChat

    cache.clear()
    with FakeWeChat() as fake:
        settings.WECHAT = fake.settings()
        yield fake
