"""Short-lived counters shared by the server processes, for rate limits and risk signals.

`bump([(key, seconds), …])` adds 1 to each key and returns the new counts, in one round trip:
with REDIS_URL, one call of a small Lua script (INCR, then EXPIRE NX so the window starts at
the first hit; atomic, and a tenth of the client work of a pipeline of the same commands);
without it, a dictionary in this process (one process's view, as the memory cache would be,
but without pickling on the hot path)."""

import threading
import time

from django.conf import settings

from wenming.core import redisstore

_lock = threading.Lock()
_local = {}  # key -> [count, expires_at (monotonic)]
_PURGE_AT = 50_000
PREFIX = "wenming:count:"

# KEYS: the counters; ARGV: each one's window in seconds. Returns each count after this hit.
BUMP_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[i], 'NX')
end
return counts
"""


def bump(items):
    """[(key, seconds)] -> [count after this hit] in the same order."""
    if not items:
        return []
    if settings.REDIS_URL:
        return redisstore.client(settings.REDIS_URL).script(
            BUMP_SCRIPT, keys=[PREFIX + key for key, _ in items], args=[seconds for _, seconds in items])
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
