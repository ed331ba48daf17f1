"""/healthz: alive, nothing touched; /readyz: database, Redis, task queue lag and disk, 503 with
what failed. Neither is ever cached."""

import datetime
import shutil
from collections import namedtuple
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client
from django_tasks_db.models import DBTaskResult, get_date_max

from wenming.core import outages

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


def test_readyz_is_503_while_the_database_is_down():
    with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("refused")):
        response = Client(raise_request_exception=False).get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("unavailable (database)")
    outages.incidents.clear()


def test_readyz_is_503_when_the_queue_falls_behind():
    with time_machine.travel(NOON, tick=False):
        DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="wenming.x", queue_name="default",
                                    backend_name="default", run_after=get_date_max())
    with time_machine.travel(NOON + datetime.timedelta(minutes=4), tick=False):
        assert Client().get("/readyz").json()["checks"]["queue"] == "ok (lag 240 s)"
    with time_machine.travel(NOON + datetime.timedelta(minutes=6), tick=False):
        response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["queue"] == "unavailable (RuntimeError): lag 360 s"


def test_readyz_is_503_when_the_disk_is_nearly_full():
    usage = namedtuple("usage", "total used free")(10 * 2**30, 10 * 2**30 - 100 * 2**20, 100 * 2**20)
    with mock.patch.object(shutil, "disk_usage", return_value=usage):
        response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["disk"] == "unavailable (RuntimeError): 100 MiB free"


def test_readyz_is_503_when_redis_is_configured_and_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["redis"].startswith("unavailable (redis)")


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_only_get(path):
    assert Client().post(path).status_code == 405
