"""What a load balancer and an operator ask: is the process alive (`/healthz`, nothing else
touched), and can it serve (`/readyz`: the database answers, Redis answers when configured,
the task queue is not falling behind, the data directory has room)."""

import datetime
import shutil

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from wenming.core import redisstore
from wenming.core.outages import dependency_of

QUEUE_LAG_LIMIT = datetime.timedelta(seconds=300)  # the oldest runnable task waits longer: not ready
FREE_DISK_LIMIT = 500 * 1024 * 1024  # bytes free in the data directory


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _redis():
    if not settings.REDIS_URL:
        return "ok"  # not configured: the processes share versions through files
    redisstore.client(settings.REDIS_URL).call("PING")
    return "ok"


def _queue():
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    lag = timezone.now() - oldest if oldest else datetime.timedelta(0)
    if lag > QUEUE_LAG_LIMIT:
        raise RuntimeError(f"lag {lag.total_seconds():.0f} s")
    return f"ok (lag {lag.total_seconds():.0f} s)"


def _disk():
    free = shutil.disk_usage(settings.DATA_DIR).free
    if free < FREE_DISK_LIMIT:
        raise RuntimeError(f"{free // 2**20} MiB free")
    return f"ok ({free // 2**20} MiB free)"


CHECKS = {"database": _database, "redis": _redis, "queue": _queue, "disk": _disk}


def readiness():
    """(ready, {check: "ok …" or what failed}); a check that fails never raises out of here."""
    results, ready = {}, True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # readiness reports every failure, whatever it is
            ready = False
            results[name] = f"unavailable ({dependency_of(exc) or type(exc).__name__}): {exc}"[:200]
    return ready, results
