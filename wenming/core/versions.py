"""Version counters shared by every server process, for cache keys that must never serve
stale content after a change (`current(name)` in the key, `bump(name)` after the commit).

With REDIS_URL the shared cache holds them. Without it (one machine, several worker
processes whose memory caches are separate) a small file per counter in the data dir does:
reading it costs microseconds, far less than a database query."""

import functools
import os
import threading
import time
import weakref

from django.conf import settings
from django.core.cache import cache

_lock = threading.Lock()


def _path(name):
    return settings.VERSIONS_DIR / name


@functools.lru_cache(maxsize=64)
def _path_text(directory, name):
    return os.fspath(directory / name)


def current(name):
    """An opaque token that changes with every bump (for cache keys). One stat() call: each
    bump replaces the file, so its inode and mtime change."""
    if settings.REDIS_URL:
        return cache.get_or_set(f"version:{name}", 1, None)
    try:
        st = os.stat(_path_text(settings.VERSIONS_DIR, name))
    except FileNotFoundError:
        return "0"
    return f"{st.st_ino}.{st.st_mtime_ns}"


_memos = weakref.WeakSet()


def clear_memos():
    """Forget every memoised value in this process (tests: each has its own database)."""
    for memo in list(_memos):
        memo.clear()


class Memo:
    """Small immutable values derived from the database (ids, frozen dataclasses), kept in this
    process's memory for as long as the named versions stay the same. Unlike the cache there
    is no pickling, which matters on the vote path; like it, a bump is seen by the next call.
    Values are shared between threads: never memoise a model instance or anything mutable.
    None is not kept (a miss is recomputed). With `seconds`, a value is also recomputed once
    it is that old (for data that changes without a bump, such as vote counts)."""

    def __init__(self, *names, seconds=None):
        self.names = names
        self.seconds = seconds
        self._token = None
        self._values = {}
        _memos.add(self)

    def clear(self):
        self._values, self._token = {}, None

    def get(self, key, compute):
        token = tuple(current(name) for name in self.names)
        if token != self._token:
            # Replaced, not cleared: a thread still holding the old dict only fills that one.
            self._values, self._token = {}, token
        values = self._values
        kept = values.get(key)
        now = time.monotonic()
        if kept is not None and (kept[1] is None or kept[1] > now):
            return kept[0]
        value = compute()
        if value is not None:
            values[key] = (value, None if self.seconds is None else now + self.seconds)
        return value


def _number(name):
    try:
        return int(_path(name).read_text() or 1)
    except (FileNotFoundError, ValueError):
        return 1


def bump(name):
    if settings.REDIS_URL:
        try:
            return cache.incr(f"version:{name}")
        except ValueError:
            cache.set(f"version:{name}", 2, None)
            return 2
    path = _path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        value = _number(name) + 1
        # Write then rename: a reader sees the old number or the new one, never a torn file.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(str(value))
        os.replace(tmp, path)
    return value
