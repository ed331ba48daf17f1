"""What a load balancer and an operator ask: is the process alive (`/healthz`, nothing else
touched), and can it serve (`/readyz`: the database answers, Redis answers when configured,
the data directory has room). The task queue's lag is reported as a figure but never makes a
node unready: the worker is shared by every node, and taking a node out of the balancer does
not make the worker catch up.

A failed check shows only the kind of failure ("unreachable", "timeout", "stalled", "error"),
never the exception's text: a driver's message names hosts, ports, users and databases, and
/readyz answers whoever can reach the node."""

import datetime
import shutil

import psycopg
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from wenming.core import redisstore
from wenming.core.outages import BUSY, DatabaseStalled, chain, failure_of

QUEUE_LAG_WARNING = datetime.timedelta(seconds=300)  # the oldest runnable task waits longer: "behind"
FREE_DISK_LIMIT = 500 * 1024 * 1024  # bytes free in the data directory


class NotReady(Exception):
    """A check that fails with a state of its own (not an exception from a dependency)."""


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _redis():
    if not settings.REDIS_URL:
        return "ok"  # not configured: the processes share versions through files
    redisstore.client(settings.REDIS_URL).call("PING")
    return "ok"


def queue_lag():
    """Seconds the oldest runnable task has waited (0 when none waits)."""
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    lag = timezone.now() - oldest if oldest else datetime.timedelta(0)
    return max(int(lag.total_seconds()), 0)


def _disk():
    free = shutil.disk_usage(settings.DATA_DIR).free
    if free < FREE_DISK_LIMIT:
        raise NotReady(f"low ({free // 2**20} MiB free)")
    return f"ok ({free // 2**20} MiB free)"


CHECKS = {"database": _database, "redis": _redis, "disk": _disk}


def kind_of(exc):
    """The kind of a check's failure, for anyone to read: never the exception's own text."""
    failure = failure_of(exc)
    if failure is None:
        return "error"
    if failure[1] == BUSY:
        return "timeout"
    for each in chain(exc):
        if isinstance(each, DatabaseStalled):
            return "stalled"
        if isinstance(each, (redis.TimeoutError, psycopg.errors.ConnectionTimeout)):
            return "timeout"
    return "unreachable"


def readiness():
    """(ready, {check: "ok …" or "unavailable (kind)"}, queue lag in seconds or None); a check
    that fails never raises out of here."""
    results, ready = {}, True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except NotReady as exc:
            ready = False
            results[name] = str(exc)
        except Exception as exc:  # readiness reports every failure, whatever it is
            ready = False
            results[name] = f"unavailable ({kind_of(exc)})"
    try:
        lag = queue_lag()
    except Exception as exc:  # the database check says whether that makes the node unready
        lag = None
        results["queue"] = f"unavailable ({kind_of(exc)})"
    else:
        results["queue"] = f"{'behind' if lag > QUEUE_LAG_WARNING.total_seconds() else 'ok'} (lag {lag} s)"
    return ready, results, lag
