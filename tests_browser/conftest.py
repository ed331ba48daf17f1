import pytest

from wenming.testing.browser import browser, phone  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _on_demo_day(demo_day):
    """Every browser test runs on demo_day's Thursday (the server's clock, ticking from 10:00
    Beijing time), so weekends, holidays and the workday calendar's last year never change what a
    journey sees: the same on any day of any year, and under WENMING_TEST_CLOCK too."""
    return demo_day
