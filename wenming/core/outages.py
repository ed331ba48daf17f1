"""A dependency that is down (the database, Redis) answers 503, not 500.

Django turns an exception nobody caught into its 500 handler (`wenming.core.views.errors.
server_error`); that handler asks `failure_of` what the exception says, and only a dependency
out of reach is an outage: 503 with Retry-After, in the API's error shape under /api/ and as a
plain Chinese page elsewhere, logged once when it starts, then a count once a minute while it
lasts, and once when this process has used the dependency successfully again ("recovered
after N failures"), never a traceback per request (`drop_outages`, a filter on django.request).
Any other error, a bug, stays a 500 with its traceback.

What is an outage is decided by the driver's own error, whichever exception in the chain
(`__cause__`, `__context__`) carries it:

- PostgreSQL (psycopg): no connection to be had or kept. SQLSTATE class 08 (connection
  exception), 57P01/57P02/57P03 (the server is shutting down, crashed, or not accepting
  connections yet), 53300 (too many connections); an error libpq raised itself, with no
  SQLSTATE (connection refused, connect timeout, the socket closed or lost, the connection
  already closed or broken, a pool that had no connection to give); psycopg's InterfaceError.
  Every other SQLSTATE is a bug: 42P01 (a missing table: a migration not run), 40P01 (a
  deadlock: two code paths taking locks in opposite order), 23xxx and the rest.
- The stall watchdog's fail-fast state (`core.stalls.DatabaseStalled`).
- SQLite: the file cannot be opened, read or written (SQLITE_CANTOPEN, SQLITE_IOERR*,
  SQLITE_FULL). "no such table" and the rest are bugs.
- Redis (redis-py): ConnectionError (which includes its authentication error and "LOADING",
  Redis restarting) and TimeoutError. A ResponseError (a wrong command, a wrong type, a script
  error) is a bug: Redis answered.
- A Django OperationalError or InterfaceError that carries no driver error at all: Django never
  raises one itself (it always wraps the driver's), so it is a stand-in for a refused connection
  (tests raise it so); kept an outage, as before.

A statement that ran out of time is a third case, `BUSY`: PostgreSQL's 57014 (the statement
timeout cancelled it, `WENMING_DB_STATEMENT_TIMEOUT_MS`) and SQLite's SQLITE_BUSY/SQLITE_LOCKED
("database is locked": another writer held the lock past the 20 s busy timeout; SQLite's
form of the same thing, a wait on a lock that ran out). The database answered, so it is not an
outage: no incident is opened or counted, and the request is logged with its traceback, since
the statement that was too slow (a missing index, a long transaction holding a lock, an
export of too many rows) is ours to find and fix, and the log cannot flood (each thread logs at
most one per timeout, 30 s). But the client is answered 503 with Retry-After, like an outage,
not 500: the statement was rolled back, nothing was written, and trying again shortly is both
safe and the right thing to do (an overloaded server, a migration holding a lock, a vote
retried with its Idempotency-Key)."""

import logging
import sqlite3
import threading
import time

import psycopg
import redis
from django.db import InterfaceError, OperationalError

logger = logging.getLogger("wenming.outages")

RETRY_AFTER = 5  # seconds: a restart or failover usually takes about this long
SUMMARY_EVERY = 60.0  # seconds between "still down" lines during one incident

OUTAGE, BUSY = "outage", "busy"
LABELS = {"database": "数据库暂时无法连接", "redis": "缓存服务暂时无法连接"}
BUSY_LABEL = "数据库繁忙，本次操作未能及时完成"

PG_UNREACHABLE = frozenset({"57P01", "57P02", "57P03", "53300"})  # and class 08
PG_BUSY = frozenset({"57014"})
SQLITE_UNREACHABLE = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL")  # prefixes of the error names
SQLITE_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")


class DatabaseStalled(OperationalError):
    """Raised by the stall watchdog (core.stalls) while the database is known to be stalled."""


def _postgres(exc):
    state = exc.sqlstate
    if state:
        if state.startswith("08") or state in PG_UNREACHABLE:
            return OUTAGE
        return BUSY if state in PG_BUSY else None
    # The server always sends a SQLSTATE: without one, libpq or psycopg raised it on the client.
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        return OUTAGE  # refused, timed out, closed, lost, no connection in the pool
    pgconn = exc.pgconn  # a result libpq made up as the connection went (no SQLSTATE): broken
    if pgconn is not None and pgconn.status == psycopg.pq.ConnStatus.BAD:
        return OUTAGE
    return None  # a client-side bug: a placeholder mismatch, a value that cannot be adapted


def _sqlite(exc):
    name = getattr(exc, "sqlite_errorname", None) or ""
    if name.startswith(SQLITE_UNREACHABLE):
        return OUTAGE
    return BUSY if name.startswith(SQLITE_BUSY) else None


def chain(exc):
    """`exc`, then the exception it was raised from or during, and so on."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def failure_of(exc):
    """(dependency, OUTAGE or BUSY), or None for any other error (a bug): what `exc`, or the
    exception it was raised from or during, says about the database or Redis."""
    wrapped = False
    for each in chain(exc):
        if isinstance(each, DatabaseStalled):
            return "database", OUTAGE
        if isinstance(each, psycopg.Error):
            nature = _postgres(each)
            return ("database", nature) if nature else None
        if isinstance(each, sqlite3.Error):
            nature = _sqlite(each)
            return ("database", nature) if nature else None
        if isinstance(each, redis.ResponseError):
            return None
        if isinstance(each, (redis.ConnectionError, redis.TimeoutError)):
            return "redis", OUTAGE
        wrapped = wrapped or isinstance(each, (OperationalError, InterfaceError))
    return ("database", OUTAGE) if wrapped else None


def dependency_of(exc):
    """"database", "redis" or None: which dependency `exc` says is out of reach (an outage)."""
    failure = failure_of(exc)
    return failure[0] if failure and failure[1] == OUTAGE else None


class Incidents:
    """Per dependency: when the current outage began, how many requests it refused, and when it
    was last summed up in the log. Thread-safe; `succeeded` is a dictionary read when nothing is
    down, so the hot paths may call it after every use of a dependency."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._open = {}

    def refused(self, kind, exc):
        now = self._clock()
        with self._lock:
            incident = self._open.get(kind)
            if incident is None:
                self._open[kind] = {"since": now, "count": 1, "logged": now}
                logger.warning("%s unavailable: %s (answering 503 until it is back)", kind, type(exc).__name__)
                return
            incident["count"] += 1
            if now - incident["logged"] >= SUMMARY_EVERY:
                incident["logged"] = now
                logger.warning("%s still unavailable after %.0f s: %d requests answered 503",
                               kind, now - incident["since"], incident["count"])

    def succeeded(self, kind):
        """This process has just used `kind` successfully (a query returned, Redis replied): its
        incident, if one is open, is over. An answer that did not need the dependency (a static
        file, a page from the cache, /healthz) says nothing about it and ends nothing."""
        if kind not in self._open:
            return
        with self._lock:
            incident = self._open.pop(kind, None)
        if incident is not None:
            logger.warning("%s recovered after %d failures (%.0f s)", kind, incident["count"],
                           self._clock() - incident["since"])

    def is_open(self, kind):
        return kind in self._open

    def open_kinds(self):
        return sorted(self._open)

    def clear(self):
        """Forget every incident without a word (tests)."""
        with self._lock:
            self._open.clear()


incidents = Incidents()


def observe_database(execute, sql, params, many, context):
    """A Django execute wrapper (`connection.execute_wrapper`) the request middleware installs
    while a database incident is open: a query that returns ends it."""
    result = execute(sql, params, many, context)
    incidents.succeeded("database")
    return result


def drop_outages(record):
    """Logging filter for django.request: an outage is logged by `incidents`, not per request."""
    exc_info = getattr(record, "exc_info", None)
    return not (exc_info and dependency_of(exc_info[1]))
