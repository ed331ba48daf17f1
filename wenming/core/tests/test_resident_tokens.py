import datetime

import pytest
from django.utils import timezone

from wenming.core.models import Resident, ResidentToken, hash_token
from wenming.core.phones import resident_for_token

pytestmark = pytest.mark.django_db


def _resident_with_token(raw, expires_in):
    resident = Resident.objects.create(phone="13900139000", consent_version="2019.1", consented_at=timezone.now())
    ResidentToken.objects.create(resident=resident, key_hash=hash_token(raw), expires_at=timezone.now() + expires_in)
    return resident


def test_a_valid_token_names_its_resident_with_the_fields_requests_use():
    resident = _resident_with_token("valid-token", datetime.timedelta(minutes=5))
    found = resident_for_token("valid-token")
    assert (found.pk, found.phone, found.consent_version) == (resident.pk, "13900139000", "2019.1")
    assert found.consented_at == resident.consented_at  # the other fields still load on access


def test_an_expired_or_unknown_token_names_nobody():
    _resident_with_token("old-token", datetime.timedelta(seconds=-1))
    assert resident_for_token("old-token") is None
    assert resident_for_token("never-issued") is None
