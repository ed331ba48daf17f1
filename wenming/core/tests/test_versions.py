import subprocess
import sys
import threading

import pytest
from django.core.signals import request_finished, request_started

from wenming.core import redisstore, versions


def test_every_bump_changes_the_token(settings):
    settings.REDIS_URL = ""
    seen = {versions.current("showcase")}
    for _ in range(3):
        token = versions.bump("showcase")
        assert versions.current("showcase") == token
        seen.add(token)
    assert len(seen) == 4
    assert versions.current("other") == versions.current("unknown")  # never bumped: the same start token


def test_another_process_sees_the_bump(settings):
    """The reason for the file: worker processes do not share a memory cache."""
    settings.REDIS_URL = ""
    token = versions.bump("showcase")
    code = "import pathlib, sys; print(pathlib.Path(sys.argv[1]).read_text())"
    seen = subprocess.run([sys.executable, "-c", code, str(settings.VERSIONS_DIR / "showcase")],
                          capture_output=True, text=True, check=True).stdout
    assert seen.strip() == token


@pytest.mark.redis
def test_with_redis_redis_holds_it_and_a_restart_never_brings_back_an_old_token(settings):
    store = redisstore.client(settings.REDIS_URL)
    store.call("DEL", versions.PREFIX + "showcase")
    start = versions.current("showcase")  # never bumped: the first reader's new token, for every reader
    assert versions.current("showcase") == start == store.call("GET", versions.PREFIX + "showcase").decode()
    first = versions.bump("showcase")
    assert first != start and versions.current("showcase") == first
    assert not (settings.VERSIONS_DIR / "showcase").exists()
    store.call("DEL", versions.PREFIX + "showcase")  # what a restart of a Redis without disk does
    assert versions.current("showcase") not in {start, first}  # nothing kept under `first` is served again
    store.call("DEL", versions.PREFIX + "showcase")


UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there


def test_without_redis_every_read_is_a_new_token_so_memos_compute_afresh(settings):
    settings.REDIS_URL = UNREACHABLE_REDIS
    memo, computed = versions.Memo("showcase"), []
    assert versions.current("showcase") != versions.current("showcase")
    for _ in range(3):
        assert memo.get("k", lambda: computed.append(1) or len(computed)) == len(computed)
    assert len(computed) == 3


@pytest.mark.redis
def test_a_bump_redis_missed_is_sent_with_the_next_read(settings):
    reachable = settings.REDIS_URL
    before = versions.current("showcase")
    settings.REDIS_URL = UNREACHABLE_REDIS
    versions.bump("showcase")  # the change is committed; Redis is down
    settings.REDIS_URL = reachable  # back, with its old token
    after = versions.current("showcase")
    assert after != before and versions.current("showcase") == after


def _bump_elsewhere(name):
    """A bump by another request (another thread: the snapshot is per thread)."""
    tokens = []
    thread = threading.Thread(target=lambda: tokens.append(versions.bump(name)))
    thread.start()
    thread.join()
    return tokens[0]


def _a_request_reads_once_sees_its_own_bumps_and_the_next_sees_others():
    before = versions.current("campaign")
    request_started.send(sender=None)
    try:
        assert versions.current("campaign") == before
        other = _bump_elsewhere("campaign")
        assert other != before
        assert versions.current("campaign") == before  # this request keeps its snapshot
        mine = versions.bump("campaign")
        assert mine not in {before, other} and versions.current("campaign") == mine  # but sees its own bump
    finally:
        request_finished.send(sender=None)
    assert versions.current("campaign") == mine  # outside a request: read afresh
    request_started.send(sender=None)
    try:
        later = _bump_elsewhere("campaign")
        assert versions.current("campaign") == later  # the next request sees the latest
    finally:
        request_finished.send(sender=None)


def test_a_request_reads_its_versions_once_and_sees_its_own_bumps(settings, db):  # db: the signals touch connections
    settings.REDIS_URL = ""
    _a_request_reads_once_sees_its_own_bumps_and_the_next_sees_others()


@pytest.mark.redis
def test_with_redis_a_request_reads_its_versions_once_and_sees_its_own_bumps(db):
    _a_request_reads_once_sees_its_own_bumps_and_the_next_sees_others()


def test_a_memo_recomputes_after_a_bump_and_not_before(settings):
    settings.REDIS_URL = ""
    calls = []
    memo = versions.Memo("campaign")

    def compute():
        calls.append(1)
        return len(calls)

    assert memo.get("k", compute) == 1
    assert memo.get("k", compute) == 1  # kept: no second computation
    versions.bump("campaign")
    assert memo.get("k", compute) == 2
    assert memo.get("missing", lambda: None) is None and memo.get("missing", lambda: 7) == 7  # None is not kept


def test_a_memo_with_seconds_recomputes_old_values(settings, monkeypatch):
    import time

    settings.REDIS_URL = ""
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    memo, calls = versions.Memo("campaign", seconds=1), []

    def compute():
        calls.append(1)
        return len(calls)

    assert memo.get("board", compute) == 1
    now[0] += 0.9
    assert memo.get("board", compute) == 1
    now[0] += 0.2
    assert memo.get("board", compute) == 2


def test_a_lazy_memo_sees_a_bump_within_its_seconds_without_reading_versions(settings, monkeypatch):
    import time

    settings.REDIS_URL = ""
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    memo, calls = versions.Memo("campaign", seconds=1, lazy=True), []

    def compute():
        calls.append(1)
        return len(calls)

    assert memo.get("board", compute) == 1
    versions.bump("campaign")
    reads = []
    monkeypatch.setattr(versions, "current", lambda name: reads.append(name) or "unused")
    assert memo.get("board", compute) == 1 and reads == []  # young: served as it is, nothing read
    monkeypatch.undo()
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    now[0] += 1.1
    assert memo.get("board", compute) == 2  # old: the bump is seen
    with pytest.raises(ValueError):
        versions.Memo("campaign", lazy=True)
