"""Three candidates of one award with votes, survey responses and five submitted expert sheets each."""

import pytest
import time_machine
from django.utils import timezone

from wenming.awards.models import Application, Showcase, Status
from wenming.core.models import Resident
from wenming.core.roles import Role
from wenming.judging import services as judging
from wenming.judging.models import Expert
from wenming.surveys import services as surveys
from wenming.surveys.tests.test_survey import answers
from wenming.testing.factories import make_community, make_register, make_user
from wenming.voting import services as voting

AFTER = "2019-12-21 10:00 +0800"


@pytest.fixture
def contest(campaign, world, office, surveyor):
    award = campaign.awards.get(key="model_community")
    shows = []
    for i in range(3):
        community = make_community(company=world.company_b, district=world.haizhou, name=f"结果小区{i}",
                                   total_households=10, occupied_households=10)
        make_register(community, buildings=1, units=1, floors=10, per_floor=1)  # 1-1-101 … 1-1-1001
        application = Application.objects.create(
            campaign=campaign, award=award, channel="company", status=Status.CANDIDATE, community=community,
            company=world.company_b, district=world.haizhou, applicant_name="x", full_name=community.name)
        shows.append(Showcase.objects.create(application=application, title=community.name, story="介绍",
                                             published_at=timezone.now()))
    surveys.assign(campaign, office, surveyor, [s.application.community for s in shows])
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False):
        for i, votes in enumerate([5, 3, 2]):
            for v in range(votes):
                resident = Resident.objects.create(phone=f"1390{i}{v:06d}", consent_version="2019.1",
                                                   consented_at=timezone.now())
                voting.cast_vote(campaign.pk, resident.pk, shows[i].pk, ip=f"10.{i}.{v}.1")
        for i, show in enumerate(shows):
            for room in range(6 - i):
                surveys.record_response(campaign, show.application.community, household=("1", "1", f"{room + 1}01"),
                                        answers=answers(campaign, satisfied=["满意", "比较满意", "一般"][i]),
                                        client_id=f"r-{i}-{room:04d}", channel="surveyor", surveyor=surveyor)
    experts = [Expert.objects.create(user=make_user(f"judge{i}", role=Role.EXPERT)) for i in range(5)]
    items = judging.rubric(campaign, "model_community")
    with time_machine.travel("2019-12-10 10:00 +0800", tick=False):
        for show in shows:
            for n, expert in enumerate(experts):
                a = judging.assign(campaign, office, expert, show)
                judging.save_sheet(a, expert.user, version=0, scores={i["key"]: str(i["max"] - (n % 3)) if
                                   i["max"] > 2 else str(i["max"]) for i in items})
                judging.submit_sheet(a, expert.user)
    return award, shows


def agree(campaign, run, members=None):
    """The award's committee agrees: its first `quorum` members (or the given ones)."""
    from wenming.results import services

    for member in members or services.committee(campaign, run.award)[: services.quorum(campaign, run.award)]:
        services.confirm(campaign, run, member)
    return run
