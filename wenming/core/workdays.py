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
