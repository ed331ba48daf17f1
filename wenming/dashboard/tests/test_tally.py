"""Votes per hour, tallied as hours close: the vote panels read the same numbers before and
after a refresh, count the open hour live, follow a review's status changes, and two
schedulers refreshing together tally each hour once."""

import datetime

import pytest

from wenming.awards.models import Showcase
from wenming.dashboard import panels, tally
from wenming.dashboard.models import VoteHour
from wenming.dashboard.tests.conftest import BEIJING, DAY1, _votes
from wenming.testing.parallel import together
from wenming.voting.models import Vote, VoteStatus

NOW = datetime.datetime(2019, 11, 28, 10, 0, tzinfo=BEIJING)


def figures(campaign, *scopes):
    return [(panels.votes_per_day(campaign, s).rows, panels.votes_per_hour(campaign, s).rows) for s in scopes]


def test_the_panels_read_the_same_numbers_once_tallied(campaign, dataset, city, haizhou):
    before = figures(campaign, city, haizhou)
    assert tally.refresh(campaign, now=NOW) == 10  # every vote of the data set: all in closed hours
    assert VoteHour.objects.count() == 4  # 候选小区一 at 02h and 10h, 候选小区二 and 连云新村 at 10h
    assert figures(campaign, city, haizhou) == before
    day1 = panels.votes_per_day(campaign, city).rows[0]
    assert day1 == ["2019-11-26", 8, 3, 37.5]  # a hand count: 3 + 1 + 2 + 2 votes, 1 + 2 quarantined


def test_the_scheduled_job_tallies_every_campaign(campaign, dataset, settings):
    import time_machine

    from wenming.dashboard.tasks import tally_votes_task

    assert settings.SCHEDULES["vote-tallying"] == {"task": "wenming.dashboard.tasks.tally_votes_task",
                                                   "every_seconds": 60}
    with time_machine.travel(NOW, tick=False):
        assert tally_votes_task.call() == 10
        assert tally_votes_task.call() == 0


def test_a_second_refresh_in_the_same_hour_tallies_nothing(campaign, dataset):
    tally.refresh(campaign, now=NOW)
    assert tally.refresh(campaign, now=NOW + datetime.timedelta(minutes=30)) == 0
    assert sum(VoteHour.objects.values_list("votes", flat=True)) == 10


def test_the_open_hour_is_counted_live_then_tallied_once(campaign, dataset, city):
    tally.refresh(campaign, now=NOW)
    candidate = Showcase.objects.get(title="候选小区一")
    _votes(candidate, NOW.date(), 9, 2)  # 09:00 and 09:01: the hour closes at 10:00, tallied a minute later
    assert tally.closed_until(campaign, NOW) == datetime.datetime(2019, 11, 28, 9, tzinfo=BEIJING)
    assert panels.votes_per_day(campaign, city).rows[-1] == ["2019-11-28", 2, 0, 0.0]
    assert tally.refresh(campaign, now=NOW + datetime.timedelta(seconds=59)) == 0  # within the grace
    assert tally.refresh(campaign, now=NOW + datetime.timedelta(minutes=1)) == 2
    assert panels.votes_per_day(campaign, city).rows[-1] == ["2019-11-28", 2, 0, 0.0]
    assert dict((r[0], r[1]) for r in panels.votes_per_hour(campaign, city).rows)["09时"] == 2


def test_a_review_after_tallying_moves_only_the_quarantined_share(campaign, dataset, city):
    tally.refresh(campaign, now=NOW)
    Vote.objects.filter(day=DAY1, status=VoteStatus.QUARANTINED).update(status=VoteStatus.COUNTED)
    assert panels.votes_per_day(campaign, city).rows[0] == ["2019-11-26", 8, 0, 0.0]
    hours = {r[0]: r[1:] for r in panels.votes_per_hour(campaign, city).rows}
    assert hours["02时"] == [1, 0, 0.0] and hours["10时"] == [9, 0, 0.0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_refreshing_together_tally_each_hour_once(campaign, dataset, city):
    tallied = together(lambda: tally.refresh(campaign, now=NOW))
    assert sorted(tallied) == [0] * 7 + [10]
    assert sum(VoteHour.objects.values_list("votes", flat=True)) == Vote.objects.count() == 10
    assert panels.votes_per_day(campaign, city).rows[0][1] == 8
