"""The vote opens no phone number (core.fields): the virtual-operator check reads the resident's
plain-text prefix, the page finds the resident by the id its session keeps, the API by
the token. On PostgreSQL the function runs too, and the Python path beside it."""

import pytest
import time_machine

from wenming.core import fields
from wenming.core.models import Resident
from wenming.voting import services
from wenming.voting.models import Vote

VOTING_DAY = "2019-11-28 10:00 +0800"


@pytest.fixture
def opened(monkeypatch):
    """Every stored phone opened while the test runs."""
    tokens = []
    real = fields.decrypt_phone
    monkeypatch.setattr(fields, "decrypt_phone", lambda token: tokens.append(token) or real(token))
    return tokens


@pytest.fixture(params=["python", pytest.param("postgresql", marks=pytest.mark.postgres)])
def way(request, monkeypatch):
    if request.param == "python":
        monkeypatch.setattr(services, "_cast_pg", services._cast_portable)
    return request.param


def test_the_api_vote_decrypts_nothing(way, client, campaign, candidates, token, opened):
    rules = campaign.rules
    rules["voting"]["risk"]["virtual_prefixes"] = ["1380"]  # the fixture's resident: 13800138000
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    with time_machine.travel(VOTING_DAY, tick=False):
        for candidate in candidates[:3]:
            answer = client.post("/api/v1/votes", {"candidate_id": candidate.pk}, content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {token}")
            assert answer.status_code == 201, answer.content
    assert opened == []
    assert list(Vote.objects.values_list("status", "status_reason").distinct()) == [
        ("quarantined", services.VIRTUAL_REASON)]  # the prefix decided, as the number would have


def test_the_service_decrypts_nothing(way, campaign, candidates, opened):
    people = [Resident.objects.create(phone=f"1700000{n:04d}", consent_version="2019.1",
                                      consented_at="2019-11-01T00:00:00Z") for n in range(2)]
    people += [Resident.objects.create(phone="13900139000", consent_version="2019.1",
                                       consented_at="2019-11-01T00:00:00Z")]
    opened.clear()
    with time_machine.travel(VOTING_DAY, tick=False):
        for n, person in enumerate(people):
            services.cast_vote(campaign.pk, person.pk, candidates[0].pk, ip=f"10.1.2.{n + 1}")
    assert opened == []
    statuses = dict(Vote.objects.values_list("voter__resident__phone_prefix", "status"))
    assert statuses == {"1700": "quarantined", "1390": "counted"}  # the preset's 170 range


def test_the_vote_page_decrypts_nothing(way, client, settings, candidates, opened):
    import json

    from django.urls import reverse

    url = reverse("voting:vote", args=[candidates[0].pk])
    with time_machine.travel(VOTING_DAY, tick=False):
        client.post(url, {"step": "send", "phone": "13800138000"})
        code = json.loads((settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[-1])["code"]
        client.post(url, {"step": "verify", "phone": "13800138000", "code": code, "consent": "on"})
        key = client.get(url).context["form"].initial["idempotency_key"]
        opened.clear()
        answer = client.post(url, {"step": "vote", "idempotency_key": key})
    assert answer.status_code == 302 and Vote.objects.count() == 1
    assert opened == []  # the resident is found by the id the session keeps
