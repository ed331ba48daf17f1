"""Scheduled work (reminders, escalations, sweeps), run through the task worker.

`settings.SCHEDULES` names each job: the task (a `django.tasks` task by dotted path) and how
often, in seconds. Time is cut into slots of that length; a scheduler claims a slot by writing
its row (`ScheduledRun`, unique per job and slot) and only then enqueues the task, so any number
of schedulers — one beside each worker — enqueue each slot once. A slot missed while no
scheduler ran is not made up: the jobs are sweeps, and the next slot covers what it missed."""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from wenming.core.models import ScheduledRun

logger = logging.getLogger(__name__)


def slot_of(every_seconds, now):
    return int(now.timestamp()) // every_seconds * every_seconds


def claim(name, slot):
    """True if this call claimed the slot (and must enqueue), False if another one had."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(name=name, slot=slot)
    except IntegrityError:
        return False
    return True


def tick(now=None, schedules=None):
    """Enqueue every job whose current slot nobody has claimed yet; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for name, job in (schedules if schedules is not None else settings.SCHEDULES).items():
        if claim(name, slot_of(job["every_seconds"], now)):
            import_string(job["task"]).enqueue()
            enqueued.append(name)
    return enqueued


def forget_before(days=30, now=None):
    """Drop the claims of slots older than `days` (they only need to outlive the slot)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    return ScheduledRun.objects.filter(slot__lt=int(cutoff.timestamp())).delete()[0]


@task()
def forget_task():
    """The schedule's own housekeeping, scheduled like any job."""
    return forget_before()
