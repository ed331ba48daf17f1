"""The vote path, the public board, the leaderboard and the voters' lottery.

Correctness under concurrency comes from the database, never from a check before an insert:
the unique (voter, candidate, day, slot) key makes a second vote for the same candidate fail,
and the daily award quota is a conditional UPDATE (`used < limit`) in the same transaction as
the vote, so 128 parallel requests can only ever produce the allowed number of rows."""

import contextlib
import dataclasses
import datetime
import hashlib
import json
import secrets
import threading
from types import MappingProxyType

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from wenming.awards.models import Showcase, Status
from wenming.awards.services import SHOWCASE as SHOWCASE_VERSION
from wenming.campaigns import clock
from wenming.campaigns.services import CAMPAIGN_VERSION
from wenming.core import audit, counters, hotsql, metrics, notifications, versions
from wenming.core.access import ensure_office
from wenming.core.errors import Conflict, DomainError
from wenming.core.models import IdempotentResponse, Resident
from wenming.core.validators import mask_phone
from wenming.voting import published, published_lottery
from wenming.voting.board import (  # noqa: F401  (the names callers know)
    board_tally,
    sequence_all,
    sequence_board,
    verify_board,
    verify_statuses,
    verify_tally,
)
from wenming.voting.models import (
    TALLY_SHARDS,
    DailyQuota,
    Lottery,
    LotteryEntrant,
    TallyShard,
    Vote,
    Voter,
    VoteStatus,
)

GENESIS = published.GENESIS
LEADERBOARD_TTL = 1  # seconds: "never stale by more than a few seconds"


class VoteRefused(DomainError):
    """A refused vote: its `code` (already_voted, quota_used, …) decides the answer
    (wenming.core.refusals), the message is the resident's."""

    def __init__(self, code, message):
        super().__init__(message, code)


class TokenRefused(VoteRefused):
    """The bearer token is not (or no longer) this resident's: expired, withdrawn, never issued."""

    def __init__(self):
        super().__init__("unauthorized", "手机号验证已失效，请重新验证后再投票")


@dataclasses.dataclass
class Cast:
    status: int
    body: dict


VOTE = clock.gate("vote", "voting.services.cast_vote")


def voter_for(resident_id):
    voter, _ = Voter.objects.get_or_create(resident_id=resident_id)
    return voter


def rules(campaign):
    return campaign.typed_rules.voting


@dataclasses.dataclass(frozen=True)
class VotingContext:
    """What the vote path needs of the campaign, cached per process under the shared campaign
    version (loading a preset, extending or shifting dates bump it)."""

    campaign_id: int
    tz: object
    name: str
    opens: datetime.datetime
    closes: datetime.datetime
    per_award: int
    per_candidate: int
    limits: dict
    risk: dict
    virtual: str  # the virtual-operator prefixes, comma-separated (digits only: campaigns.presets)


_contexts = versions.Memo(CAMPAIGN_VERSION)
_candidates = versions.Memo(SHOWCASE_VERSION, CAMPAIGN_VERSION)


def voting_context(campaign_id):
    """The campaign's VotingContext, computed once per process per campaign version."""

    def compute():
        from wenming.campaigns.models import Campaign

        campaign = Campaign.objects.get(pk=campaign_id)
        name, opens, closes = clock.window(campaign, VOTE)
        limits = rules(campaign)
        return VotingContext(campaign.pk, campaign.tz, name, opens, closes, limits.per_voter_per_award_per_day,
                             limits.per_candidate_per_voter_per_day,
                             MappingProxyType(dict(limits.limits_per_minute)),
                             MappingProxyType(limits.risk.model_dump()),
                             ",".join(limits.risk.virtual_prefixes))

    return _contexts.get(campaign_id, compute)


def _candidate_award(context, candidate_id):
    """The award of a published candidate of this campaign, or VoteRefused (not_found). Kept under
    the showcase version, which every publication change bumps."""
    try:
        candidate_id = int(candidate_id)
    except (TypeError, ValueError):
        raise VoteRefused("not_found", "候选不存在") from None
    award_id = _candidates.get((context.campaign_id, candidate_id), lambda: (
        Showcase.objects.filter(pk=candidate_id, published_at__isnull=False, application__status=Status.CANDIDATE,
                                application__campaign_id=context.campaign_id)
        .values_list("application__award_id", flat=True).first()))
    if award_id is None:
        raise VoteRefused("not_found", "候选不存在或未公开")
    return candidate_id, award_id


def _voter_id(resident_id):
    key = f"vote:voter:{resident_id}"
    voter_id = cache.get(key)
    if voter_id is None:
        voter_id = voter_for(resident_id).pk
        cache.set(key, voter_id, 3600)
    return voter_id


def _request_hash(candidate_id):
    return hashlib.sha256(json.dumps({"candidate_id": candidate_id}, sort_keys=True).encode()).hexdigest()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Ballot:
    """One vote as the database statements need it: built by keyword, and each field is the
    statements' parameter of the same name (`%(award_id)s`)."""

    resident_id: int
    token_hash: str | None
    virtual: str
    award_id: int
    candidate_id: int
    day: datetime.date
    now: datetime.datetime
    ip: str | None
    channel: str
    per_award: int
    per_candidate: int
    status: str
    reason: str
    receipt: str
    scope: str
    key: str | None
    request_hash: str | None


def cast_vote(campaign_id, resident_id, candidate_id, *, token_hash=None, idempotency_key=None, ip=None,
              channel="web", now=None):
    """Cast one vote; returns Cast(201, body) or the stored first answer for a repeated key.
    Raises VoteRefused(401 the token is not (or no longer) this resident's, 403 outside the
    window, 404 unknown candidate, 409 already voted for this candidate today, 429 quota used
    up or too many requests, 422 a reused key with another body).

    `token_hash` is the SHA-256 of a bearer token that nobody has looked up yet (a signed
    token names its resident): its row is checked in the vote's own statement. Without it the
    caller vouches for the resident (the phone-verified page). Whether the number is a
    virtual operator's is also decided there, from the resident's row.

    On PostgreSQL the vote is one call of the `wenming_cast_vote` function (one round trip,
    its own transaction); elsewhere a short transaction of single statements."""
    now = now or timezone.now()
    scope = f"vote:{resident_id}"
    request_hash = _request_hash(candidate_id) if idempotency_key else None
    if idempotency_key:
        stored = IdempotentResponse.objects.filter(scope=scope, key=idempotency_key).first()
        if stored is not None:
            if token_hash is not None and _prefix_of(resident_id, token_hash, now) is None:
                raise TokenRefused
            # A replay changes nothing, yet counts toward the rate limits: a flood of replays is
            # a flood all the same.
            limits = _rate_limits(voting_context(campaign_id), resident_id, ip, int(now.timestamp() // 60))
            _enforce(limits, counters.bump([(key, seconds) for key, seconds, _, _ in limits]))
            return _replay(stored, request_hash)
    context = voting_context(campaign_id)
    if not context.opens <= now < context.closes:
        raise VoteRefused("voting_closed", str(clock.WindowClosed(context.name, context.opens, context.closes,
                                                                        context.tz)))
    candidate_id, award_id = _candidate_award(context, candidate_id)
    local = now.astimezone(context.tz)
    status, reason = _screen(context, resident_id, candidate_id, ip, now, local)
    ballot = Ballot(resident_id=resident_id, token_hash=token_hash, virtual=context.virtual, award_id=award_id,
                    candidate_id=candidate_id, day=local.date(), now=now, ip=ip, channel=channel,
                    per_award=context.per_award, per_candidate=context.per_candidate, status=status, reason=reason,
                    receipt=secrets.token_hex(16), scope=scope, key=idempotency_key, request_hash=request_hash)
    outcome, used = (_cast_pg if connection.vendor == "postgresql" else _cast_portable)(ballot)
    metrics.VOTE_OUTCOMES[outcome].inc()
    if outcome == "unauthorized":
        raise TokenRefused
    if outcome == "replay":
        return _replay(IdempotentResponse.objects.get(scope=scope, key=idempotency_key), request_hash)
    if outcome == "duplicate":
        raise VoteRefused("already_voted", "今天已为该候选投过票，明天可以再投")
    if outcome == "quota":
        raise VoteRefused("quota_used", f"该奖项今天的 {context.per_award} 票已投完，明天可以再投")
    return Cast(201, {"receipt": ballot.receipt, "candidate_id": candidate_id,
                      "remaining_today": context.per_award - used})


def refusal_before_vote(campaign_id, resident_id, candidate_id, now=None):
    """The reason the page's vote button would be refused right now (window closed, today's
    award quota used, this candidate already voted for today), or None. A read for the page,
    so it says so at once; the vote itself still decides in the database (`cast_vote`)."""
    now = now or timezone.now()
    context = voting_context(campaign_id)
    if not context.opens <= now < context.closes:
        return str(clock.WindowClosed(context.name, context.opens, context.closes, context.tz))
    candidate_id, award_id = _candidate_award(context, candidate_id)
    voter = Voter.objects.filter(resident_id=resident_id).values_list("pk", flat=True).first()
    if voter is None:
        return None
    day = now.astimezone(context.tz).date()
    used = DailyQuota.objects.filter(voter_id=voter, award_id=award_id, day=day).values_list("used", flat=True).first()
    if (used or 0) >= context.per_award:
        return f"该奖项今天的 {context.per_award} 票已投完，明天可以再投"
    if Vote.objects.filter(voter_id=voter, candidate_id=candidate_id, day=day).count() >= context.per_candidate:
        return "今天已为该候选投过票，明天可以再投"
    return None


def net24(ip):
    """The /24 of an IPv4 address (or the /48 of an IPv6 one): one network, one neighbourhood."""
    if not ip:
        return "none"
    if ":" in ip:
        return ":".join(ip.split(":")[:3]) + "::/48"
    return ".".join(ip.split(".")[:3]) + ".0/24"


def _screen(context, resident_id, candidate_id, ip, now, local):
    """The rate limits, then the risk signals: (status, reason) of the vote, or VoteRefused(429).
    Every counter of one vote is bumped in one call (`core.counters`: one round trip with
    Redis), so the signals count attempts, including those a limit then refuses. (A virtual
    operator's number is quarantined later, from the resident's row: `VIRTUAL_REASON`.)"""
    minute = int(now.timestamp() // 60)
    limits = _rate_limits(context, resident_id, ip, minute)
    signals = _risk_signals(context, candidate_id, ip, minute, local)
    counts = counters.bump([(key, seconds) for key, seconds, _, _ in limits + signals])
    _enforce(limits, counts[:len(limits)])
    for count, (_, _, limit, reason) in zip(counts[len(limits):], signals, strict=True):
        if limit is not None and count > limit:
            return VoteStatus.QUARANTINED, reason
    return VoteStatus.COUNTED, ""


def _enforce(limits, counts):
    """VoteRefused(429) when any rate limit's count after this hit is over its figure."""
    if any(count > limit for count, (_, _, limit, _) in zip(counts, limits, strict=True)):
        raise VoteRefused("too_many_requests", "操作过于频繁，请稍后再试")


def _rate_limits(context, resident_id, ip, minute):
    """Independent per-minute limits per voter, address and /24 (addresses from a trusted
    proxy only: see core.request_context), as (key, seconds, limit, None). Exceeding any
    answers 429 without saying which."""
    return [(f"vote:rate:{name}:{value}:{minute}", 120, context.limits[name], None)
            for name, value in (("voter", resident_id), ("ip", ip or "none"), ("net24", net24(ip)))
            if name in context.limits]


def _risk_signals(context, candidate_id, ip, minute, local):
    """The counters whose excess sends a vote to quarantine (kept, not counted) for review,
    as (key, seconds, limit or None, reason)."""
    risk = context.risk
    network = net24(ip)
    day = local.date().isoformat()
    start, end = (risk.get("night_hours") or [0, 0])[:2]
    signals = [
        (f"vote:risk:net24:{network}:{day}", 90000, risk.get("net24_daily"), f"同一网段（{network}）当日投票集中"),
        (f"vote:risk:burst:{candidate_id}:{network}:{minute}", 120, risk.get("candidate_burst_per_minute"),
         f"同一网段短时间内集中投票（{network}）"),
    ]
    if start <= local.hour < end:
        signals.append((f"vote:risk:night:{network}:{day}", 43200, risk.get("night_net24"),
                        f"夜间同一网段集中投票（{network}）"))
    return signals


_sqlite_writers = threading.Lock()


def _writer_queue():
    """SQLite has one writer at a time and its busy handler retries with growing sleeps, which
    makes the slowest votes very slow; queueing this process's writers on a lock keeps the wait
    fair. PostgreSQL needs nothing: row locks and unique indexes do the work."""
    return _sqlite_writers if connection.vendor == "sqlite" else contextlib.nullcontext()


def _replay(stored, request_hash):
    if stored.request_hash != request_hash:
        raise VoteRefused("idempotency_key_reused", "同一个 Idempotency-Key 不能用于不同的请求")
    return Cast(stored.status, stored.body)


# The portable path's statements, with named parameters (a Ballot's fields, plus `voter_id`,
# `slot`, `shard` and `delta`). Only table names (model constants) are interpolated; every value
# is a query parameter. SQLite (≥ 3.35) and PostgreSQL both run them unchanged.
_VOTE, _QUOTA, _TALLY = Vote._meta.db_table, DailyQuota._meta.db_table, TallyShard._meta.db_table
INSERT_VOTE = (
    f"INSERT INTO {_VOTE} (receipt, award_id, candidate_id, voter_id, day, slot, cast_at, channel, status, "  # noqa: S608
    "status_reason, ip) VALUES (%(receipt)s, %(award_id)s, %(candidate_id)s, %(voter_id)s, %(day)s, %(slot)s, "
    "%(now)s, %(channel)s, %(status)s, %(reason)s, %(ip)s) "
    "ON CONFLICT (voter_id, candidate_id, day, slot) DO NOTHING RETURNING id")
TAKE_QUOTA = (
    f"INSERT INTO {_QUOTA} (voter_id, award_id, day, used) VALUES (%(voter_id)s, %(award_id)s, %(day)s, 1) "  # noqa: S608
    f"ON CONFLICT (voter_id, award_id, day) DO UPDATE SET used = {_QUOTA}.used + 1 "
    f"WHERE {_QUOTA}.used < %(per_award)s RETURNING used")
COUNT_VOTE = (
    f"INSERT INTO {_TALLY} (candidate_id, shard, counted) VALUES (%(candidate_id)s, %(shard)s, %(delta)s) "  # noqa: S608
    f"ON CONFLICT (candidate_id, shard) DO UPDATE SET counted = {_TALLY}.counted + %(delta)s")
# PostgreSQL: voting/sql/cast_vote.sql does all of the above in one call. Its parameters are
# passed by name (`p_award => …`), each from the Ballot field of the same meaning, and each is
# cast: the statement is prepared once per connection (core.hotsql).
CAST_PG = """SELECT outcome, used FROM wenming_cast_vote(
    p_resident => %(resident_id)s::bigint, p_token => %(token_hash)s::text,
    p_virtual => %(virtual)s::text, p_virtual_reason => %(virtual_reason)s::text,
    p_award => %(award_id)s::bigint, p_candidate => %(candidate_id)s::bigint,
    p_day => %(day)s::date, p_now => %(now)s::timestamptz,
    p_per_award => %(per_award)s::int, p_per_candidate => %(per_candidate)s::int,
    p_ip => %(ip)s::inet, p_channel => %(channel)s::text, p_status => %(status)s::text,
    p_reason => %(reason)s::text, p_receipt => %(receipt)s::text, p_shards => %(shards)s::int,
    p_scope => %(scope)s::text, p_key => %(key)s::text, p_request_hash => %(request_hash)s::text)"""
VIRTUAL_REASON = "虚拟运营商号段"


def _params(b, **extra):
    """The statements' named parameters: the ballot's fields and `extra`."""
    return {**{field.name: getattr(b, field.name) for field in dataclasses.fields(b)}, **extra}


def _cast_pg(b):
    """("cast", used) or ("unauthorized" | "duplicate" | "quota" | "replay", None), in one round trip."""
    return hotsql.fetchone(CAST_PG, _params(b, shards=TALLY_SHARDS, virtual_reason=VIRTUAL_REASON))


def _prefix_of(resident_id, token_hash, now):
    """The first digits of the resident's phone (core.fields: kept in plain text, so nothing is
    decrypted per vote), or None without such a resident; with a token hash, only while that
    token is theirs and unexpired."""
    residents = Resident.objects.filter(pk=resident_id)
    if token_hash is not None:
        residents = residents.filter(tokens__key_hash=token_hash, tokens__expires_at__gt=now)
    return residents.values_list("phone_prefix", flat=True).first()


class _Undo(Exception):
    """Raised inside the transaction to roll a refused vote back; carries the outcome."""


def _cast_portable(b):
    """The same steps as the PostgreSQL function, as single statements: who votes (the token,
    a virtual operator's number), then in one transaction vote insert (the unique key
    decides), quota upsert (`used < limit`), counter upsert, then the idempotency record. A
    refusal rolls the whole transaction back."""
    prefix = _prefix_of(b.resident_id, b.token_hash, b.now)
    if prefix is None:
        return "unauthorized", None
    if b.virtual and prefix.startswith(tuple(b.virtual.split(","))):
        b = dataclasses.replace(b, status=VoteStatus.QUARANTINED, reason=VIRTUAL_REASON)
    voter_id = _voter_id(b.resident_id)
    try:
        with _writer_queue(), transaction.atomic():
            if not _insert_vote(voter_id, b):
                raise _Undo("duplicate")
            used = _take_quota(voter_id, b.award_id, b.day, b.per_award)
            if used is None:
                raise _Undo("quota")
            if b.status == VoteStatus.COUNTED:
                _count(b.candidate_id, voter_id)
            if b.key:
                IdempotentResponse.objects.create(
                    scope=b.scope, key=b.key, request_hash=b.request_hash, status=201,
                    body={"receipt": b.receipt, "candidate_id": b.candidate_id, "remaining_today": b.per_award - used})
    except _Undo as refused:
        return str(refused), None
    except IntegrityError:
        if b.key and IdempotentResponse.objects.filter(scope=b.scope, key=b.key).exists():
            return "replay", None  # a concurrent request with the same key won
        raise
    return "cast", used


def _insert_vote(voter_id, b):
    """INSERT … ON CONFLICT DO NOTHING RETURNING per slot: True once a free slot took the vote."""
    params = _params(b, voter_id=voter_id)
    with connection.cursor() as cursor:
        for slot in range(1, b.per_candidate + 1):
            cursor.execute(INSERT_VOTE, {**params, "slot": slot})
            if cursor.fetchone() is not None:
                return True
    return False


def _take_quota(voter_id, award_id, day, limit):
    """One upsert: creates the day's row at 1, or adds 1 only while under the limit; None when used up."""
    with connection.cursor() as cursor:
        cursor.execute(TAKE_QUOTA, {"voter_id": voter_id, "award_id": award_id, "day": day, "per_award": limit})
        row = cursor.fetchone()
    return row[0] if row else None


def _count(candidate_id, voter_id, delta=1):
    with connection.cursor() as cursor:
        cursor.execute(COUNT_VOTE, {"candidate_id": candidate_id, "shard": voter_id % TALLY_SHARDS, "delta": delta})


def rebuild_tally():
    """Counters are derived: recompute every shard from the vote rows."""
    with transaction.atomic():
        TallyShard.objects.all().delete()
        rows = (Vote.objects.filter(status=VoteStatus.COUNTED).values("candidate_id", "voter_id"))
        totals = {}
        for row in rows.iterator(chunk_size=5000):
            key = (row["candidate_id"], row["voter_id"] % TALLY_SHARDS)
            totals[key] = totals.get(key, 0) + 1
        TallyShard.objects.bulk_create([TallyShard(candidate_id=c, shard=s, counted=n) for (c, s), n in totals.items()])


# --- the public board: wenming.voting.board (the database side) and .published (the files) -----


def entry_hash(prev, index, vote):
    """The hash of a vote's entry (an event's: board._event)."""
    return published.entry_hash(prev, index, "vote", vote.receipt, vote.candidate_id, published.utc_text(vote.cast_at))


# --- leaderboard ----------------------------------------------------------------------------

def daily_cutoff(campaign, now=None):
    """The latest daily publication time (e.g. 18:00 Beijing time) not after now."""
    now = now or timezone.now()
    hour, minute = (int(x) for x in rules(campaign).publish_daily_at.split(":"))
    local = now.astimezone(campaign.tz)
    cutoff = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return cutoff if cutoff <= local else cutoff - datetime.timedelta(days=1)


# The daily figures (an aggregate over vote rows) for one publication time, kept in this process
# for an hour under the campaign and showcase versions. The live figures are not kept here: they
# come from the counters, and the API keeps its whole answer for a second (voting.api), so the
# leaderboard is cached once.
_daily_counts = versions.Memo(CAMPAIGN_VERSION, SHOWCASE_VERSION, seconds=3600)


def leaderboard(campaign, award_key, now=None):
    """{"items": [{candidate_id, name, votes, rank}], "updated_at"}.

    live: from the counters (never an aggregate over vote rows).
    daily: counted votes cast before the latest publication time, one aggregate per day."""
    daily = rules(campaign).counts_visibility == "daily"
    cutoff = daily_cutoff(campaign, now) if daily else None
    candidates = list(Showcase.objects.filter(application__campaign=campaign, application__award__key=award_key,
                                              published_at__isnull=False, application__status=Status.CANDIDATE))
    if daily:
        counts = dict(_daily_counts.get((campaign.pk, award_key, cutoff), lambda: tuple(
            Vote.objects.filter(candidate__in=candidates, status=VoteStatus.COUNTED, cast_at__lt=cutoff)
            .values_list("candidate_id").annotate(n=Count("id")).values_list("candidate_id", "n"))))
    else:
        counts = dict(TallyShard.objects.filter(candidate__in=candidates).values_list("candidate_id")
                      .annotate(n=Sum("counted")).values_list("candidate_id", "n"))
    ordered = sorted(candidates, key=lambda c: (-counts.get(c.pk, 0), c.title))
    result, rank, last = [], 0, None
    for position, candidate in enumerate(ordered, start=1):
        votes = counts.get(candidate.pk, 0)
        if votes != last:
            rank, last = position, votes
        result.append({"candidate_id": candidate.pk, "name": candidate.title, "votes": votes, "rank": rank})
    return {"items": result, "updated_at": timezone.localtime(cutoff or timezone.now()).isoformat()}


# --- lottery --------------------------------------------------------------------------------
# The rule and the files are `published_lottery` (standard library only); these are the steps.

entrants_hash = published_lottery.entrants_hash
ranking = published_lottery.ranking
LOTTERY_OFFICE_ONLY = "只有评选工作办公室可以组织抽奖"


@transaction.atomic
def commit_lottery(lottery: Lottery, *, actor, public_source: str, public_date: datetime.date) -> Lottery:
    """Freeze the entrants (voters all of whose votes stand), publish the entrants hash and the
    server seed's commitment, and name the public value the draw will combine it with: the
    official figures of a later date, unknown now. The server seed stays secret until the draw.
    The row is locked before `committed_at` is checked, so of two commits at once the second
    waits and is refused (Conflict) instead of adding a second set of entrants."""
    ensure_office(actor, LOTTERY_OFFICE_ONLY)
    lottery = Lottery.objects.select_for_update().get(pk=lottery.pk)
    if lottery.committed_at:
        raise Conflict("抽奖名单已公布")
    _, _, closes = clock.window(lottery.campaign, VOTE)
    if timezone.now() < closes:
        raise Conflict(f"投票截止（{clock.display_end(closes, lottery.campaign.tz)}）后才能锁定抽奖名单")
    public_source = " ".join(public_source.split())
    if not public_source:
        raise ValidationError({"public_source": "请写明公开数值的来源，例如某彩票某日某期的开奖号码"})
    today = timezone.localdate(timezone.now(), lottery.campaign.tz)
    if public_date <= today:
        raise ValidationError({"public_date": "公开数值须是今天之后才产生的（锁定名单时任何人都不可能知道），请选择以后的日期"})
    bad = Vote.objects.filter(award__campaign=lottery.campaign).exclude(status=VoteStatus.COUNTED)
    voters = (Voter.objects.filter(votes__award__campaign=lottery.campaign, votes__status=VoteStatus.COUNTED)
              .exclude(pk__in=bad.values("voter_id")).distinct())
    LotteryEntrant.objects.bulk_create([LotteryEntrant(lottery=lottery, voter=v, pseudonym=secrets.token_hex(8))
                                        for v in voters])
    pseudonyms = list(lottery.entrants.values_list("pseudonym", flat=True))
    lottery.seed = secrets.token_hex(32)
    lottery.seed_commitment = hashlib.sha256(lottery.seed.encode()).hexdigest()
    lottery.entrants_hash = entrants_hash(pseudonyms)
    lottery.public_source, lottery.public_date = public_source, public_date
    lottery.committed_at = timezone.now()
    lottery.save(update_fields=["seed", "seed_commitment", "entrants_hash", "public_source", "public_date",
                                "committed_at"])
    audit.record("voting.lottery.committed", actor=actor, target=lottery,
                 after={"entrants": len(pseudonyms), "entrants_hash": lottery.entrants_hash,
                        "seed_commitment": lottery.seed_commitment, "public_source": public_source,
                        "public_date": public_date.isoformat()})
    return lottery


@transaction.atomic
def enter_public_value(lottery: Lottery, *, actor, value: str) -> bool:
    """Two-person rule: two different office members each enter the public value after its
    date, independently (the first entry is never shown); the second must match the first.
    A mismatch is refused and writes nothing; the first member may correct their own entry.
    Returns True once the value is confirmed."""
    ensure_office(actor, LOTTERY_OFFICE_ONLY)
    lottery = Lottery.objects.select_for_update().get(pk=lottery.pk)
    if not lottery.committed_at:
        raise Conflict("须先锁定参与名单并指定公开数值的来源")
    if lottery.public_value:
        raise Conflict("公开数值已由两名成员确认")
    today = timezone.localdate(timezone.now(), lottery.campaign.tz)
    if today < lottery.public_date:
        raise Conflict(f"公开数值在 {lottery.public_date:%Y年%-m月%-d日} 产生，届时才能录入")
    value = published_lottery.normalise_public_value(value)
    if not value:
        raise ValidationError({"value": "请录入公开数值"})
    if not lottery.public_value_first or lottery.public_value_first_by_id == actor.pk:
        lottery.public_value_first, lottery.public_value_first_by = value, actor
        lottery.save(update_fields=["public_value_first", "public_value_first_by"])
        audit.record("voting.lottery.value_entered", actor=actor, target=lottery, after={"entry": 1})
        return False
    if value != lottery.public_value_first:
        raise ValidationError({"value": "与另一名成员录入的数值不一致，请核对公开来源后重新录入"})
    lottery.public_value, lottery.public_value_by = value, actor
    lottery.save(update_fields=["public_value", "public_value_by"])
    audit.record("voting.lottery.value_confirmed", actor=actor, target=lottery, after={"public_value": value})
    return True


@transaction.atomic
def draw_lottery(lottery: Lottery, *, actor) -> Lottery:
    """Reveal the server seed, derive the draw's seed with the confirmed public value, rank,
    and text the winners (queued for the task worker once the transaction commits)."""
    ensure_office(actor, LOTTERY_OFFICE_ONLY)
    lottery = Lottery.objects.select_for_update().get(pk=lottery.pk)
    if not lottery.committed_at:
        raise Conflict("须先公布抽奖名单和种子承诺")
    if lottery.drawn_at:
        raise Conflict("已开奖")
    if not lottery.public_value:
        raise Conflict("公开数值须由两名成员录入一致后才能开奖")
    lottery.draw_seed = published_lottery.draw_seed(lottery.seed, lottery.public_value)
    order = ranking(lottery.draw_seed, lottery.entrants.values_list("pseudonym", flat=True))
    winners = order[: lottery.winners_count]
    for rank, pseudonym in enumerate(winners, start=1):
        lottery.entrants.filter(pseudonym=pseudonym).update(rank=rank)
    lottery.drawn_at = timezone.now()
    lottery.save(update_fields=["draw_seed", "drawn_at"])
    audit.record("voting.lottery.drawn", actor=actor, target=lottery,
                 after={"seed": lottery.seed, "public_value": lottery.public_value, "draw_seed": lottery.draw_seed,
                        "winners": winners})
    notify_winners(lottery, actor=actor)
    return lottery


def winner_key(lottery, entrant):
    return f"voting.lottery.{lottery.pk}.winner.{entrant.pk}"


def notify_winners(lottery, *, actor):
    """Text each winner through the task worker (core.notifications, kind `lottery_won`, the
    entrant id in the message), once: a winner already queued is not queued again, and one whose
    SMS failed is queued once more (the office's 重发). Returns (queued, queued again)."""
    winners = list(lottery.entrants.filter(rank__isnull=False).select_related("voter__resident").order_by("rank"))
    keys = [winner_key(lottery, w) for w in winners]
    known = notifications.by_key(keys)
    new = [w for w in winners if winner_key(lottery, w) not in known]
    notifications.notify_residents([
        (w.voter.resident.phone, f"恭喜！您参与的“{lottery.name}”中奖，抽奖编号 {w.pseudonym}，奖品：{lottery.prize}。",
         winner_key(lottery, w)) for w in new], kind="lottery_won")
    again = notifications.send_again(keys)
    if new or again:
        audit.record("voting.lottery.notified", actor=actor, target=lottery, after={"queued": len(new), "again": again})
    return len(new), again


def winner_sms(lottery, winners):
    """{entrant id: its SMS delivery, or None before it is queued}."""
    sent = notifications.by_key(winner_key(lottery, w) for w in winners)
    return {w.pk: sent.get(winner_key(lottery, w)) for w in winners}


def public_seed(lottery):
    return lottery.seed if lottery.drawn_at else None


def lottery_record(lottery):
    """lottery.json's content (`published_lottery.FIELDS`); winners with masked phones only."""
    drawn = lottery.drawn_at is not None
    winners = (lottery.entrants.filter(rank__isnull=False).select_related("voter__resident").order_by("rank")
               if drawn else [])
    record = {
        "lottery_id": lottery.pk, "name": lottery.name, "prize": lottery.prize,
        "winners_count": lottery.winners_count, "entrants": lottery.entrants.count(),
        "entrants_hash": lottery.entrants_hash, "seed_commitment": lottery.seed_commitment,
        "public_source": lottery.public_source,
        "public_date": lottery.public_date.isoformat() if lottery.public_date else None,
        "public_value": lottery.public_value or None, "seed": public_seed(lottery),
        "draw_seed": lottery.draw_seed if drawn else None,
        "winners": [{"rank": w.rank, "entrant_id": w.pseudonym, "masked_phone": mask_phone(w.voter.resident.phone)}
                    for w in winners],
        "committed_at": published.utc_text(lottery.committed_at) if lottery.committed_at else None,
        "drawn_at": published.utc_text(lottery.drawn_at) if drawn else None,
    }
    record["commit_digest"] = published_lottery.commit_digest(record)
    return record


def publish_lottery(lottery, directory):
    """Write entrants.txt and lottery.json of a committed lottery into `directory`."""
    from pathlib import Path

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ids = list(lottery.entrants.values_list("pseudonym", flat=True))
    (directory / published_lottery.ENTRANTS_FILE).write_text(published_lottery.entrants_text(ids), encoding="utf-8",
                                                             newline="\n")
    (directory / published_lottery.LOTTERY_FILE).write_text(published_lottery.lottery_text(lottery_record(lottery)),
                                                            encoding="utf-8", newline="\n")
    return len(ids)


def verify_lottery(lottery):
    """Re-run the draw from what is published; True when it names the same winners."""
    pseudonyms = list(lottery.entrants.values_list("pseudonym", flat=True))
    if entrants_hash(pseudonyms) != lottery.entrants_hash:
        return False
    if hashlib.sha256(lottery.seed.encode()).hexdigest() != lottery.seed_commitment:
        return False
    if published_lottery.draw_seed(lottery.seed, lottery.public_value) != lottery.draw_seed:
        return False
    expected = ranking(lottery.draw_seed, pseudonyms)[: lottery.winners_count]
    actual = list(lottery.entrants.filter(rank__isnull=False).order_by("rank").values_list("pseudonym", flat=True))
    return expected == actual


def entries_of_voter(voter, campaign):
    """The voter's place in each committed lottery of the campaign: [(lottery, entrant or None)]."""
    lotteries = Lottery.objects.filter(campaign=campaign, committed_at__isnull=False).order_by("committed_at")
    mine = {e.lottery_id: e for e in LotteryEntrant.objects.filter(voter=voter, lottery__in=lotteries)}
    return [(lottery, mine.get(lottery.pk)) for lottery in lotteries]


@transaction.atomic
def create_lottery(campaign, *, name, prize, winners_count, actor):
    ensure_office(actor, LOTTERY_OFFICE_ONLY)
    lottery = Lottery.objects.create(campaign=campaign, name=name, prize=prize, winners_count=winners_count)
    audit.record("voting.lottery.created", actor=actor, target=lottery,
                 after={"name": name, "prize": prize, "winners_count": winners_count})
    return lottery


@transaction.atomic
def record_delivery(entrant: LotteryEntrant, *, actor, note: str = "") -> None:
    """Prize delivery is logged per winner (who, when, how)."""
    ensure_office(actor, LOTTERY_OFFICE_ONLY)
    entrant = LotteryEntrant.objects.select_for_update().select_related("lottery").get(pk=entrant.pk)
    if entrant.rank is None:
        raise Conflict("该参与者未中奖")
    if entrant.delivered_at:
        raise Conflict("已登记发放")
    entrant.delivered_at = timezone.now()
    entrant.save(update_fields=["delivered_at"])
    audit.record("voting.lottery.delivered", actor=actor, target=entrant.lottery,
                 after={"entrant": entrant.pseudonym, "note": note[:200]})
