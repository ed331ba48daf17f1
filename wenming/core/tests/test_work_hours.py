"""Service limits in working hours across weekends, holidays and make-up workdays (调休)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from wenming.core.workdays import add_work_minutes, deadline, describe_limit

TZ = ZoneInfo("Asia/Shanghai")


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize(("start", "value", "unit", "expected"), [
    # round the clock: a Sunday night entrapment is answered within the hour
    ("2019-10-06 23:30", 60, "minutes", "2019-10-07 00:30"),
    ("2019-09-27 16:00", 2, "hours", "2019-09-27 18:00"),
    # 4 working hours from Friday 15:30: 2 on Friday, then Sunday 2019-09-29 is a make-up workday
    ("2019-09-27 15:30", 4, "work_hours", "2019-09-29 10:30"),
    # filed on a Saturday (not a workday): the clock starts on Sunday's (make-up) opening
    ("2019-09-28 10:00", 1, "work_hours", "2019-09-29 09:30"),
    # filed on the evening of 2019-09-30: 10-01..10-07 are holidays, the next working day is 10-08
    ("2019-09-30 20:00", 2, "work_hours", "2019-10-08 10:30"),
    # filed before opening on a workday
    ("2019-10-08 07:00", 1, "work_hours", "2019-10-08 09:30"),
    # exactly the rest of the day ends at closing
    ("2019-10-08 16:30", 1, "work_hours", "2019-10-08 17:30"),
    # 3 working days from Friday 2019-09-27: Sun 29 (make-up), Mon 30, then holidays, Tue 10-08
    ("2019-09-27 11:00", 3, "workdays", "2019-10-09 00:00"),
    ("2019-09-27 11:00", 7, "days", "2019-10-04 11:00"),
])
def test_deadlines(start, value, unit, expected):
    assert deadline(at(start), value, unit, tz=TZ) == at(expected)


def test_working_minutes_span_days_and_respect_the_configured_day():
    # 9:00–12:00 days: 5 hours from Tuesday 11:00 → 1 h Tue, 3 h Wed, 1 h Thu → Thursday 10:00
    got = add_work_minutes(at("2019-10-08 11:00"), 300, tz=TZ, day_start=datetime.time(9), day_end=datetime.time(12))
    assert got == at("2019-10-10 10:00")


def test_a_utc_start_is_counted_in_the_local_working_day():
    start = datetime.datetime(2019, 10, 8, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Shanghai
    assert deadline(start, 1, "work_hours", tz=TZ) == at("2019-10-08 10:00")


def test_limits_read_in_chinese():
    assert describe_limit(1, "hours") == "1 小时" and describe_limit(3, "workdays") == "3 个工作日"
    assert describe_limit(2, "work_hours") == "2 个工作小时"
