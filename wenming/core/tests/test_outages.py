"""A database or Redis out of reach: 503 with Retry-After, in the API's shape under /api/ and a
Chinese page elsewhere, logged once per incident with a count, never a traceback per request."""

import logging
from unittest import mock

import pytest
import redis
from django.db import OperationalError, connection
from django.test import Client

from wenming.core import outages


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
    incidents.clear()
    incidents.clear()  # nothing open: nothing said
    assert [r.getMessage() for r in logged] == [
        "redis unavailable: ConnectionError (answering 503 until it is back)",
        "redis still unavailable after 60 s: 61 requests answered 503",
        "redis still unavailable after 120 s: 121 requests answered 503",
        "redis back after 129 s: 130 requests answered 503",
    ]


def test_what_counts_as_an_outage():
    wrapped = RuntimeError("render failed")
    wrapped.__cause__ = redis.TimeoutError("slow")
    assert outages.dependency_of(OperationalError("x")) == "database"
    assert outages.dependency_of(wrapped) == "redis"
    assert outages.dependency_of(ValueError("bug")) is None
    assert outages.dependency_of(None) is None


@pytest.mark.django_db
def test_any_other_error_stays_a_500(campaign):
    with mock.patch("wenming.campaigns.views.render", side_effect=ValueError("bug")):
        response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500 and "Retry-After" not in response
