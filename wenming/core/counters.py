"""Short-lived counters shared by the server processes, for rate limits and risk signals.

`bump([(key, seconds), …])` adds 1 to each key and returns the new counts, in one round trip:
with REDIS_URL, a Redis pipeline (INCR, then EXPIRE NX so the window starts at the first
hit); without it, a dictionary in this process (one process's view, as the memory cache
would be, but without pickling on the hot path)."""

import threading
import time
from functools import lru_cache

from django.conf import settings

_lock = threading.Lock()
_local = {}  # key -> [count, expires_at (monotonic)]
_PURGE_AT = 50_000


@lru_cache(maxsize=4)
def _redis(url):
    import redis

    return redis.Redis.from_url(url)


def bump(items):
    """[(key, seconds)] -> [count after this hit] in the same order."""
    if settings.REDIS_URL:
        pipe = _redis(settings.REDIS_URL).pipeline(transaction=False)
        for key, seconds in items:
            pipe.incr(f"wenming:count:{key}")
            pipe.expire(f"wenming:count:{key}", seconds, nx=True)
        return pipe.execute()[::2]
    now = time.monotonic()
    counts = []
    with _lock:
        if len(_local) > _PURGE_AT:
            for key in [k for k, (_, end) in _local.items() if end <= now]:
                del _local[key]
        for key, seconds in items:
            entry = _local.get(key)
            if entry is None or entry[1] <= now:
                entry = _local[key] = [0, now + seconds]
            entry[0] += 1
            counts.append(entry[0])
    return counts


def reset():
    """Forget every local count (tests)."""
    with _lock:
        _local.clear()
