"""A vote while the database is out of reach: 503 in the API's shape, nothing counted."""

from unittest import mock

import time_machine
from django.db import OperationalError, connection
from django.test import Client

from wenming.core import outages
from wenming.core.tests.test_outages import assert_api_503
from wenming.voting.models import Vote
from wenming.voting.tests.test_votes import VOTING_DAY, post


def test_a_vote_while_the_database_is_down_answers_503_and_counts_nothing(candidates, token):
    with time_machine.travel(VOTING_DAY, tick=False):
        with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("refused")):
            assert_api_503(post(Client(raise_request_exception=False), token, candidates[0].pk, key="k-1"))
        assert not Vote.objects.exists()
        # Back: the same Idempotency-Key casts the vote once.
        assert post(Client(), token, candidates[0].pk, key="k-1").status_code == 201
    assert Vote.objects.count() == 1 and not outages.incidents.open_kinds()


def test_without_redis_the_showcase_and_leaderboard_answer_and_the_vote_fails_closed(settings, candidates, token):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": settings.REDIS_URL,
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    client = Client(raise_request_exception=False)
    with time_machine.travel(VOTING_DAY, tick=False):
        listing = client.get("/showcase/")
        assert listing.status_code == 200 and candidates[0].title in listing.content.decode()
        assert client.get(f"/showcase/{candidates[0].pk}/").status_code == 200
        board = client.get("/api/v1/leaderboard?category=model_community")
        assert board.status_code == 200 and len(board.json()["items"]) == len(candidates)
        # The rate limits cannot be enforced: refused, nothing written.
        assert_api_503(post(client, token, candidates[0].pk))
    assert not Vote.objects.exists()
    outages.incidents.clear()
