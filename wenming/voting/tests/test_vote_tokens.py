"""The vote reads a signed token without a lookup and checks the token's row in its own
statement (voting 0007): whatever the token claims, a vote counts only while the row says so."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from wenming.core import counters
from wenming.core.identity.phones import signed_token
from wenming.core.models import IdempotentResponse, Resident, ResidentToken, hash_token
from wenming.voting.models import Vote, Voter
from wenming.voting.tests.test_votes import VOTING_DAY, post


def _issue(resident, raw, expires_at):
    ResidentToken.objects.create(resident=resident, key_hash=hash_token(raw), expires_at=expires_at)
    return raw


def test_a_token_stops_voting_the_moment_it_expires(client, candidates, resident):
    expires = datetime.datetime(2019, 11, 28, 10, 0, 30, tzinfo=datetime.UTC)
    raw = _issue(resident, signed_token(resident.pk), expires)
    with time_machine.travel(expires - datetime.timedelta(seconds=1), tick=False):
        assert post(client, raw, candidates[0].pk).status_code == 201
    with time_machine.travel(expires, tick=False):
        refused = post(client, raw, candidates[1].pk)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert Vote.objects.count() == 1


def test_a_withdrawn_token_votes_nothing_even_just_after_a_vote(client, candidates, resident, token):
    with time_machine.travel(VOTING_DAY, tick=False):
        assert post(client, token, candidates[0].pk).status_code == 201
        ResidentToken.objects.filter(key_hash=hash_token(token)).delete()
        assert post(client, token, candidates[1].pk).status_code == 401
        assert post(client, token, candidates[0].pk, key="8d0c2c1e-2222-4b4b-9c9c-000000000001").status_code == 401
    assert Vote.objects.count() == 1 and not IdempotentResponse.objects.exists()


def test_a_stored_answer_is_not_replayed_to_a_token_that_no_longer_holds(client, candidates, resident, token):
    key = "8d0c2c1e-2222-4b4b-9c9c-000000000002"
    with time_machine.travel(VOTING_DAY, tick=False):
        assert post(client, token, candidates[0].pk, key=key).status_code == 201
        ResidentToken.objects.filter(key_hash=hash_token(token)).update(expires_at=timezone.now())
        replay = post(client, token, candidates[0].pk, key=key)
    assert replay.status_code == 401 and "receipt" not in replay.content.decode()


def test_a_signed_token_never_issued_votes_nothing_and_counts_nothing(client, candidates, resident):
    """Well signed (say, an older secret's row was purged) but no row: refused, nothing written.
    Its rate-limit counter moved, as for any attempt: the signature says whose attempt it was."""
    with time_machine.travel(VOTING_DAY, tick=False):
        response = post(client, signed_token(resident.pk), candidates[0].pk)
    assert response.status_code == 401
    assert not Vote.objects.exists() and not Voter.objects.exists()


@pytest.mark.parametrize("forge", [
    lambda victim, own: f"{victim}." + own.split(".", 1)[1],  # someone else's id on one's own token
    lambda victim, own: f"{victim}.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.{'0' * 32}",
])
def test_a_forged_token_is_refused_before_it_touches_the_victims_counters(client, candidates, resident, token,
                                                                        forge):
    victim = Resident.objects.create(phone="13900001111", consent_version="2019.1", consented_at=timezone.now())
    with time_machine.travel(VOTING_DAY, tick=False):
        now = timezone.now()
        response = post(client, forge(victim.pk, token), candidates[0].pk)
        victim_counter = f"vote:rate:voter:{victim.pk}:{int(now.timestamp() // 60)}"
        assert counters.bump([(victim_counter, 120)]) == [1]  # the forgery never counted for the victim
    assert response.status_code == 401 and not Vote.objects.exists()


def test_a_token_issued_before_signing_still_votes(client, candidates, resident):
    raw = _issue(resident, "an-opaque-token-from-before-signed-tokens", timezone.now() + datetime.timedelta(days=3650))
    with time_machine.travel(VOTING_DAY, tick=False):
        response = post(client, raw, candidates[0].pk)
    assert response.status_code == 201
    assert Vote.objects.get().voter.resident_id == resident.pk
