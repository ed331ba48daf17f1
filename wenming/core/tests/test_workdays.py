import datetime

from wenming.core import workdays

D = datetime.date


def test_deadlines_around_national_day_2026_skip_the_holiday_and_count_the_make_up_saturday():
    # 2026: 10-01 … 10-07 off; Sunday 09-20 and Saturday 10-10 are make-up workdays.
    assert workdays.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert workdays.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)  # 10-08, 10-09, Saturday 10-10
    assert workdays.add_workdays(D(2026, 9, 30), 4) == D(2026, 10, 12)  # Sunday 10-11 is a rest day
    assert workdays.add_workdays(D(2026, 9, 19), 1) == D(2026, 9, 20)  # make-up Sunday
    assert workdays.add_workdays(D(2026, 9, 24), 1) == D(2026, 9, 28)  # Mid-Autumn 09-25 … 09-27
    assert workdays.workdays_between(D(2026, 9, 30), D(2026, 10, 12)) == 4


def test_a_year_without_holiday_data_falls_back_to_weekdays_without_error():
    assert workdays.covered(2026) and not workdays.covered(2099)
    assert workdays.add_workdays(D(2099, 9, 30), 1) == D(2099, 10, 1)  # no holiday data: 10-01 counts
    assert workdays.add_workdays(D(2099, 10, 2), 1) == D(2099, 10, 5)  # Friday → Monday


def test_zero_days_is_the_same_day_and_negative_is_refused():
    assert workdays.add_workdays(D(2026, 10, 1), 0) == D(2026, 10, 1)
    import pytest

    with pytest.raises(ValueError):
        workdays.add_workdays(D(2026, 10, 1), -1)
