"""The Django cache as what it is, an optimisation: a cache that is out of reach (Redis down or
slow) is a miss and the answer is built from the database, slower but right; what cannot be
stored is simply not kept. Readers of public pages keep working without Redis (core.outages).
A read that Redis answered ends a Redis outage in progress. `lock` and `fetch_once`: one
caller at a time across processes, for fetching what many callers would otherwise all fetch
(a WeChat access token)."""

import contextlib
import secrets
import time

from django.conf import settings
from django.core.cache import cache

from wenming.core import outages
from wenming.core.redisstore import UNREACHABLE


def get_or_build(key, build, seconds):
    """The cached value for `key`, or `build()` (stored for `seconds` when the cache answers).
    `build` may raise (nothing is stored); None is never cached."""
    try:
        value = cache.get(key)
    except UNREACHABLE:
        return build()
    if settings.REDIS_URL:
        outages.incidents.succeeded("redis")
    if value is None:
        value = build()
        if value is not None:
            try:
                cache.set(key, value, seconds)
            except UNREACHABLE:
                pass
    return value


@contextlib.contextmanager
def lock(key, hold):
    """True (held) or False (someone else holds it): a lock shared by every process through the
    cache (`cache.add`), which lapses after `hold` seconds if its holder dies. Released only by
    its holder."""
    token = secrets.token_hex(8)
    held = cache.add(key, token, hold)
    try:
        yield held
    finally:
        if held and cache.get(key) == token:
            cache.delete(key)


def fetch_once(key, read, fetch, *, wait, hold):
    """What `read()` finds (not None), else what `fetch()` returns, fetched by one caller at a
    time across every process (`lock(key, hold)`): the others read again every 50 ms for what
    the fetcher stored, for at most `wait` seconds, then return None. `read` may raise to stop
    waiting (a failure the fetcher recorded). A cache out of reach raises (redis-py's errors)."""
    deadline = time.monotonic() + wait
    while True:
        value = read()
        if value is not None:
            return value
        with lock(key, hold) as held:
            if held:
                return fetch()
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)
