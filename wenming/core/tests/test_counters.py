"""The shared counters behind rate limits and risk signals, on whichever store is configured
(a process dictionary on the SQLite pass, Redis on the PostgreSQL pass)."""

import time

import pytest

from wenming.core import counters, redisstore


def test_each_key_counts_its_own_hits_in_one_call():
    assert counters.bump([("a", 60), ("b", 60)]) == [1, 1]
    assert counters.bump([("a", 60), ("b", 60), ("c", 60)]) == [2, 2, 1]
    assert counters.bump([]) == []


def test_a_window_starts_at_its_first_hit_and_ends_after_its_seconds(settings, monkeypatch):
    settings.REDIS_URL = ""  # the local store: its clock can be moved
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    assert counters.bump([("w", 10)]) == [1]
    now[0] += 9
    assert counters.bump([("w", 10)]) == [2]  # a later hit does not extend the window
    now[0] += 1.5
    assert counters.bump([("w", 10)]) == [1]


@pytest.mark.redis
def test_on_redis_a_window_is_set_at_the_first_hit_and_a_later_hit_keeps_it(settings):
    store = redisstore.client(settings.REDIS_URL)
    key = counters.PREFIX + "ttl"
    store.call("DEL", key)
    assert counters.bump([("ttl", 100)]) == [1]
    assert 99 <= store.call("TTL", key) <= 100
    store.call("EXPIRE", key, 50)  # as if 50 seconds had passed
    assert counters.bump([("ttl", 100)]) == [2]
    assert 49 <= store.call("TTL", key) <= 50  # not extended
    store.call("DEL", key)


@pytest.mark.redis
def test_on_redis_counting_goes_on_after_a_restart_forgot_the_script(settings):
    store = redisstore.client(settings.REDIS_URL)
    store.call("DEL", counters.PREFIX + "again")
    assert counters.bump([("again", 60)]) == [1]
    store.call("SCRIPT", "FLUSH")  # what a Redis restart does to loaded scripts
    assert counters.bump([("again", 60)]) == [2]
    store.call("DEL", counters.PREFIX + "again")
