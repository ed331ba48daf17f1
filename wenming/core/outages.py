"""A dependency that is down (the database, Redis) answers 503, not 500.

Django turns an exception nobody caught into its 500 handler (`wenming.core.views.errors.
server_error`); that handler asks `dependency_of` whether the exception means the database or
Redis is unreachable, stalled or restarting, and if so answers 503 with Retry-After, in the API's
error shape under /api/ and as a plain Chinese page elsewhere. Such an outage is logged once
when it starts, then a count once a minute while it lasts, and once when the dependency answers
again, never a traceback per request (`drop_outages`, a filter on django.request)."""

import logging
import threading
import time

import redis
from django.db import InterfaceError, OperationalError

logger = logging.getLogger("wenming.outages")

RETRY_AFTER = 5  # seconds: a restart or failover usually takes about this long
SUMMARY_EVERY = 60.0  # seconds between "still down" lines during one incident

_KINDS = ((OperationalError, "database"), (InterfaceError, "database"),
          (redis.ConnectionError, "redis"), (redis.TimeoutError, "redis"))
LABELS = {"database": "数据库", "redis": "缓存服务"}


def dependency_of(exc):
    """"database", "redis" or None: which dependency `exc` (or an exception it was raised from)
    says is out of reach."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        for kind, name in _KINDS:
            if isinstance(exc, kind):
                return name
        exc = exc.__cause__ or exc.__context__
    return None


class Incidents:
    """Per dependency: when the current outage began, how many requests it refused, and when it
    was last summed up in the log. Thread-safe; `clear` is a dictionary read when nothing is down."""

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

    def clear(self):
        """A request went through: every open incident is over."""
        if not self._open:
            return
        now = self._clock()
        with self._lock:
            for kind, incident in self._open.items():
                logger.warning("%s back after %.0f s: %d requests answered 503",
                               kind, now - incident["since"], incident["count"])
            self._open.clear()

    def open_kinds(self):
        return sorted(self._open)


incidents = Incidents()


def drop_outages(record):
    """Logging filter for django.request: an outage is logged by `incidents`, not per request."""
    exc_info = getattr(record, "exc_info", None)
    return not (exc_info and dependency_of(exc_info[1]))
