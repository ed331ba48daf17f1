"""Version counters shared by every server process, for cache keys that must never serve
stale content after a change (`current(name)` in the key, `bump(name)` after the commit).

With REDIS_URL the shared cache holds them. Without it (one machine, several worker
processes whose memory caches are separate) a small file per counter in the data dir does:
reading it costs microseconds, far less than a database query."""

import os
import threading

from django.conf import settings
from django.core.cache import cache

_lock = threading.Lock()


def _path(name):
    return settings.VERSIONS_DIR / name


def current(name):
    """An opaque token that changes with every bump (for cache keys). One stat() call: each
    bump replaces the file, so its inode and mtime change."""
    if settings.REDIS_URL:
        return cache.get_or_set(f"version:{name}", 1, None)
    try:
        st = os.stat(_path(name))
    except FileNotFoundError:
        return "0"
    return f"{st.st_ino}.{st.st_mtime_ns}"


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
