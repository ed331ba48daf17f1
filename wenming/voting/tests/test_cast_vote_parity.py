"""One table of cases for the vote, held against both ways it is taken: the Python path of single
statements (`_cast_portable`, what SQLite runs) and the PostgreSQL function
(voting/sql/cast_vote.sql). On SQLite the table runs on the Python path; on PostgreSQL on both,
against the same expected answers, so the two can never differ on any case of the table.

Each case votes a few times first (each must be accepted), then casts the vote under test, and
compares what a voter and the office would see: the answer (status, error code or body), the
vote rows (candidate, slot, status, reason), the day's quota, the tally, the stored answers."""

import dataclasses
import datetime

import pytest
import time_machine

from wenming.core import refusals
from wenming.core.models import IdempotentResponse, Resident, ResidentToken, hash_token
from wenming.voting import services
from wenming.voting.models import DailyQuota, TallyShard, Vote

VOTING_DAY = datetime.datetime(2019, 11, 28, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
IP = "10.20.30.40"
KEY = "8d0c2c1e-1111-4b4b-9c9c-000000000001"


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    vote: int | str  # the candidate voted for (an index), or "unpublished"
    answer: tuple  # (201, remaining_today) | (201, "first") the first answer again | (status, code)
    rows: tuple = ()  # every vote row afterwards: (candidate, slot, status, reason)
    before: tuple = ()  # votes cast first, each accepted: candidate indexes, or (index, {kwargs})
    key: str | None = None
    at: datetime.datetime = VOTING_DAY
    ip: str = IP
    token: str = "valid"  # "valid" | "expired" | "another resident's"
    phone: str = "13800138000"
    voting: dict = dataclasses.field(default_factory=dict)  # the campaign's voting rules changed
    risk: dict = dataclasses.field(default_factory=dict)
    quota: int | None = None  # the day's quota used afterwards (None: no row)
    answers: int = 0  # stored Idempotency-Key answers afterwards


C, Q = "counted", "quarantined"
NET = "同一网段（10.20.30.0/24）当日投票集中"
CASES = [
    Case("a first vote is cast", vote=0, answer=(201, 4), rows=((0, 1, C, ""),), quota=1),
    Case("before the window opens", vote=0, at=datetime.datetime(2019, 11, 25, 23, 59, tzinfo=VOTING_DAY.tzinfo),
         answer=(403, "voting_closed")),
    Case("after the window closes", vote=0, at=datetime.datetime(2019, 12, 6, 0, 0, tzinfo=VOTING_DAY.tzinfo),
         answer=(403, "voting_closed")),
    Case("the award's quota for the day is used", voting={"per_voter_per_award_per_day": 2}, before=(0, 1), vote=2,
         answer=(429, "quota_used"), rows=((0, 1, C, ""), (1, 1, C, "")), quota=2),
    Case("a second vote for a candidate the same day", before=(0,), vote=0, answer=(409, "already_voted"),
         rows=((0, 1, C, ""),), quota=1),
    Case("a repeat after the quota is used is a repeat", voting={"per_voter_per_award_per_day": 2}, before=(0, 1),
         vote=0, answer=(409, "already_voted"), rows=((0, 1, C, ""), (1, 1, C, "")), quota=2),
    Case("two votes a day for a candidate where the rules allow two", voting={"per_candidate_per_voter_per_day": 2},
         before=(0,), vote=0, answer=(201, 3), rows=((0, 1, C, ""), (0, 2, C, "")), quota=2),
    Case("a third where they allow two", voting={"per_candidate_per_voter_per_day": 2}, before=(0, 0), vote=0,
         answer=(409, "already_voted"), rows=((0, 1, C, ""), (0, 2, C, "")), quota=2),
    Case("the same Idempotency-Key again", before=((0, {"key": KEY}),), vote=0, key=KEY, answer=(201, "first"),
         rows=((0, 1, C, ""),), quota=1, answers=1),
    Case("the same Idempotency-Key for another candidate", before=((0, {"key": KEY}),), vote=1, key=KEY,
         answer=(422, "idempotency_key_reused"), rows=((0, 1, C, ""),), quota=1, answers=1),
    Case("a refused vote keeps no answer for its key", before=(0,), vote=0, key=KEY, answer=(409, "already_voted"),
         rows=((0, 1, C, ""),), quota=1),
    Case("a key's first vote is stored", vote=0, key=KEY, answer=(201, 4), rows=((0, 1, C, ""),), quota=1, answers=1),
    Case("too many votes from one network in a day", risk={"net24_daily": 1}, before=((0, {"ip": "10.20.30.41"}),),
         vote=1, answer=(201, 3), rows=((0, 1, C, ""), (1, 1, Q, NET)), quota=2),
    Case("a virtual operator's number", phone="17012345678", risk={"virtual_prefixes": ["165", "170"]}, vote=0,
         answer=(201, 4), rows=((0, 1, Q, services.VIRTUAL_REASON),), quota=1),
    Case("too many requests a minute", voting={"limits_per_minute": {"voter": 1, "ip": 60, "net24": 600}}, before=(0,),
         vote=1, answer=(429, "too_many_requests"), rows=((0, 1, C, ""),), quota=1),
    Case("an unpublished candidate", vote="unpublished", answer=(404, "not_found")),
    Case("an expired token", token="expired", vote=0, answer=(401, "unauthorized")),
    Case("another resident's token", token="another resident's", vote=0, answer=(401, "unauthorized")),
]


@pytest.fixture(params=["python", pytest.param("postgresql", marks=pytest.mark.postgres)])
def way(request, monkeypatch):
    """Which way the vote is taken: on PostgreSQL the function, unless the Python path is forced."""
    if request.param == "python":
        monkeypatch.setattr(services, "_cast_pg", services._cast_portable)
    return request.param


def _token(resident, *, days):
    raw = f"token-{resident.pk}-{days}"
    ResidentToken.objects.create(resident=resident, key_hash=hash_token(raw),
                                 expires_at=VOTING_DAY + datetime.timedelta(days=days))
    return hash_token(raw)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_vote_answers_the_same_either_way(way, case, campaign, candidates):
    rules = campaign.rules
    rules["voting"].update(case.voting)
    rules["voting"]["risk"].update(case.risk)
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    resident = Resident.objects.create(phone=case.phone, consent_version="2019.1", consented_at=VOTING_DAY)
    other = Resident.objects.create(phone="13900139000", consent_version="2019.1", consented_at=VOTING_DAY)
    valid = _token(resident, days=1)
    token = {"valid": valid, "expired": _token(resident, days=-1), "another resident's": _token(other, days=1)}[case.token]
    unpublished = candidates[-1]
    unpublished.published_at = None
    unpublished.save(update_fields=["published_at"])
    ids = [c.pk for c in candidates]

    def cast(candidate, token_hash, **kwargs):
        options = {"ip": IP, "now": VOTING_DAY} | kwargs
        with time_machine.travel(options["now"], tick=False):
            return services.cast_vote(campaign.pk, resident.pk, candidate, token_hash=token_hash, **options)

    first = None
    for vote in case.before:
        index, kwargs = vote if isinstance(vote, tuple) else (vote, {})
        kwargs = dict(kwargs)
        key = kwargs.pop("key", None)
        first = cast(ids[index], valid, idempotency_key=key, **kwargs)
        assert first.status == 201
    target = unpublished.pk if case.vote == "unpublished" else ids[case.vote]
    try:
        cast_ = cast(target, token, idempotency_key=case.key, ip=case.ip, now=case.at)
    except services.VoteRefused as refused:
        answer = (refusals.api_status(refused), refused.code)
    else:
        body = cast_.body
        assert body["candidate_id"] == target and len(body["receipt"]) == 32
        answer = (cast_.status, "first" if first is not None and body == first.body else body["remaining_today"])

    assert answer == case.answer
    rows = tuple(Vote.objects.order_by("cast_at", "pk").values_list("candidate_id", "slot", "status", "status_reason"))
    assert tuple((ids.index(c), slot, status, reason) for c, slot, status, reason in rows) == case.rows
    assert [q.used for q in DailyQuota.objects.all()] == ([] if case.quota is None else [case.quota])
    tally = {}
    for shard in TallyShard.objects.filter(counted__gt=0):
        tally[ids.index(shard.candidate_id)] = tally.get(ids.index(shard.candidate_id), 0) + shard.counted
    counted = {}
    for candidate, _, status, _ in case.rows:
        counted[candidate] = counted.get(candidate, 0) + (status == C)
    assert tally == {c: n for c, n in counted.items() if n}
    assert IdempotentResponse.objects.count() == case.answers
