import datetime

import pytest
import time_machine

from wenming.voting import services
from wenming.voting.models import Vote

VOTING_DAY = "2019-11-28 10:00 +0800"


def post(client, token, candidate_id, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/v1/votes", {"candidate_id": candidate_id}, content_type="application/json", **headers)


@pytest.mark.parametrize("moment, expected", [
    ("2019-11-25T23:59:59+08:00", 403),
    ("2019-11-26T00:00:00+08:00", 201),
    ("2019-12-05T23:59:59+08:00", 201),
    ("2019-12-06T00:00:00+08:00", 403),
])
def test_the_voting_window_in_shanghai_time(client, server_tz, candidates, token, moment, expected):
    with time_machine.travel(moment, tick=False):
        response = post(client, token, candidates[0].pk)
    assert response.status_code == expected
    assert Vote.objects.count() == (1 if expected == 201 else 0)
    if expected == 403:
        assert response.json()["error"]["code"] == "voting_closed"


def test_a_vote_returns_a_receipt_and_what_is_left_today(client, candidates, token):
    with time_machine.travel(VOTING_DAY, tick=False):
        response = post(client, token, candidates[0].pk)
    body = response.json()
    assert response.status_code == 201 and len(body["receipt"]) == 32 and body["remaining_today"] == 4
    assert set(body) == {"receipt", "candidate_id", "remaining_today"} and body["candidate_id"] == candidates[0].pk
    assert response["Content-Type"] == "application/json; charset=utf-8"
    vote = Vote.objects.get()
    assert vote.receipt == body["receipt"] and vote.day == datetime.date(2019, 11, 28)
    receipt = client.get(f"/api/v1/votes/receipts/{body['receipt']}").json()
    assert receipt["status"] == "counted" and receipt["cast_at"].endswith("+08:00")


def test_one_vote_per_candidate_per_day(client, candidates, token):
    with time_machine.travel(VOTING_DAY, tick=False) as t:
        assert post(client, token, candidates[0].pk).status_code == 201
        again = post(client, token, candidates[0].pk)
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_voted"
        t.move_to("2019-11-29 10:00 +0800")
        assert post(client, token, candidates[0].pk).status_code == 201
    assert Vote.objects.count() == 2


def test_the_daily_quota_per_award(client, candidates, token, campaign):
    rules = campaign.rules
    rules["voting"]["per_voter_per_award_per_day"] = 3
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    with time_machine.travel(VOTING_DAY, tick=False):
        statuses = [post(client, token, c.pk).status_code for c in candidates]
    assert statuses == [201, 201, 201, 429, 429]
    assert Vote.objects.count() == 3


def test_replaying_with_the_same_idempotency_key_returns_the_same_receipt_and_adds_nothing(client, candidates, token):
    with time_machine.travel(VOTING_DAY, tick=False):
        first = post(client, token, candidates[0].pk, key="8d0c2c1e-1111-4b4b-9c9c-000000000001")
        second = post(client, token, candidates[0].pk, key="8d0c2c1e-1111-4b4b-9c9c-000000000001")
        other = post(client, token, candidates[1].pk, key="8d0c2c1e-1111-4b4b-9c9c-000000000001")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Vote.objects.count() == 1


def test_replays_count_toward_the_rate_limit(client, candidates, token, campaign):
    rules = campaign.rules
    rules["voting"]["limits_per_minute"]["voter"] = 3
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    key = "8d0c2c1e-1111-4b4b-9c9c-000000000002"
    with time_machine.travel(VOTING_DAY, tick=False) as t:
        statuses = [post(client, token, candidates[0].pk, key=key).status_code for _ in range(4)]
        t.move_to("2019-11-28 10:01 +0800")  # the next minute: the replay is answered again
        later = post(client, token, candidates[0].pk, key=key)
    assert statuses == [201, 201, 201, 429] and later.status_code == 201
    assert Vote.objects.count() == 1


@pytest.mark.parametrize("bad", [0, 999999, "abc"])
def test_unknown_or_unpublished_candidates(client, candidates, token, bad):
    with time_machine.travel(VOTING_DAY, tick=False):
        response = post(client, token, bad)
    assert response.status_code in (404, 422) and Vote.objects.count() == 0


def test_an_unpublished_candidate_is_404(client, candidates, token):
    candidates[0].published_at = None
    candidates[0].save()
    with time_machine.travel(VOTING_DAY, tick=False):
        assert post(client, token, candidates[0].pk).status_code == 404


@pytest.mark.parametrize("body, status, fields", [
    ("{not json", 400, None),
    ("{}", 422, {"candidate_id": "必填"}),
    ('{"candidate_id": "abc"}', 422, {"candidate_id": "应为数字"}),
    ('{"candidate_id": 0}', 422, {"candidate_id": "超出允许范围"}),
    ("[1]", 422, {"candidate_id": "必填"}),
])
def test_a_malformed_vote_is_refused_in_the_api_shape_and_writes_nothing(client, candidates, token, body, status,
                                                                         fields):
    with time_machine.travel(VOTING_DAY, tick=False):
        response = client.post("/api/v1/votes", body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == status and response["Content-Type"] == "application/json; charset=utf-8"
    error = response.json()["error"]
    assert error["message"] and error.get("fields") == fields
    assert not Vote.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_casts_a_vote(client, candidates, token, method):
    with time_machine.travel(VOTING_DAY, tick=False):
        response = getattr(client, method)("/api/v1/votes", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed" and not Vote.objects.exists()


@pytest.mark.parametrize("query, status, fields", [
    ({}, 422, {"category": "必填"}),
    ({"category": "Bad Key!"}, 422, {"category": "格式无效（不能包含控制字符等）"}),
    ({"category": "no_such_award"}, 404, None),
])
def test_a_leaderboard_for_a_bad_or_unknown_award_answers_in_the_api_shape(client, candidates, query, status, fields):
    response = client.get("/api/v1/leaderboard", query)
    assert response.status_code == status and response.json()["error"].get("fields") == fields


def test_the_leaderboard_is_read_only(client, candidates):
    response = client.post("/api/v1/leaderboard?category=model_community")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_the_openapi_document_describes_the_leaderboard(client, db):
    board = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/leaderboard"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in board["parameters"]] == [("category", "query", True)]
    assert set(board["responses"]) == {"200", "403", "404", "422"} and "security" not in board


def test_the_openapi_document_describes_the_vote(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    vote = spec["paths"]["/api/v1/votes"]["post"]
    assert vote["security"] == [{"ResidentToken": []}]
    assert vote["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/VoteIn"
    assert set(vote["responses"]) == {"201", "400", "401", "403", "404", "409", "422", "429"}
    assert spec["components"]["schemas"]["VoteIn"]["required"] == ["candidate_id"]


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Bearer", "Bearer ", "Token {token}", "{token}"])
def test_voting_needs_a_resident_token_sent_as_bearer(client, candidates, token, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization.format(token=token)}
    with time_machine.travel(VOTING_DAY, tick=False):
        response = client.post("/api/v1/votes", {"candidate_id": candidates[0].pk}, content_type="application/json",
                               **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert not Vote.objects.exists()


def test_the_bearer_scheme_is_case_insensitive(client, candidates, token):
    with time_machine.travel(VOTING_DAY, tick=False):
        response = client.post("/api/v1/votes", {"candidate_id": candidates[0].pk}, content_type="application/json",
                               HTTP_AUTHORIZATION=f"bearer {token}")
    assert response.status_code == 201


def test_the_leaderboard_counts_and_ranks_ties(client, candidates, token, resident):
    from wenming.core.models import Resident

    other = Resident.objects.create(phone="13900139000", consent_version="2019.1", consented_at=resident.consented_at)
    campaign = candidates[0].application.campaign
    with time_machine.travel(VOTING_DAY, tick=False):
        for who in (resident, other):
            services.cast_vote(campaign.pk, who.pk, candidates[1].pk)
        services.cast_vote(campaign.pk, resident.pk, candidates[2].pk)
        services.cast_vote(campaign.pk, other.pk, candidates[3].pk)
    from django.core.cache import cache

    cache.clear()
    body = client.get("/api/v1/leaderboard", {"category": "model_community"}).json()
    ranks = {item["candidate_id"]: (item["votes"], item["rank"]) for item in body["items"]}
    assert ranks[candidates[1].pk] == (2, 1)
    assert ranks[candidates[2].pk] == (1, 2) and ranks[candidates[3].pk] == (1, 2)  # a tie shares its rank
    assert ranks[candidates[0].pk] == (0, 4)


def test_hidden_counts_answer_403(client, candidates, campaign):
    rules = campaign.rules
    rules["voting"]["counts_visibility"] = "hidden"
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    response = client.get("/api/v1/leaderboard", {"category": "model_community"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "counts_hidden"


def test_a_repeat_after_the_quota_is_used_is_still_409(client, candidates, token, campaign):
    rules = campaign.rules
    rules["voting"]["per_voter_per_award_per_day"] = 2
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    with time_machine.travel(VOTING_DAY, tick=False):
        assert [post(client, token, c.pk).status_code for c in candidates[:3]] == [201, 201, 429]
        assert post(client, token, candidates[0].pk).status_code == 409


def test_daily_visibility_shows_counts_as_of_the_last_publication_time(client, candidates, token, campaign):
    rules = campaign.rules
    rules["voting"]["counts_visibility"] = "daily"
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    with time_machine.travel("2019-11-28 17:59 +0800", tick=False):
        post(client, token, candidates[0].pk)
    with time_machine.travel("2019-11-28 18:30 +0800", tick=False):
        post(client, token, candidates[1].pk)
        body = client.get("/api/v1/leaderboard", {"category": "model_community"}).json()
    votes = {i["candidate_id"]: i["votes"] for i in body["items"]}
    assert votes[candidates[0].pk] == 1 and votes[candidates[1].pk] == 0  # cast after 18:00: tomorrow's figure
    assert body["updated_at"] == "2019-11-28T18:00:00+08:00"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_repeat_is_refused_before_the_database_writes_anything(candidates, resident):
    """Migration 0006: a refused repeat takes no lock and writes nothing, so no transaction id is
    assigned and its commit has nothing to flush; the first vote of course writes."""
    from django.db import connection

    award = candidates[0].application.award_id
    call = services.CAST_PG.replace("SELECT outcome, used FROM", "SELECT outcome, txid_current_if_assigned() FROM")

    def vote():
        with connection.cursor() as cursor:
            cursor.execute(call, services._params(services.Ballot(
                resident_id=resident.pk, token_hash=None, virtual="", award_id=award, candidate_id=candidates[0].pk,
                day=datetime.date(2019, 11, 28), now=datetime.datetime(2019, 11, 28, 2, tzinfo=datetime.UTC), ip=None,
                channel="web", per_award=5, per_candidate=1, status="counted", reason="",
                receipt=services.secrets.token_hex(16), scope=f"vote:{resident.pk}", key=None, request_hash=None),
                shards=8, virtual_reason=services.VIRTUAL_REASON))
            return cursor.fetchone()

    first, repeat = vote(), vote()
    assert first[0] == "cast" and first[1] is not None
    assert repeat == ("duplicate", None)
    assert Vote.objects.count() == 1
