import datetime

import pytest
import time_machine
from django.utils import timezone

from wenming.core.identity.phones import resident_for_token
from wenming.core.models import Resident, ResidentToken, hash_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    """Expiry is decided against the clock: the same instant on any day the suite runs."""
    with time_machine.travel("2019-11-26 10:00 +0800", tick=False):
        yield


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


def test_a_signed_token_names_its_resident_and_nothing_else_does():
    from wenming.core.identity.phones import signed_token, token_claim

    raw = signed_token(4711)
    assert token_claim(raw) == 4711
    resident_id, random_part, mac = raw.split(".")
    assert len(random_part) >= 32 and signed_token(4711) != raw  # each one new and unguessable
    flipped = mac[:-1] + ("1" if mac[-1] == "0" else "0")
    forged = [f"4712.{random_part}.{mac}", f"{resident_id}.{random_part}x.{mac}", f"{resident_id}.{random_part}.{flipped}",
              "resident-token-for-tests", "", ".", "..", f"٤٧١١.{random_part}.{mac}", f"4711.{random_part}.é{mac[1:]}"]
    assert [token_claim(f) for f in forged] == [None] * len(forged)


def test_a_signed_token_is_not_read_under_another_secret_key(settings):
    from wenming.core.identity.phones import signed_token, token_claim

    raw = signed_token(4711)
    settings.SECRET_KEY = "rotated-" + settings.SECRET_KEY
    assert token_claim(raw) is None  # such a token is then looked up like any other


def test_verify_issues_a_signed_token_and_keeps_only_its_hash(settings):
    import json

    from wenming.core.identity.phones import send_code, token_claim, verify_resident

    send_code("13900139001")
    code = json.loads((settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[-1])["code"]
    resident, raw, _ = verify_resident("13900139001", code, "2019.1")
    assert token_claim(raw) == resident.pk
    assert ResidentToken.objects.get(resident=resident).key_hash == hash_token(raw)  # never the raw token
