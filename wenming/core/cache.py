"""The Django cache as what it is, an optimisation: a cache that is out of reach (Redis down or
slow) is a miss and the answer is built from the database, slower but right; what cannot be
stored is simply not kept. Readers of public pages keep working without Redis (core.outages).
A read that Redis answered ends a Redis outage in progress."""

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
