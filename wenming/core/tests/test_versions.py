import subprocess
import sys

from wenming.core import versions


def test_every_bump_changes_the_token(settings):
    settings.REDIS_URL = ""
    seen = {versions.current("showcase")}
    for expected in (2, 3, 4):
        assert versions.bump("showcase") == expected
        seen.add(versions.current("showcase"))
    assert len(seen) == 4
    assert versions.current("other") == versions.current("unknown")  # never bumped: the same start token


def test_another_process_sees_the_bump(settings):
    """The reason for the file: worker processes do not share a memory cache."""
    settings.REDIS_URL = ""
    versions.bump("showcase")
    code = ("import pathlib, sys; print(pathlib.Path(sys.argv[1]).read_text())")
    seen = subprocess.run([sys.executable, "-c", code, str(settings.VERSIONS_DIR / "showcase")],
                          capture_output=True, text=True, check=True).stdout
    assert int(seen) == 2


def test_with_a_shared_cache_the_cache_holds_it(settings):
    settings.REDIS_URL = "redis://shared"  # any value: the configured cache is what is used
    assert versions.current("showcase") == 1
    assert versions.bump("showcase") == 2
    assert not (settings.VERSIONS_DIR / "showcase").exists()


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
