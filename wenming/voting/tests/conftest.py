import datetime

import pytest
from django.utils import timezone

from wenming.core.models import Resident
from wenming.testing.factories import make_candidates


@pytest.fixture
def candidates(campaign, world):
    """Five published community candidates of the campaign."""
    return make_candidates(campaign, world)


@pytest.fixture
def resident(db):
    return Resident.objects.create(phone="13800138000", consent_version="2019.1",
                                   consented_at=datetime.datetime(2019, 11, 1, tzinfo=datetime.UTC))


@pytest.fixture
def token(resident):
    """A signed token, as POST /voters/verify issues them."""
    from wenming.core.identity.phones import signed_token
    from wenming.core.models import ResidentToken, hash_token

    raw = signed_token(resident.pk)
    # Valid from before the campaign (the tests travel to 2019) to ten years after whatever day
    # the suite runs: the expiry never decides a test's answer.
    ResidentToken.objects.create(resident=resident, key_hash=hash_token(raw),
                                 expires_at=max(timezone.now(), datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
                                 + datetime.timedelta(days=3650))
    return raw
