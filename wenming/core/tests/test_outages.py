"""A database or Redis out of reach: 503 with Retry-After, in the API's shape under /api/ and a
Chinese page elsewhere, logged once per incident with a count, never a traceback per request."""

import logging
import sqlite3
from unittest import mock

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError, ProgrammingError, connection, transaction
from django.test import Client

from wenming.core import outages, redisstore
from wenming.core.outages import DatabaseStalled


class Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def logged():
    """What the outage and request loggers pass on (their filters applied), without pytest's
    log capture (CI runs with it off)."""
    kept = Kept()
    loggers = [logging.getLogger(name) for name in ("wenming.outages", "django.request")]
    for each in loggers:
        each.addHandler(kept)
    yield kept.records
    for each in loggers:
        each.removeHandler(kept)


@pytest.fixture
def down():
    """The database refuses every new cursor, as when the server is stopped."""
    outages.incidents.clear()
    with mock.patch.object(connection, "ensure_connection",
                           side_effect=OperationalError("connection refused")):
        yield
    outages.incidents.clear()


def assert_api_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "5" and "no-store" in response["Cache-Control"]
    assert response.json() == {"error": {"code": "unavailable", "message": "服务暂时不可用，请稍后再试"}}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/candidates", "/api/v1/leaderboard?category=model_community"])
def test_the_api_answers_503_in_its_error_shape(campaign, down, path):
    assert_api_503(Client(raise_request_exception=False).get(path))


@pytest.mark.django_db
def test_a_page_answers_a_chinese_503_page_without_asking_the_database(campaign, down):
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    text = response.content.decode()
    assert "服务暂时不可用" in text and "数据库暂时无法连接" in text and "Error" not in text


@pytest.mark.django_db
def test_an_outage_is_logged_once_with_a_count_and_its_end(campaign, down, logged):
    client = Client(raise_request_exception=False)
    for _ in range(5):
        assert client.get("/api/v1/candidates").status_code == 503
    assert [(r.name, r.getMessage()) for r in logged] == [
        ("wenming.outages", "database unavailable: OperationalError (answering 503 until it is back)")]
    assert not any(r.exc_info for r in logged)


def test_the_count_is_summed_up_each_minute_and_when_the_dependency_is_back(logged):
    now = [100.0]
    incidents = outages.Incidents(clock=lambda: now[0])
    for step in range(130):
        now[0] = 100.0 + step
        incidents.refused("redis", redis.ConnectionError("refused"))
    incidents.succeeded("database")  # another dependency answering ends nothing
    incidents.succeeded("redis")
    incidents.succeeded("redis")  # nothing open: nothing said
    assert [r.getMessage() for r in logged] == [
        "redis unavailable: ConnectionError (answering 503 until it is back)",
        "redis still unavailable after 60 s: 61 requests answered 503",
        "redis still unavailable after 120 s: 121 requests answered 503",
        "redis recovered after 130 failures (129 s)",
    ]


def wrapped(driver_error, wrapper=OperationalError):
    """A driver's error as Django raises it (DatabaseErrorWrapper: the driver's is the cause)."""
    try:
        try:
            raise driver_error
        except Exception as exc:
            raise wrapper(str(exc)) from exc
    except wrapper as exc:
        return exc


def pg(sqlstate, message="x"):
    return psycopg.errors.lookup(sqlstate)(message)


@pytest.mark.parametrize("error", [
    pg("08006", "server closed the connection"), pg("08001"), pg("57P01", "terminating connection due to "
    "administrator command"), pg("57P02"), pg("57P03", "the database system is starting up"),
    pg("53300", "sorry, too many clients already"),
    psycopg.OperationalError("connection failed: Connection refused"),
    psycopg.errors.ConnectionTimeout("connection timeout expired"),
    psycopg.OperationalError("the connection is closed"), psycopg.InterfaceError("the connection is lost"),
])
def test_a_lost_or_refused_postgresql_connection_is_an_outage(error):
    assert outages.failure_of(wrapped(error)) == ("database", outages.OUTAGE)
    assert outages.dependency_of(wrapped(error, InterfaceError)) == "database"


@pytest.mark.parametrize("error", [
    pg("42P01", 'relation "voting_vote" does not exist'), pg("40P01", "deadlock detected"),
    pg("23505", "duplicate key"), pg("40001", "could not serialize access"), pg("55P03", "lock not available"),
    psycopg.ProgrammingError("the query has 2 placeholders but 1 parameters were passed"),
])
def test_any_other_postgresql_error_is_a_bug(error):
    assert outages.failure_of(wrapped(error, ProgrammingError)) is None
    assert outages.failure_of(wrapped(error)) is None  # whatever Django wraps it as


def test_a_statement_timeout_is_busy_not_an_outage():
    assert outages.failure_of(wrapped(pg("57014", "canceling statement due to statement timeout"))) == (
        "database", outages.BUSY)
    assert outages.dependency_of(wrapped(pg("57014"))) is None


def sqlite_error(tmp_path, what):
    path = tmp_path / f"{what}.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE IF NOT EXISTS t (x)")
    other = sqlite3.connect(path, timeout=0)
    try:
        if what == "locked":
            holder.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO t VALUES (1)")
        elif what == "no such table":
            other.execute("SELECT * FROM missing")
        else:
            sqlite3.connect(tmp_path / "no" / "such" / "dir.sqlite3")
    except sqlite3.Error as exc:
        return exc
    finally:
        holder.close()
        other.close()
    raise AssertionError(what)


def test_sqlite_errors(tmp_path):
    assert outages.failure_of(wrapped(sqlite_error(tmp_path, "cannot open"))) == ("database", outages.OUTAGE)
    assert outages.failure_of(wrapped(sqlite_error(tmp_path, "no such table"))) is None
    # "database is locked": another writer held the lock past the busy timeout, as a statement
    # timeout on PostgreSQL.
    assert outages.failure_of(wrapped(sqlite_error(tmp_path, "locked"))) == ("database", outages.BUSY)


def test_what_counts_as_an_outage():
    render_failed = RuntimeError("render failed")
    render_failed.__cause__ = redis.TimeoutError("slow")
    assert outages.dependency_of(OperationalError("x")) == "database"  # no driver error: a stand-in for one
    assert outages.dependency_of(render_failed) == "redis"
    assert outages.dependency_of(redis.ConnectionError("refused")) == "redis"
    assert outages.dependency_of(redis.AuthenticationError("invalid password")) == "redis"
    assert outages.failure_of(redis.ResponseError("WRONGTYPE Operation against a key")) is None  # Redis answered
    assert outages.dependency_of(DatabaseStalled("stalled")) == "database"
    assert outages.dependency_of(ValueError("bug")) is None
    assert outages.dependency_of(None) is None


@pytest.mark.django_db
@pytest.mark.parametrize("error, status", [(pg("08006"), 503), (pg("42P01"), 500), (pg("40P01"), 500),
                                           (pg("57014"), 503)])
def test_only_an_outage_is_logged_without_its_traceback(campaign, logged, error, status):
    outages.incidents.clear()
    with mock.patch("wenming.campaigns.views.render", side_effect=wrapped(error)):
        response = Client(raise_request_exception=False).get("/")
    assert response.status_code == status
    tracebacks = [r for r in logged if r.name == "django.request" and r.exc_info]
    if error.sqlstate == "08006":
        assert response["Retry-After"] == "5" and "数据库暂时无法连接" in response.content.decode()
        assert not tracebacks and outages.incidents.open_kinds() == ["database"]
    elif status == 503:  # a statement timeout: the client may retry, the operator sees the statement
        assert response["Retry-After"] == "5" and "数据库繁忙" in response.content.decode()
        assert len(tracebacks) == 1 and not outages.incidents.open_kinds()
    else:
        assert "Retry-After" not in response and len(tracebacks) == 1 and not outages.incidents.open_kinds()
    outages.incidents.clear()


@pytest.mark.django_db
def test_an_incident_ends_only_when_the_database_is_used_again(campaign, logged):
    outages.incidents.clear()
    client = Client(raise_request_exception=False)
    with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("connection refused")):
        for _ in range(3):
            assert client.get("/api/v1/candidates").status_code == 503
        # Answers that need no database (a static file, a cached page, /healthz) end nothing.
        assert client.get("/healthz").status_code == 200
        assert client.get("/static/wenming/wx-share.js").status_code == 200
        assert outages.incidents.open_kinds() == ["database"]
    assert client.get("/api/v1/candidates").status_code == 200  # a query returned
    assert client.get("/api/v1/candidates").status_code == 200
    assert [r.getMessage() for r in logged if r.name == "wenming.outages"] == [
        "database unavailable: OperationalError (answering 503 until it is back)",
        "database recovered after 3 failures (0 s)"]
    assert not outages.incidents.open_kinds()


@pytest.mark.django_db
def test_a_redis_reply_ends_a_redis_incident(logged):
    outages.incidents.clear()
    outages.incidents.refused("redis", redis.ConnectionError("refused"))
    outages.incidents.succeeded("database")
    assert outages.incidents.open_kinds() == ["redis"]
    from wenming.core import cache

    cache.get_or_build("wenming:test:outage", lambda: 1, 5)  # the cache answered: maybe not Redis
    if settings.REDIS_URL:
        assert not outages.incidents.open_kinds()
        outages.incidents.refused("redis", redis.ConnectionError("refused"))
        redisstore.client(settings.REDIS_URL).call("PING")  # the counters' and versions' client
        assert not outages.incidents.open_kinds()
    else:
        assert outages.incidents.open_kinds() == ["redis"]  # the memory cache says nothing about Redis
    outages.incidents.clear()


@pytest.mark.django_db
def test_any_other_error_stays_a_500(campaign):
    with mock.patch("wenming.campaigns.views.render", side_effect=ValueError("bug")):
        response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500 and "Retry-After" not in response


@pytest.mark.postgres
@pytest.mark.django_db
def test_real_postgresql_errors_are_told_apart():
    def error_of(*statements):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        except Exception as exc:
            return exc
        raise AssertionError(statements)

    assert outages.failure_of(error_of("SELECT * FROM wenming_no_such_table")) is None  # 42P01: a bug
    timed_out = error_of("SET LOCAL statement_timeout = 50", "SELECT pg_sleep(2)")
    assert outages.failure_of(timed_out) == ("database", outages.BUSY)  # 57014
