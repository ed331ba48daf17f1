"""/healthz: alive, nothing touched; /readyz: database, Redis and disk, 503 with the kind of what
failed (never the error's text), and the task queue's lag as a figure that never fails it.
Neither is ever cached."""

import datetime
import shutil
from collections import namedtuple
from unittest import mock

import pytest
import redis
import time_machine
from django.db import OperationalError, connection
from django.test import Client
from django_tasks_db.models import DBTaskResult, get_date_max

from wenming.core import health, outages

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 11, 26, 4, 0, tzinfo=datetime.UTC)


def test_healthz_answers_without_the_database():
    with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("refused")):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_readyz_when_everything_answers():
    with time_machine.travel(NOON, tick=False):
        response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "queue", "disk"}
    assert body["checks"]["database"] == "ok" and body["checks"]["queue"] == "ok (lag 0 s)"
    assert body["queue_lag_seconds"] == 0


# What a driver says names the server and the account: none of it may reach the answer.
REFUSED = ('connection failed: connection to server at "db-7.internal.example" (10.20.30.40), port 5432 failed: '
           'FATAL:  password authentication failed for user "wenming_prod"')


def test_readyz_is_503_while_the_database_is_down_and_says_only_the_kind():
    with mock.patch.object(connection, "ensure_connection",
                           side_effect=OperationalError(REFUSED).with_traceback(None)):
        response = Client(raise_request_exception=False).get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "unavailable"
    assert body["checks"]["database"] == "unavailable (unreachable)"
    assert body["checks"]["queue"] == "unavailable (unreachable)" and body["queue_lag_seconds"] is None
    for secret in ("db-7", "10.20.30.40", "5432", "wenming_prod", "password", "FATAL"):
        assert secret not in response.content.decode()
    outages.incidents.clear()


def test_a_lagging_queue_is_a_figure_and_the_node_stays_ready():
    with time_machine.travel(NOON, tick=False):
        DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="wenming.x", queue_name="default",
                                    backend_name="default", run_after=get_date_max())
    with time_machine.travel(NOON + datetime.timedelta(minutes=4), tick=False):
        assert Client().get("/readyz").json()["checks"]["queue"] == "ok (lag 240 s)"
    with time_machine.travel(NOON + datetime.timedelta(minutes=6), tick=False):
        response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"  # a slow worker is no reason to drop a node
    assert body["checks"]["queue"] == "behind (lag 360 s)" and body["queue_lag_seconds"] == 360


def test_readyz_is_503_when_the_disk_is_nearly_full():
    usage = namedtuple("usage", "total used free")(10 * 2**30, 10 * 2**30 - 100 * 2**20, 100 * 2**20)
    with mock.patch.object(shutil, "disk_usage", return_value=usage):
        response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["disk"] == "low (100 MiB free)"


def test_readyz_is_503_when_redis_is_configured_and_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["redis"] == "unavailable (unreachable)"
    assert "127.0.0.1" not in response.content.decode()


def test_a_check_that_fails_otherwise_is_an_error_and_a_timeout_says_so():
    with mock.patch.dict(health.CHECKS, database=mock.Mock(side_effect=ValueError("secret detail"))):
        body = Client().get("/readyz").json()
    assert body["checks"]["database"] == "unavailable (error)"
    with mock.patch.dict(health.CHECKS, redis=mock.Mock(side_effect=redis.TimeoutError("Timeout reading 10.0.0.5"))):
        body = Client().get("/readyz").json()
    assert body["checks"]["redis"] == "unavailable (timeout)" and "10.0.0.5" not in str(body)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_only_get(path):
    assert Client().post(path).status_code == 405
