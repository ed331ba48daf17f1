"""Redis for the vote's own hot path: the shared counters (`core.counters`) and version tokens
(`core.versions`). Django's cache keeps its own client (redis-py too, through Django's backend).

redis-py's own `Connection` (its hiredis parser when hiredis is installed), one per thread: a
vote makes two calls, and the `Redis` client's per-command machinery (pool, retry wrapper,
observability hooks) costs several times the round trip's own client work here, while a bare
connection costs about what a hand-written one did. The URL is read by redis-py
(`redis://`, `rediss://` with its TLS options, `unix://`; user, password and database).

    client = redisstore.client("redis://:secret@10.0.0.5:6379/0")
    client.call("MGET", "a", "b")               # [b"…", None]
    client.script(SOURCE, keys=[…], args=[…])   # EVALSHA, EVAL again after a restart

A connection is checked before each command (a closed one is replaced first: Redis restarted,
or a worker forked with one). A command that then fails on the wire is sent once more only if
sending it twice cannot change anything (`IDEMPOTENT`: reads, SET); any other command (INCR,
a script) raises, since Redis may have run it. An error reply raises `ReplyError` and leaves
the connection usable. Every connect and reply waits at most `TIMEOUT`. A reply ends a Redis
outage in progress (`core.outages`)."""

import hashlib
import os
import threading
from functools import lru_cache
from urllib.parse import urlsplit

import redis
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.retry import Retry

from wenming.core import outages

TIMEOUT = 1.0  # seconds, to connect and for each reply: a stuck Redis fails the request, never hangs it
IDEMPOTENT = frozenset({"GET", "MGET", "SET", "PING", "EXISTS", "TTL", "DEL"})
ReplyError = redis.ResponseError
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)  # Redis down, restarting or too slow


class Client:
    """Thread-safe: each thread has its own connection."""

    def __init__(self, url):
        parts = urlsplit(url)
        db = parts.path.strip("/") if parts.scheme in ("redis", "rediss") else ""
        if db and not db.isdigit():  # redis-py would quietly use database 0
            raise ImproperlyConfigured(f"REDIS_URL database must be a number, got {db!r}")
        try:
            # The pool only reads the URL and makes connections; each thread keeps its own.
            self._pool = redis.ConnectionPool.from_url(
                url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, retry=Retry(NoBackoff(), 0),
                protocol=2, driver_info=None)  # RESP2, no CLIENT SETINFO on connect
        except ValueError as exc:
            raise ImproperlyConfigured(f"REDIS_URL cannot be used: {exc}") from None
        self._local = threading.local()
        self._shas = {}
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self):
        self._local = threading.local()  # a forked child never shares its parent's sockets

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._pool.make_connection()
        else:
            try:
                if conn.can_read():  # nothing is pending between commands: it was closed (or is out of step)
                    conn.disconnect()
            except redis.ConnectionError:  # closed by the server
                conn.disconnect()
        return conn

    def call(self, *args):
        """Send one command and return its reply (bytes, int, None or a list of them)."""
        again = str(args[0]).upper() in IDEMPOTENT
        while True:
            conn = self._connection()
            try:
                conn.send_command(*args, check_health=False)
                reply = conn.read_response()
            except ReplyError:
                outages.incidents.succeeded("redis")  # it answered: reachable, whatever it said
                raise  # sending it again would get the same answer
            except redis.AuthenticationError:
                raise  # Redis answered: sending it again would get the same answer
            except (redis.ConnectionError, redis.TimeoutError):
                conn.disconnect()
                if not again:
                    raise
                again = False
                continue
            except BaseException:
                conn.disconnect()  # interrupted mid-reply: the stream is out of step
                raise
            outages.incidents.succeeded("redis")  # a Redis outage in progress is over (core.outages)
            return reply

    def script(self, source, keys=(), args=()):
        """Run a Lua script by its SHA1, loading it (EVAL) when Redis does not know it. Never
        sent twice on a failure: a script may write (core.counters' INCR)."""
        sha = self._shas.get(source)
        if sha is None:
            sha = self._shas[source] = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()
        try:
            return self.call("EVALSHA", sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            return self.call("EVAL", source, len(keys), *keys, *args)


@lru_cache(maxsize=4)
def client(url):
    """The process's client for a URL (its connections are per thread)."""
    return Client(url)
