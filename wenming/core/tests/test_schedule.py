"""Scheduled jobs are enqueued once per slot, however many schedulers run."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.tasks import task

from wenming.core import schedule
from wenming.core.models import ScheduledRun
from wenming.testing.parallel import together

RAN = []
JOBS = {"test-job": {"task": "wenming.core.tests.test_schedule.record", "every_seconds": 300}}
AT = datetime.datetime(2019, 9, 27, 10, 1, tzinfo=datetime.UTC)


@task()
def record():
    RAN.append(True)


@pytest.fixture(autouse=True)
def _clean():
    RAN.clear()


def test_a_slot_is_enqueued_once_and_the_next_slot_again(db):
    assert schedule.tick(AT, JOBS) == ["test-job"] and RAN == [True]
    assert schedule.tick(AT + datetime.timedelta(minutes=3), JOBS) == []  # same five minutes
    assert schedule.tick(AT + datetime.timedelta(minutes=4), JOBS) == ["test-job"]  # 10:05 starts a slot
    assert len(RAN) == 2 and ScheduledRun.objects.count() == 2
    assert schedule.forget_before(days=1, now=AT + datetime.timedelta(days=2)) == 2


def test_the_project_schedules_its_sweeps_reminders_and_housekeeping_and_the_command_runs_them(db):
    from django.conf import settings

    assert settings.SCHEDULES["complaints-sweep"]["task"] == "wenming.complaints.tasks.sweep_task"
    ScheduledRun.objects.create(name="schedule-housekeeping", slot=0)  # a claim from 1970
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    for name in ("complaints-sweep", "supervision-sweep", "expert-reminders", "schedule-housekeeping"):
        assert name in out.getvalue()
    assert not ScheduledRun.objects.filter(slot=0).exists()  # housekeeping forgot the old claim
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert out.getvalue().strip() == "本时段的任务均已排入"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_schedulers_enqueue_a_slot_once():
    results = together(lambda: schedule.tick(AT, JOBS))
    assert sorted(len(r) for r in results) == [0] * 7 + [1] and len(RAN) == 1
