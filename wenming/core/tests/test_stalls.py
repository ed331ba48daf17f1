"""A stalled PostgreSQL never hangs a request: the watchdog frees the requests waiting longer
than its patience when a fresh connection fails too, and leaves merely slow ones alone."""

import threading
import time

import pytest
from django.db import OperationalError, connection

from wenming.core.stalls import Watchdog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def wait_on_the_database(watchdog, seconds, outcome):
    started = time.monotonic()
    watchdog.enter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
        outcome.append(("answered", time.monotonic() - started))
    except OperationalError:
        outcome.append(("failed", time.monotonic() - started))
    finally:
        watchdog.leave()
        connection.close()


def run(watchdog, seconds):
    outcome = []
    thread = threading.Thread(target=wait_on_the_database, args=(watchdog, seconds, outcome))
    thread.start()
    thread.join(timeout=30)
    return outcome[0]


def test_a_request_waiting_on_a_stalled_database_fails_within_seconds(monkeypatch):
    watchdog = Watchdog(patience=1.0)
    monkeypatch.setattr(watchdog, "_answers", lambda wrapper: False)  # a fresh connection fails too: stalled
    kind, took = run(watchdog, 20)
    assert kind == "failed" and took < 5
    with pytest.raises(OperationalError):  # while it stays stalled, a new request does not even wait
        watchdog.enter()
    monkeypatch.setattr(watchdog, "_answers", lambda wrapper: True)  # it answers again
    deadline = time.monotonic() + 5
    while watchdog.stalled and time.monotonic() < deadline:
        time.sleep(0.1)
    watchdog.enter()
    watchdog.leave()


def test_a_slow_request_on_a_database_that_answers_is_left_alone():
    watchdog = Watchdog(patience=0.5)
    kind, took = run(watchdog, 3)  # the watchdog's probe connects: the database is only busy
    assert kind == "answered" and took >= 3
