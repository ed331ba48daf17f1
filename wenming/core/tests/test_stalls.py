"""A stalled PostgreSQL never hangs a request: the watchdog frees the requests waiting longer
than its patience when a fresh connection fails too, and leaves merely slow ones alone."""

import socket
import threading
import time

import pytest
from django.db import OperationalError, connection

from wenming.core import stalls
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
    monkeypatch.setattr(watchdog, "_probe", lambda wrapper: stalls.STALLED)  # a fresh connection times out too
    kind, took = run(watchdog, 20)
    assert kind == "failed" and took < 5
    with pytest.raises(OperationalError):  # while it stays stalled, a new request does not even wait
        watchdog.enter()
    monkeypatch.setattr(watchdog, "_probe", lambda wrapper: stalls.ANSWERS)  # it answers again
    deadline = time.monotonic() + 5
    while watchdog.stalled and time.monotonic() < deadline:
        time.sleep(0.1)
    watchdog.enter()
    watchdog.leave()


def test_a_slow_request_on_a_database_that_answers_is_left_alone():
    watchdog = Watchdog(patience=0.5)
    kind, took = run(watchdog, 3)  # the watchdog's probe connects: the database is only busy
    assert kind == "answered" and took >= 3


def probing(watchdog, monkeypatch, **changes):
    """The watchdog's probes go to the same server with these connection settings changed."""
    monkeypatch.setattr(watchdog, "_params", lambda wrapper: {**Watchdog._params(wrapper), **changes})


def test_a_refused_probe_is_not_a_stall(monkeypatch):
    # The server answers the probe, with a refusal (as with "too many clients", a wrong password,
    # or "the database system is starting up"): nothing it holds is hung, so nothing is released
    # and the fail-fast mode stays off.
    watchdog = Watchdog(patience=0.5)
    probing(watchdog, monkeypatch, user="wenming_no_such_role")
    assert watchdog._probe(connection) == stalls.REFUSED
    watchdog._probed_at = 0.0
    kind, took = run(watchdog, 3)
    assert kind == "answered" and took >= 3 and not watchdog.stalled
    watchdog.enter()  # a new request is let through
    watchdog.leave()


def test_a_probe_nobody_answers_is_a_stall_and_a_refusal_ends_it(monkeypatch):
    with socket.socket() as silent:  # accepts connections (the kernel does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        watchdog = Watchdog(patience=0.5)
        probing(watchdog, monkeypatch, host="127.0.0.1", port=silent.getsockname()[1])
        started = time.monotonic()
        assert watchdog._probe(connection) == stalls.STALLED
        assert time.monotonic() - started < stalls.PROBE_TIMEOUT + 2
        watchdog._probed_at = 0.0
        kind, took = run(watchdog, 8)
        assert kind == "failed" and took < 6 and watchdog.stalled
    # The server answers again, if only to refuse: not stalled any more (what the requests then
    # meet is core.outages' to answer).
    probing(watchdog, monkeypatch, user="wenming_no_such_role")
    deadline = time.monotonic() + 10
    while watchdog.stalled and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not watchdog.stalled
