"""Quotas under real parallel clients: 128 simultaneous HTTP requests against the production
server on PostgreSQL, repeated 20 times. Run by CI's PostgreSQL pass (deselected on SQLite)."""

import datetime
import http.client
import json
import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from wenming.awards.models import Application, Showcase, Status
from wenming.campaigns.services import CAMPAIGN_VERSION, demo_shift_days, shift_campaign
from wenming.core import versions
from wenming.core.identity.phones import signed_token
from wenming.core.models import IdempotentResponse, Resident, ResidentToken, hash_token
from wenming.testing.factories import lift_vote_limits, make_community
from wenming.testing.server import Server
from wenming.voting.models import DailyQuota, Vote
from wenming.voting.services import verify_tally

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PARALLEL = 128
REPEATS = 20


@pytest.fixture
def server(campaign, world):
    # The votes are counted by a separate server process, whose clock no test can move: the
    # campaign is dated so that its voting window opens today (and lasts ten days), whatever
    # day, weekday or year the suite runs on; the tokens below live for the test's hour.
    shift_campaign(campaign, demo_shift_days(campaign, "voting", timezone.localdate(timezone.now(), campaign.tz)))
    lift_vote_limits(campaign)
    award = campaign.awards.get(key="model_community")
    for i in range(20):
        community = make_community(company=world.company_a, district=world.haizhou, name=f"并发候选{i}")
        application = Application.objects.create(
            campaign=campaign, award=award, channel="company", status=Status.CANDIDATE, community=community,
            company=community.company, district=community.district, applicant_name="x", full_name=community.name)
        Showcase.objects.create(application=application, title=community.name, story="介绍", published_at=timezone.now())
    db = connection.settings_dict
    env = {"DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
           # the test's own key, so the server reads the tokens minted here by their signature
           "WENMING_SECRET_KEY": settings.SECRET_KEY, "WENMING_DEBUG": "0", "REDIS_URL": "",
           # and its phone keys, so the server finds the residents made here by their hash
           "WENMING_PHONE_KEYS": ",".join(settings.PHONE_KEYS), "WENMING_PHONE_HASH_KEYS": ",".join(settings.PHONE_HASH_KEYS)}
    with Server(workers=2, threads=16, env=env) as running:
        yield running


def new_voter(n):
    resident = Resident.objects.create(phone=f"1380000{n:04d}", consent_version="2019.1",
                                       consented_at=datetime.datetime(2019, 11, 1, tzinfo=datetime.UTC))
    raw = signed_token(resident.pk)
    ResidentToken.objects.create(resident=resident, key_hash=hash_token(raw),
                                 expires_at=timezone.now() + datetime.timedelta(hours=1))
    return resident, raw


def fire(server, token, candidate_ids, headers=None, answers=None):
    """PARALLEL requests released at once by a barrier, one connection each."""
    barrier = threading.Barrier(len(candidate_ids))
    statuses = []
    lock = threading.Lock()

    def one(candidate_id):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        body = json.dumps({"candidate_id": candidate_id})
        barrier.wait()
        conn.request("POST", "/api/v1/votes", body, {"Content-Type": "application/json",
                                                      "Authorization": f"Bearer {token}", **(headers or {})})
        response = conn.getresponse()
        answer = json.loads(response.read() or b"{}")
        conn.close()
        with lock:
            statuses.append(response.status)
            if answers is not None:
                answers.append(answer)

    threads = [threading.Thread(target=one, args=(c,)) for c in candidate_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Counter(statuses)


def test_parallel_votes_never_exceed_the_rules(server, campaign):
    ids = list(Showcase.objects.order_by("pk").values_list("pk", flat=True))
    quota = campaign.rules["voting"]["per_voter_per_award_per_day"]
    for repeat in range(REPEATS):
        resident, token = new_voter(2 * repeat)
        statuses = fire(server, token, [ids[0]] * PARALLEL)
        assert Vote.objects.filter(voter__resident=resident).count() == 1, f"repeat {repeat}"
        assert statuses[201] == 1 and statuses[409] == PARALLEL - 1, statuses

        resident, token = new_voter(2 * repeat + 1)
        statuses = fire(server, token, [ids[i % len(ids)] for i in range(PARALLEL)])
        assert Vote.objects.filter(voter__resident=resident).count() == quota, f"repeat {repeat}"
        assert statuses[201] == quota and statuses[201] + statuses[409] + statuses[429] == PARALLEL, statuses
    assert verify_tally() == {}  # the counters agree with the vote rows


def test_parallel_repeats_of_one_idempotency_key_make_one_vote_with_one_receipt(server, campaign):
    ids = list(Showcase.objects.order_by("pk").values_list("pk", flat=True))
    resident, token = new_voter(900)
    answers = []
    statuses = fire(server, token, [ids[3]] * 32, headers={"Idempotency-Key": "phone-retry-1"}, answers=answers)
    assert statuses == Counter({201: 32})
    assert len({a["receipt"] for a in answers}) == 1
    vote = Vote.objects.get(voter__resident=resident)
    assert vote.receipt == answers[0]["receipt"] and answers[0]["remaining_today"] == 4
    assert IdempotentResponse.objects.filter(scope=f"vote:{resident.pk}").count() == 1
    assert DailyQuota.objects.get(voter__resident=resident).used == 1


def test_two_votes_per_candidate_when_the_rules_allow_two(server, campaign):
    rules = campaign.rules
    rules["voting"]["per_candidate_per_voter_per_day"] = 2
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    versions.bump(CAMPAIGN_VERSION)
    ids = list(Showcase.objects.order_by("pk").values_list("pk", flat=True))
    for repeat in range(5):
        resident, token = new_voter(800 + repeat)
        statuses = fire(server, token, [ids[1]] * PARALLEL)
        assert sorted(Vote.objects.filter(voter__resident=resident).values_list("slot", flat=True)) == [1, 2]
        assert statuses[201] == 2 and statuses[409] == PARALLEL - 2, statuses
        assert DailyQuota.objects.get(voter__resident=resident).used == 2
