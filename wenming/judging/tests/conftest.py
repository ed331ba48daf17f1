import pytest
from django.utils import timezone

from wenming.awards.models import Application, Showcase, Status
from wenming.core.roles import Role
from wenming.judging.models import Expert
from wenming.testing.factories import make_user


@pytest.fixture
def candidate(campaign, world):
    award = campaign.awards.get(key="model_community")
    application = Application.objects.create(
        campaign=campaign, award=award, channel="company", status=Status.CANDIDATE, community=world.community_a,
        company=world.company_a, district=world.haizhou, applicant_name="x", full_name=world.community_a.name)
    return Showcase.objects.create(application=application, title=world.community_a.name, story="介绍",
                                   published_at=timezone.now())


@pytest.fixture
def experts(db):
    return [Expert.objects.create(user=make_user(f"judge{i}", role=Role.EXPERT), employer_name="高校")
            for i in range(6)]
