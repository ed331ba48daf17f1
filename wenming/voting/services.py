"""The vote path, the public board, the leaderboard and the voters' lottery.

Correctness under concurrency comes from the database, never from a check before an insert:
the unique (voter, candidate, day, slot) key makes a second vote for the same candidate fail,
and the daily award quota is a conditional UPDATE (`used < limit`) in the same transaction as
the vote, so 128 parallel requests can only ever produce the allowed number of rows."""

import contextlib
import datetime
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from wenming.awards.models import Showcase, Status
from wenming.awards.services import SHOWCASE as SHOWCASE_VERSION
from wenming.campaigns import clock
from wenming.campaigns.services import CAMPAIGN_VERSION
from wenming.core import audit, versions
from wenming.core.access import is_office
from wenming.core.models import IdempotentResponse
from wenming.voting.models import (
    TALLY_SHARDS,
    BoardEntry,
    DailyQuota,
    Lottery,
    LotteryEntrant,
    TallyShard,
    Vote,
    Voter,
    VoteStatus,
)

GENESIS = "0" * 64
LEADERBOARD_TTL = 1  # seconds: "never stale by more than a few seconds"


class VoteRefused(Exception):
    def __init__(self, status, code, message):
        self.status, self.code = status, code
        super().__init__(message)


@dataclass
class Cast:
    status: int
    body: dict


def voter_for(resident):
    voter, _ = Voter.objects.get_or_create(resident=resident)
    return voter


def rules(campaign):
    return campaign.rules["voting"]


@dataclass(frozen=True)
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


def voting_context(campaign):
    key = f"vote:ctx:{campaign.pk}:{versions.current(CAMPAIGN_VERSION)}"
    context = cache.get(key)
    if context is None:
        name, opens, closes = clock.window(campaign, "vote")
        limits = rules(campaign)
        context = VotingContext(campaign.pk, campaign.tz, name, opens, closes,
                                limits["per_voter_per_award_per_day"], limits["per_candidate_per_voter_per_day"],
                                limits.get("limits_per_minute", {}), limits.get("risk", {}))
        cache.set(key, context, 300)
    return context


def _candidate_award(context, candidate_id):
    """The award of a published candidate of this campaign, or VoteRefused(404). Cached
    under the showcase version, which every publication change bumps."""
    try:
        candidate_id = int(candidate_id)
    except (TypeError, ValueError):
        raise VoteRefused(404, "not_found", "候选不存在") from None
    key = f"vote:cand:{versions.current(SHOWCASE_VERSION)}:{candidate_id}"
    award_id = cache.get(key)
    if award_id is None:
        award_id = (Showcase.objects.filter(pk=candidate_id, published_at__isnull=False,
                                            application__status=Status.CANDIDATE,
                                            application__campaign_id=context.campaign_id)
                    .values_list("application__award_id", flat=True).first())
        if award_id is None:
            raise VoteRefused(404, "not_found", "候选不存在或未公开")
        cache.set(key, award_id, 300)
    return candidate_id, award_id


def _voter_id(resident):
    key = f"vote:voter:{resident.pk}"
    voter_id = cache.get(key)
    if voter_id is None:
        voter_id = voter_for(resident).pk
        cache.set(key, voter_id, 3600)
    return voter_id


def _request_hash(candidate_id):
    return hashlib.sha256(json.dumps({"candidate_id": candidate_id}, sort_keys=True).encode()).hexdigest()


def cast_vote(campaign, resident, candidate_id, *, idempotency_key=None, ip=None, channel="web", now=None):
    """Cast one vote; returns Cast(201, body) or the stored first answer for a repeated key.
    Raises VoteRefused(403 outside the window, 404 unknown candidate, 409 already voted for
    this candidate today, 429 quota used up, 422 a reused key with another body).

    The transaction is three single statements (vote insert, quota upsert, tally upsert),
    plus the idempotency record when a key is sent."""
    now = now or timezone.now()
    scope = f"vote:{resident.pk}"
    request_hash = _request_hash(candidate_id)
    if idempotency_key:
        stored = IdempotentResponse.objects.filter(scope=scope, key=idempotency_key).first()
        if stored is not None:
            return _replay(stored, request_hash)
    context = voting_context(campaign)
    if not context.opens <= now < context.closes:
        raise VoteRefused(403, "voting_closed", str(clock.WindowClosed(context.name, context.opens, context.closes,
                                                                        context.tz)))
    candidate_id, award_id = _candidate_award(context, candidate_id)
    voter_id = _voter_id(resident)
    day = timezone.localdate(now, context.tz)
    _rate_limit(context, voter_id, ip, now)
    status, reason = _risk(context, resident.phone, candidate_id, ip, now)
    try:
        with _writer_queue(), transaction.atomic():
            if connection.vendor == "postgresql" and context.per_candidate == 1:
                receipt, used = _cast_pg(voter_id, candidate_id, award_id, day, now, ip, channel, context.per_award,
                                         status, reason)
            else:
                receipt = _insert_vote(voter_id, candidate_id, award_id, day, now, ip, channel, context.per_candidate,
                                       status, reason)
                used = _take_quota(voter_id, award_id, day, context.per_award)
                if status == VoteStatus.COUNTED:
                    _count(candidate_id, voter_id)
            body = {"receipt": receipt, "candidate_id": candidate_id, "remaining_today": context.per_award - used}
            if idempotency_key:
                IdempotentResponse.objects.create(scope=scope, key=idempotency_key, request_hash=request_hash,
                                                  status=201, body=body)
    except IntegrityError:
        # A concurrent request with the same key won: answer with its answer.
        if idempotency_key:
            stored = IdempotentResponse.objects.filter(scope=scope, key=idempotency_key).first()
            if stored is not None:
                return _replay(stored, request_hash)
        raise
    return Cast(201, body)


def net24(ip):
    """The /24 of an IPv4 address (or the /48 of an IPv6 one): one network, one neighbourhood."""
    if not ip:
        return "none"
    if ":" in ip:
        return ":".join(ip.split(":")[:3]) + "::/48"
    return ".".join(ip.split(".")[:3]) + ".0/24"


def _bump(key, seconds):
    """Count in the cache (shared with Redis; per process otherwise)."""
    if cache.add(key, 1, seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, seconds)
        return 1


def _rate_limit(context, voter_id, ip, now):
    """Independent per-minute limits per voter, address and /24 (addresses from a trusted
    proxy only: see core.request_context). Exceeding any answers 429 without saying which."""
    minute = int(now.timestamp() // 60)
    limits = context.limits
    for name, value in (("voter", voter_id), ("ip", ip or "none"), ("net24", net24(ip))):
        if name in limits and _bump(f"vote:rate:{name}:{value}:{minute}", 120) > limits[name]:
            raise VoteRefused(429, "too_many_requests", "操作过于频繁，请稍后再试")


def _risk(context, phone, candidate_id, ip, now):
    """(status, reason): signals send a vote to quarantine (kept, not counted) for review."""
    risk = context.risk
    if any(phone.startswith(p) for p in risk.get("virtual_prefixes", [])):
        return VoteStatus.QUARANTINED, "虚拟运营商号段"
    network = net24(ip)
    local = now.astimezone(context.tz)
    day = local.date().isoformat()
    if _bump(f"vote:risk:net24:{network}:{day}", 90000) > risk.get("net24_daily", 10**9):
        return VoteStatus.QUARANTINED, f"同一网段（{network}）当日投票集中"
    minute = int(now.timestamp() // 60)
    if _bump(f"vote:risk:burst:{candidate_id}:{network}:{minute}", 120) > risk.get("candidate_burst_per_minute", 10**9):
        return VoteStatus.QUARANTINED, f"同一网段短时间内集中投票（{network}）"
    start, end = (risk.get("night_hours") or [0, 0])[:2]
    if start <= local.hour < end and _bump(f"vote:risk:night:{network}:{day}", 43200) > risk.get("night_net24",
                                                                                                    10**9):
        return VoteStatus.QUARANTINED, f"夜间同一网段集中投票（{network}）"
    return VoteStatus.COUNTED, ""


_sqlite_writers = threading.Lock()


def _writer_queue():
    """SQLite has one writer at a time and its busy handler retries with growing sleeps, which
    makes the slowest votes very slow; queueing this process's writers on a lock keeps the wait
    fair. PostgreSQL needs nothing: row locks and unique indexes do the work."""
    return _sqlite_writers if connection.vendor == "sqlite" else contextlib.nullcontext()


def _replay(stored, request_hash):
    if stored.request_hash != request_hash:
        raise VoteRefused(422, "idempotency_key_reused", "同一个 Idempotency-Key 不能用于不同的请求")
    return Cast(stored.status, stored.body)


# The hot path's statements. Only table names (model constants) are interpolated; every value
# is a query parameter. Both SQLite (≥ 3.35) and PostgreSQL run them unchanged.
_VOTE, _QUOTA, _TALLY = Vote._meta.db_table, DailyQuota._meta.db_table, TallyShard._meta.db_table
INSERT_VOTE = (
    f"INSERT INTO {_VOTE} (receipt, award_id, candidate_id, voter_id, day, slot, cast_at, channel, status, "  # noqa: S608
    "status_reason, ip) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (voter_id, candidate_id, day, slot) DO NOTHING RETURNING id")
TAKE_QUOTA = (
    f"INSERT INTO {_QUOTA} (voter_id, award_id, day, used) VALUES (%s, %s, %s, 1) "  # noqa: S608
    f"ON CONFLICT (voter_id, award_id, day) DO UPDATE SET used = {_QUOTA}.used + 1 "
    f"WHERE {_QUOTA}.used < %s RETURNING used")
# PostgreSQL: the whole vote in one statement. The quota is taken first (row-locked until the
# end of the transaction); the vote is inserted only if it was; the counter only if the vote
# was. A duplicate (quota taken, vote not inserted) is rolled back by the caller.
CAST_PG = (
    f"WITH q AS (INSERT INTO {_QUOTA} (voter_id, award_id, day, used) VALUES (%(voter)s, %(award)s, %(day)s, 1) "  # noqa: S608
    f"  ON CONFLICT (voter_id, award_id, day) DO UPDATE SET used = {_QUOTA}.used + 1 "
    f"  WHERE {_QUOTA}.used < %(limit)s RETURNING used), "
    f"v AS (INSERT INTO {_VOTE} (receipt, award_id, candidate_id, voter_id, day, slot, cast_at, channel, status, "
    f"  status_reason, ip) SELECT %(receipt)s, %(award)s, %(candidate)s, %(voter)s, %(day)s, 1, %(now)s, "
    f"  %(channel)s, %(status)s, %(reason)s, %(ip)s FROM q "
    f"  ON CONFLICT (voter_id, candidate_id, day, slot) DO NOTHING RETURNING id), "
    f"t AS (INSERT INTO {_TALLY} (candidate_id, shard, counted) SELECT %(candidate)s, %(shard)s, 1 FROM v "
    f"  WHERE %(counts)s "
    f"  ON CONFLICT (candidate_id, shard) DO UPDATE SET counted = {_TALLY}.counted + 1) "
    f"SELECT (SELECT used FROM q), (SELECT id FROM v)")
COUNT_VOTE = (
    f"INSERT INTO {_TALLY} (candidate_id, shard, counted) VALUES (%s, %s, %s) "  # noqa: S608
    f"ON CONFLICT (candidate_id, shard) DO UPDATE SET counted = {_TALLY}.counted + %s")


def _cast_pg(voter_id, candidate_id, award_id, day, now, ip, channel, limit, status, reason):
    receipt = secrets.token_hex(16)
    with connection.cursor() as cursor:
        cursor.execute(CAST_PG, {"voter": voter_id, "award": award_id, "day": day, "limit": limit, "receipt": receipt,
                                 "candidate": candidate_id, "now": now, "channel": channel, "status": status,
                                 "reason": reason, "ip": ip, "shard": voter_id % TALLY_SHARDS,
                                 "counts": status == VoteStatus.COUNTED})
        used, vote_id = cursor.fetchone()
    if used is None:
        # Refused for the quota; but a repeat of a vote already cast is a 409 on every backend.
        if Vote.objects.filter(voter_id=voter_id, candidate_id=candidate_id, day=day).exists():
            raise VoteRefused(409, "already_voted", "今天已为该候选投过票，明天可以再投")
        raise VoteRefused(429, "quota_used", f"该奖项今天的 {limit} 票已投完，明天可以再投")
    if vote_id is None:
        # The quota unit was taken for a vote that already exists: raising rolls both back.
        raise VoteRefused(409, "already_voted", "今天已为该候选投过票，明天可以再投")
    return receipt, used


def _insert_vote(voter_id, candidate_id, award_id, day, now, ip, channel, per_candidate, status, reason):
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the unique key decides, in one statement."""
    with connection.cursor() as cursor:
        for slot in range(1, per_candidate + 1):
            receipt = secrets.token_hex(16)
            cursor.execute(INSERT_VOTE, [receipt, award_id, candidate_id, voter_id, day, slot, now, channel,
                                         status, reason, ip])
            if cursor.fetchone() is not None:
                return receipt
    raise VoteRefused(409, "already_voted", "今天已为该候选投过票，明天可以再投")


def _take_quota(voter_id, award_id, day, limit):
    """One upsert: creates the day's row at 1, or adds 1 only while under the limit."""
    with connection.cursor() as cursor:
        cursor.execute(TAKE_QUOTA, [voter_id, award_id, day, limit])
        row = cursor.fetchone()
    if row is None:
        raise VoteRefused(429, "quota_used", f"该奖项今天的 {limit} 票已投完，明天可以再投")
    return row[0]


def _count(candidate_id, voter_id, delta=1):
    with connection.cursor() as cursor:
        cursor.execute(COUNT_VOTE, [candidate_id, voter_id % TALLY_SHARDS, delta, delta])


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


# --- the public board ---------------------------------------------------------------------

def entry_hash(prev, index, vote):
    cast_at = vote.cast_at.astimezone(datetime.UTC).isoformat()
    text = f"{prev}|{index}|{vote.receipt}|{vote.candidate_id}|{cast_at}"
    return hashlib.sha256(text.encode()).hexdigest()


def sequence_board(limit=5000):
    """Append votes not yet on the board, in id order. Serialised by locking the newest entry
    (or, on an empty board, by the insert's primary key): votes never wait on this."""
    appended = 0
    with transaction.atomic():
        head = BoardEntry.objects.select_for_update().order_by("-index").first()
        index, prev = (head.index, head.hash) if head else (0, GENESIS)
        pending = list(Vote.objects.filter(board_entry__isnull=True).order_by("id")[:limit])
        entries = []
        for vote in pending:
            index += 1
            prev = entry_hash(prev, index, vote)
            entries.append(BoardEntry(index=index, vote=vote, hash=prev))
        try:
            BoardEntry.objects.bulk_create(entries)
            appended = len(entries)
        except IntegrityError:
            appended = 0  # another sequencer appended the same votes first
    return appended


def verify_board():
    """Recompute the chain from the vote rows. Returns (entries checked, first broken index or None)."""
    prev, checked = GENESIS, 0
    for entry in BoardEntry.objects.select_related("vote").order_by("index").iterator(chunk_size=5000):
        checked += 1
        if entry.index != checked or entry_hash(prev, entry.index, entry.vote) != entry.hash:
            return checked, entry.index
        prev = entry.hash
    return checked, None


def verify_tally():
    """Candidates whose counter differs from their counted vote rows: {candidate: (counter, rows)}."""
    rows = dict(Vote.objects.filter(status=VoteStatus.COUNTED).values_list("candidate_id").annotate(n=Count("id"))
                .values_list("candidate_id", "n"))
    counters = dict(TallyShard.objects.values_list("candidate_id").annotate(n=Sum("counted"))
                    .values_list("candidate_id", "n"))
    return {c: (counters.get(c, 0), rows.get(c, 0)) for c in set(rows) | set(counters)
            if counters.get(c, 0) != rows.get(c, 0)}


# --- leaderboard ----------------------------------------------------------------------------

def daily_cutoff(campaign, now=None):
    """The latest daily publication time (e.g. 18:00 Beijing time) not after now."""
    now = now or timezone.now()
    hour, minute = (int(x) for x in rules(campaign).get("publish_daily_at", "18:00").split(":"))
    local = now.astimezone(campaign.tz)
    cutoff = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return cutoff if cutoff <= local else cutoff - datetime.timedelta(days=1)


def leaderboard(campaign, award_key, now=None):
    """{"items": [{candidate_id, name, votes, rank}], "updated_at"}.

    live: from the counters (never an aggregate over vote rows), cached for a second.
    daily: counted votes cast before the latest publication time, one aggregate per day."""
    daily = rules(campaign)["counts_visibility"] == "daily"
    cutoff = daily_cutoff(campaign, now) if daily else None
    key = f"leaderboard:{campaign.pk}:{award_key}:{cutoff.isoformat() if cutoff else 'live'}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    candidates = list(Showcase.objects.filter(application__campaign=campaign, application__award__key=award_key,
                                              published_at__isnull=False, application__status=Status.CANDIDATE))
    if daily:
        counts = dict(Vote.objects.filter(candidate__in=candidates, status=VoteStatus.COUNTED, cast_at__lt=cutoff)
                      .values_list("candidate_id").annotate(n=Count("id")).values_list("candidate_id", "n"))
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
    payload = {"items": result, "updated_at": timezone.localtime(cutoff or timezone.now()).isoformat()}
    cache.set(key, payload, 3600 if daily else LEADERBOARD_TTL)
    return payload


# --- lottery --------------------------------------------------------------------------------

def entrants_hash(pseudonyms):
    return hashlib.sha256("\n".join(sorted(pseudonyms)).encode()).hexdigest()


def ranking(seed, pseudonyms):
    """The published rule: entrants ranked by SHA-256 hex of seed + ":" + id, ascending."""
    return sorted(pseudonyms, key=lambda p: hashlib.sha256(f"{seed}:{p}".encode()).hexdigest())


@transaction.atomic
def commit_lottery(lottery, *, actor):
    """Freeze the entrants (voters all of whose votes stand) and publish the entrants hash
    and the seed's commitment. The seed itself stays secret until the draw."""
    if lottery.committed_at:
        raise VoteRefused(409, "already_committed", "抽奖名单已公布")
    bad = Vote.objects.filter(award__campaign=lottery.campaign).exclude(status=VoteStatus.COUNTED)
    voters = (Voter.objects.filter(votes__award__campaign=lottery.campaign, votes__status=VoteStatus.COUNTED)
              .exclude(pk__in=bad.values("voter_id")).distinct())
    LotteryEntrant.objects.bulk_create([LotteryEntrant(lottery=lottery, voter=v, pseudonym=secrets.token_hex(8))
                                        for v in voters])
    pseudonyms = list(lottery.entrants.values_list("pseudonym", flat=True))
    lottery.seed = secrets.token_hex(32)
    lottery.seed_commitment = hashlib.sha256(lottery.seed.encode()).hexdigest()
    lottery.entrants_hash = entrants_hash(pseudonyms)
    lottery.committed_at = timezone.now()
    lottery.save()
    audit.record("voting.lottery.committed", actor=actor, target=lottery,
                 after={"entrants": len(pseudonyms), "entrants_hash": lottery.entrants_hash,
                        "seed_commitment": lottery.seed_commitment})
    return lottery


@transaction.atomic
def draw_lottery(lottery, *, actor):
    lottery = Lottery.objects.select_for_update().get(pk=lottery.pk)
    if not lottery.committed_at:
        raise VoteRefused(409, "not_committed", "须先公布抽奖名单和种子承诺")
    if lottery.drawn_at:
        raise VoteRefused(409, "already_drawn", "已开奖")
    order = ranking(lottery.seed, lottery.entrants.values_list("pseudonym", flat=True))
    winners = order[: lottery.winners_count]
    for rank, pseudonym in enumerate(winners, start=1):
        lottery.entrants.filter(pseudonym=pseudonym).update(rank=rank)
    lottery.drawn_at = timezone.now()
    lottery.save(update_fields=["drawn_at"])
    audit.record("voting.lottery.drawn", actor=actor, target=lottery, after={"seed": lottery.seed,
                                                                             "winners": winners})
    return lottery


def public_seed(lottery):
    return lottery.seed if lottery.drawn_at else None


def verify_lottery(lottery):
    """Re-run the draw from what is published; True when it names the same winners."""
    pseudonyms = list(lottery.entrants.values_list("pseudonym", flat=True))
    if entrants_hash(pseudonyms) != lottery.entrants_hash:
        return False
    if hashlib.sha256(lottery.seed.encode()).hexdigest() != lottery.seed_commitment:
        return False
    expected = ranking(lottery.seed, pseudonyms)[: lottery.winners_count]
    actual = list(lottery.entrants.filter(rank__isnull=False).order_by("rank").values_list("pseudonym", flat=True))
    return expected == actual


@transaction.atomic
def create_lottery(campaign, *, name, prize, winners_count, actor):
    if not is_office(actor):
        raise VoteRefused(403, "forbidden", "只有评选工作办公室可以组织抽奖")
    lottery = Lottery.objects.create(campaign=campaign, name=name, prize=prize, winners_count=winners_count)
    audit.record("voting.lottery.created", actor=actor, target=lottery,
                 after={"name": name, "prize": prize, "winners_count": winners_count})
    return lottery


@transaction.atomic
def record_delivery(entrant, *, actor, note=""):
    """Prize delivery is logged per winner (who, when, how)."""
    if entrant.rank is None:
        raise VoteRefused(409, "not_a_winner", "该参与者未中奖")
    if entrant.delivered_at:
        raise VoteRefused(409, "already_delivered", "已登记发放")
    entrant.delivered_at = timezone.now()
    entrant.save(update_fields=["delivered_at"])
    audit.record("voting.lottery.delivered", actor=actor, target=entrant.lottery,
                 after={"entrant": entrant.pseudonym, "note": note[:200]})
