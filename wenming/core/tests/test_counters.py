"""The shared counters behind rate limits and risk signals, on whichever store is configured
(a process dictionary on the SQLite pass, Redis on the PostgreSQL pass)."""

import time

from wenming.core import counters


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
