"""Working days in mainland China: weekends, public holidays and make-up workdays (调休上班).

Holiday data comes from the `chinesecalendar` package (the State Council's yearly notice). For a
year it does not cover yet, the fallback is Monday to Friday, and `covered(year)` says so, so
that a page can tell the reader the deadline was counted without that year's holidays."""

import datetime
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=16)
def covered(year):
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day):
    if covered(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_workdays(start, count):
    """The date `count` working days after `start` (start itself not counted): issued on a
    Friday with 1 working day → the next working day."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    while count:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            count -= 1
    return day


def workdays_between(start, end):
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        days += is_workday(day)
    return days


# --- service limits that run in working hours ------------------------------------------------
# A complaint's step limit is a number and a unit: clock minutes or hours (round the clock: an
# elevator entrapment is answered within the hour on a Sunday night too), working hours (only
# inside the working day of a working day), working days (to the end of the Nth working day after
# the start day, as rectification deadlines) or calendar days.

UNITS = ("minutes", "hours", "work_hours", "workdays", "days")
UNIT_NAMES = {"minutes": "分钟", "hours": "小时", "work_hours": "个工作小时", "workdays": "个工作日", "days": "天"}


def _local(moment, tz):
    return moment.astimezone(tz)


def add_work_minutes(start, minutes, *, tz, day_start, day_end):
    """The instant `minutes` of working time after `start`: working time is day_start–day_end
    (local times) on working days; time outside it does not count. Started outside working
    hours, the clock starts at the next working day's opening."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    moment = _local(start, tz)
    left = datetime.timedelta(minutes=minutes)
    while True:
        day = moment.date()
        opens = datetime.datetime.combine(day, day_start, tzinfo=tz)
        closes = datetime.datetime.combine(day, day_end, tzinfo=tz)
        if is_workday(day) and moment < closes:
            moment = max(moment, opens)
            if moment + left <= closes:
                return moment + left
            left -= closes - moment
        moment = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)


def deadline(start, value, unit, *, tz, day_start=datetime.time(8, 30), day_end=datetime.time(17, 30)):
    """The instant a limit of `value` `unit`s that starts at `start` runs out."""
    if unit == "minutes":
        return start + datetime.timedelta(minutes=value)
    if unit == "hours":
        return start + datetime.timedelta(hours=value)
    if unit == "days":
        return start + datetime.timedelta(days=value)
    if unit == "work_hours":
        return add_work_minutes(start, value * 60, tz=tz, day_start=day_start, day_end=day_end)
    if unit == "workdays":
        last = add_workdays(_local(start, tz).date(), value)
        return datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    raise ValueError(f"unknown unit {unit!r}")


def describe_limit(value, unit):
    """A limit as people read it: "1 小时", "3 个工作日"."""
    return f"{value} {UNIT_NAMES[unit]}"
