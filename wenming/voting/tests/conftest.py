import datetime

import pytest
from django.utils import timezone

from wenming.awards.models import Application, Showcase, Status
from wenming.core.models import Resident
from wenming.testing.factories import make_community


@pytest.fixture
def candidates(campaign, world):
    """Five published community candidates of the campaign."""
    award = campaign.awards.get(key="model_community")
    items = []
    for i in range(5):
        community = make_community(company=world.company_a, district=world.haizhou, name=f"候选小区{i}")
        application = Application.objects.create(
            campaign=campaign, award=award, channel="company", status=Status.CANDIDATE, community=community,
            company=community.company, district=community.district, applicant_name="x", full_name=community.name)
        items.append(Showcase.objects.create(application=application, title=community.name, story="介绍",
                                             published_at=timezone.now()))
    return items


@pytest.fixture
def resident(db):
    return Resident.objects.create(phone="13800138000", consent_version="2019.1",
                                   consented_at=datetime.datetime(2019, 11, 1, tzinfo=datetime.UTC))


@pytest.fixture
def token(resident):
    """A signed token, as POST /voters/verify issues them."""
    from wenming.core.models import ResidentToken, hash_token
    from wenming.core.phones import signed_token

    raw = signed_token(resident.pk)
    ResidentToken.objects.create(resident=resident, key_hash=hash_token(raw),
                                 expires_at=timezone.now() + datetime.timedelta(days=3650))
    return raw
