"""Deadlines come from the campaign clock in Asia/Shanghai, whatever the server's zone."""

import pytest
import time_machine

from wenming.awards import services
from wenming.awards.models import Status
from wenming.awards.tests.conftest import fill_person
from wenming.campaigns.clock import WindowClosed


@pytest.mark.parametrize("moment, allowed", [
    ("2019-10-10T23:59:59+08:00", True),
    ("2019-10-11T00:00:00+08:00", False),
])
def test_a_community_application_reaches_the_district_by_the_end_of_10_10(
        server_tz, community_application, company_a, moment, allowed):
    with time_machine.travel(moment, tick=False):
        if allowed:
            assert services.submit(community_application, actor=company_a).status == Status.DISTRICT_REVIEW
        else:
            with pytest.raises(WindowClosed, match="小区自愿申报报区时间为 2019年9月15日 00:00 至 2019年10月10日 24:00"):
                services.submit(community_application, actor=company_a)
            community_application.refresh_from_db()
            assert community_application.status == Status.DRAFT


@pytest.mark.parametrize("moment, allowed", [
    ("2019-10-15T23:59:59+08:00", True),
    ("2019-10-16T00:00:00+08:00", False),
])
def test_person_intake_closes_at_the_end_of_10_15(server_tz, world, company_a, worker_award, veteran, moment, allowed):
    with time_machine.travel("2019-09-20 10:00 +0800", tick=False):
        application = services.start_application(worker_award.campaign, worker_award, actor=company_a,
                                                 channel="company_nomination", staff=veteran)
        fill_person(application, company_a)
    with time_machine.travel(moment, tick=False):
        if allowed:
            assert services.submit(application, actor=company_a).status == Status.OFFICE_REVIEW
        else:
            with pytest.raises(WindowClosed, match="2019年10月15日 24:00"):
                services.submit(application, actor=company_a)


def test_district_opinions_close_with_intake(community_application, company_a, haizhou_officer):
    from wenming.awards.tests.conftest import jpeg

    services.submit(community_application, actor=company_a)
    with time_machine.travel("2019-10-16T00:00:00+08:00", tick=False), pytest.raises(WindowClosed):
        services.give_opinion(community_application, "district", "approve", "同意", actor=haizhou_officer,
                              seal_scan=jpeg("seal.jpg"))
    community_application.refresh_from_db()
    assert community_application.status == Status.DISTRICT_REVIEW


def test_nothing_can_be_started_before_intake_opens(world, company_a, community_award):
    with time_machine.travel("2019-09-14T23:59:59+08:00", tick=False), pytest.raises(WindowClosed):
        services.start_application(community_award.campaign, community_award, actor=company_a, channel="company",
                                   community=world.community_a)
