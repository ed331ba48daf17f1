"""One Redis client (and connection pool) per URL for the process, shared by the counters and
the version tokens. Django's cache keeps its own."""

from functools import lru_cache


@lru_cache(maxsize=4)
def client(url):
    import redis

    return redis.Redis.from_url(url)
