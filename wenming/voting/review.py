"""Fraud review: what the office sees and decides about suspicious votes. Votes are never
deleted; a decision changes their status with a reason, and the counters follow."""

import dataclasses
import datetime
import ipaddress
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Func, Max, Min, Sum, Value, When
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wenming.awards.models import Showcase
from wenming.campaigns import clock
from wenming.core import audit
from wenming.core.access import ensure_office
from wenming.core.errors import Conflict
from wenming.voting import board
from wenming.voting.models import FraudDecision, TallyShard, Vote, VoteStatus
from wenming.voting.services import VIRTUAL_REASON, _count, net24


def _ensure_office(actor):
    ensure_office(actor, "只有评选工作办公室可以核查投票")


def _votes(campaign):
    """The campaign's votes, by its awards' ids (no join: a campaign has a handful of awards)."""
    return Vote.objects.filter(award_id__in=list(campaign.awards.values_list("pk", flat=True)))


def status_counts(campaign):
    """{(candidate id, name): {status: votes}} of the candidates with votes, without reading every
    vote: counted from the tally counters (`votes verify` checks them against the rows), the
    quarantine through its partial index, invalidated through the (candidate, status) index."""
    names = dict(Showcase.objects.filter(application__campaign=campaign).values_list("pk", "title"))
    counts = defaultdict(lambda: {"counted": 0, "quarantined": 0, "invalidated": 0})
    rows = [
        (VoteStatus.COUNTED, TallyShard.objects.filter(candidate_id__in=list(names)).values("candidate_id")
         .annotate(n=Sum("counted")).order_by()),
        (VoteStatus.QUARANTINED, _votes(campaign).filter(status=VoteStatus.QUARANTINED).values("candidate_id")
         .annotate(n=Count("id")).order_by()),
        (VoteStatus.INVALIDATED, Vote.objects.filter(candidate_id__in=list(names), status=VoteStatus.INVALIDATED)
         .values("candidate_id").annotate(n=Count("id")).order_by()),
    ]
    for status, query in rows:
        for row in query:
            if row["n"]:
                counts[(row["candidate_id"], names.get(row["candidate_id"], ""))][status] = row["n"]
    return counts


def overview(campaign):
    """Per candidate: counts by status; and the clusters (candidate, /24) holding quarantined votes.
    Both are aggregates in the database (a campaign's quarantine can hold tens of thousands of votes)."""
    counts = status_counts(campaign)
    rows = (Vote.objects.filter(award__campaign=campaign, status=VoteStatus.QUARANTINED)
            .annotate(network=Net24("ip")).values("candidate_id", "network")
            .annotate(votes=Count("id"), reason=Min("status_reason")).order_by("-votes", "candidate_id", "network"))
    flagged = [{"candidate_id": r["candidate_id"], "network": r["network"], "votes": r["votes"], "reason": r["reason"]}
               for r in rows]
    return counts, flagged


# --- clusters: review at the scale of a campaign ---------------------------------------------

class Net24(Func):
    """`services.net24` in SQL, so that votes group by network in the database: the /24 of an
    IPv4 address, the first three groups of an IPv6 one + "::/48", "none" without an address."""

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        x = f"({sql})"
        a = f"instr({x}, ':')"
        rest1 = f"substr({x}, {a} + 1)"
        b = f"instr({rest1}, ':')"
        rest2 = f"substr({rest1}, {b} + 1)"
        c = f"instr({rest2}, ':')"
        v6 = f"(CASE WHEN {c} = 0 THEN {x} ELSE substr({x}, 1, {a} + {b} + {c} - 1) END) || '::/48'"
        return (f"(CASE WHEN {x} IS NULL OR {x} = '' THEN 'none' WHEN {a} > 0 THEN {v6} "
                f"ELSE rtrim({x}, '0123456789') || '0/24' END)"), self._no_params(params)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        t = f"host({sql})"
        v6 = " || ':' || ".join(f"split_part({t}, ':', {i})" for i in (1, 2, 3)) + " || '::/48'"
        v4 = " || '.' || ".join(f"split_part({t}, '.', {i})" for i in (1, 2, 3)) + " || '.0/24'"
        return (f"(CASE WHEN {sql} IS NULL THEN 'none' WHEN family({sql}) = 6 THEN {v6} ELSE {v4} END)",
                self._no_params(params))

    @staticmethod
    def _no_params(params):
        if params:  # the column is repeated in the SQL: a parameterised argument would need its params as often
            raise ValueError("Net24 takes a column")
        return ()

    def as_sql(self, compiler, connection, **extra):
        return self.as_sqlite(compiler, connection, **extra)


# The risk signal of a quarantined vote, read from its reason (services._risk_signals, VIRTUAL_REASON).
SIGNALS = {"net24_daily": "同一网段当日集中", "burst": "同一网段短时集中", "night": "夜间集中",
           "virtual": "虚拟运营商号段", "other": "其他原因"}
SIGNAL = Case(
    When(status_reason__startswith="同一网段（", then=Value("net24_daily")),
    When(status_reason__startswith="同一网段短时间", then=Value("burst")),
    When(status_reason__startswith="夜间同一网段", then=Value("night")),
    When(status_reason=VIRTUAL_REASON, then=Value("virtual")),
    default=Value("other"), output_field=CharField())


@dataclasses.dataclass(frozen=True)
class ClusterKey:
    """One cluster of quarantined votes: one signal, one candidate, one network, one day (Beijing)."""

    signal: str
    candidate_id: int
    network: str
    day: datetime.date

    def __str__(self):
        return f"{self.signal}|{self.candidate_id}|{self.network}|{self.day.isoformat()}"

    @classmethod
    def parse(cls, text):
        """The key of a cluster as the page sends it back; ValueError when it is not one."""
        signal, candidate_id, network, day = str(text).split("|")
        if signal not in SIGNALS or not network or len(network) > 60:
            raise ValueError(text)
        return cls(signal, int(candidate_id), network, datetime.date.fromisoformat(day))


@dataclasses.dataclass(frozen=True)
class Filters:
    """The page's filters (GET parameters); None or "" is no filter."""

    signal: str = ""
    candidate_id: int | None = None
    network: str = ""
    day: datetime.date | None = None


def quarantined(campaign, filters=Filters()):
    """The campaign's quarantined votes with their `signal` and `network`, filtered."""
    votes = _votes(campaign).filter(status=VoteStatus.QUARANTINED).annotate(signal=SIGNAL, network=Net24("ip"))
    if filters.signal:
        votes = votes.filter(signal=filters.signal)
    if filters.candidate_id:
        votes = votes.filter(candidate_id=filters.candidate_id)
    if filters.network:
        votes = votes.filter(network__contains=filters.network.strip())
    if filters.day:
        votes = votes.filter(day=filters.day)
    return votes


def clusters(campaign, filters=Filters()):
    """The clusters of quarantined votes matching the filters, largest first, as one aggregate
    query: rows of {key, signal, signal_label, candidate_id, candidate_name, network, day,
    votes, first, last, reason}. A queryset of dicts until iterated (`cluster_rows` labels them)."""
    return (quarantined(campaign, filters).values("signal", "candidate_id", "network", "day")
            .annotate(votes=Count("id"), first=Min("cast_at"), last=Max("cast_at"))
            .order_by("-votes", "candidate_id", "network", "day", "signal"))


def cluster_page(campaign, filters=Filters(), *, page=1, per_page=50):
    """One page of `clusters` and the number of clusters, from one aggregate query (a window
    count over the grouped rows): (rows, total, page). Past the last page: the last page."""
    sql, params = clusters(campaign, filters).query.sql_with_params()
    page = max(1, page)
    with connection.cursor() as cursor:
        while True:
            cursor.execute(f"SELECT {', '.join(CLUSTER_COLUMNS)}, COUNT(*) OVER () FROM ({sql}) clusters "  # noqa: S608
                           "ORDER BY votes DESC, candidate_id, network, day, signal LIMIT %s OFFSET %s",
                           [*params, per_page, (page - 1) * per_page])
            fetched = cursor.fetchall()
            if fetched or page == 1:
                break
            page = 1  # past the end: start again from the first page
    rows = [dict(zip(CLUSTER_COLUMNS, values[:-1], strict=True)) for values in fetched]
    for row in rows:  # raw rows, as the ORM would give them: a date and aware datetimes
        row["day"] = row["day"] if isinstance(row["day"], datetime.date) else datetime.date.fromisoformat(row["day"])
        for name in ("first", "last"):
            value = row[name] if isinstance(row[name], datetime.datetime) else parse_datetime(row[name])
            row[name] = value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)
    return rows, (fetched[0][-1] if fetched else 0), page


CLUSTER_COLUMNS = ["signal", "candidate_id", "network", "day", "votes", "first", "last"]


def cluster_rows(rows):
    """Aggregate rows of `clusters` with their key, candidate names and Chinese labels."""
    rows = list(rows)
    names = dict(Showcase.objects.filter(pk__in={r["candidate_id"] for r in rows}).values_list("pk", "title"))
    return [{**row, "candidate_name": names.get(row["candidate_id"], ""), "signal_label": SIGNALS[row["signal"]],
             "key": str(ClusterKey(row["signal"], row["candidate_id"], row["network"], row["day"]))} for row in rows]


def quarantine_summary(campaign, filters=Filters()):
    """(quarantined votes, clusters) matching the filters, counted in the database."""
    votes = quarantined(campaign, filters).count()
    groups = clusters(campaign, filters).count()
    return votes, groups


def cluster_series(campaign, filters=Filters(), hours=48, now=None):
    """Hourly counts by status of the votes a reviewer is looking at: the filters' candidate's
    votes of every status, or without a candidate the quarantined votes; narrowed by network,
    day and signal (which leaves only quarantined votes). The selected day's 24 hours, or the
    last `hours` hours. Same rows as `time_series`."""
    tz = campaign.tz
    if filters.day:
        start = datetime.datetime.combine(filters.day, datetime.time(), tzinfo=tz)
        hours = 24
    else:
        now = now or timezone.now()
        end = now.astimezone(tz).replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
        start = end - datetime.timedelta(hours=hours)
    votes = _votes(campaign)
    if filters.candidate_id:  # one candidate: every status (its index), for the spike beside the normal votes
        votes = votes.filter(candidate_id=filters.candidate_id)
    else:  # the whole campaign: the quarantine only (its partial index), not a scan of every vote
        votes = votes.filter(status=VoteStatus.QUARANTINED)
    if filters.network:
        votes = votes.annotate(network=Net24("ip")).filter(network__contains=filters.network.strip())
    if filters.signal:
        votes = votes.filter(status=VoteStatus.QUARANTINED).annotate(signal=SIGNAL).filter(signal=filters.signal)
    return _hourly(votes, tz, start, hours)


class UTCHour(Func):
    """The UTC hour of a stored time as "YYYY-MM-DD HH" text. On SQLite, where times are stored
    as UTC text, a substring: Django's TruncHour there calls a Python function per row."""

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"substr({sql}, 1, 13)", params

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')", params


def _whole_hours(tz, moment):
    offset = moment.astimezone(tz).utcoffset()
    return offset is not None and offset.total_seconds() % 3600 == 0


def _hourly(votes, tz, start, hours):
    end = start + datetime.timedelta(hours=hours)
    buckets = {start + datetime.timedelta(hours=i): dict.fromkeys(VoteStatus.values, 0) for i in range(hours)}
    votes = votes.filter(cast_at__gte=start, cast_at__lt=end)
    if _whole_hours(tz, start) and _whole_hours(tz, end):  # local hours are UTC hours (Beijing time is)
        rows = votes.annotate(hour=UTCHour("cast_at")).values("hour", "status").annotate(n=Count("id")).order_by()
        for row in rows:
            hour = datetime.datetime.strptime(row["hour"], "%Y-%m-%d %H").replace(tzinfo=datetime.UTC)
            buckets[hour.astimezone(tz)][row["status"]] = row["n"]
    else:
        for row in (votes.annotate(hour=TruncHour("cast_at", tzinfo=tz)).values("hour", "status")
                    .annotate(n=Count("id")).order_by()):
            buckets[row["hour"].astimezone(tz)][row["status"]] = row["n"]
    return [{"hour": hour, **counts, "total": sum(counts.values())} for hour, counts in buckets.items()]


@transaction.atomic
def decide_clusters(campaign, *, keys, action, reason, actor):
    """Release or invalidate the quarantined votes of several clusters with one reason: one
    `FraudDecision` per cluster. An invalidation of at least the rules' second-approver
    threshold, counted over the whole batch, waits (every decision of it) for another office
    member (`approve_many`). Returns the decisions."""
    _ensure_office(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写核查结论和原因"})
    if action not in FraudDecision.Action.values:
        raise ValidationError({"action": "请选择放行或作废"})
    if not keys:
        raise ValidationError({"clusters": "请至少选择一个集群"})
    waiting = {pk for ids in FraudDecision.objects.filter(state=FraudDecision.State.PENDING)
               .values_list("vote_ids", flat=True) for pk in ids}  # already in a decision awaiting approval
    groups = []
    for key in dict.fromkeys(keys):
        ids = [pk for pk in quarantined(campaign, Filters(signal=key.signal, candidate_id=key.candidate_id, day=key.day))
               .filter(network=key.network).select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True)
               if pk not in waiting]
        if ids:
            groups.append((key, ids))
    if not groups:
        raise Conflict("所选集群的投票已处理或正等待另一名成员批准")
    total = sum(len(ids) for _, ids in groups)
    threshold = campaign.typed_rules.voting.risk.bulk_invalidation_second_approver_from
    pending = action == FraudDecision.Action.INVALIDATE and total >= threshold
    decisions = []
    for key, ids in groups:
        decision = FraudDecision.objects.create(
            candidate_id=key.candidate_id, network=key.network, action=action, reason=reason, vote_ids=ids,
            state=FraudDecision.State.PENDING if pending else FraudDecision.State.APPLIED, requested_by=actor)
        audit.record("voting.fraud.requested" if pending else "voting.fraud.decided", actor=actor, target=decision,
                     reason=reason, after={"action": action, "network": key.network, "votes": len(ids),
                                           "signal": SIGNALS[key.signal], "day": key.day.isoformat(),
                                           "batch_clusters": len(groups), "batch_votes": total})
        if not pending:
            _apply(decision, actor)
        decisions.append(decision)
    return decisions


@transaction.atomic
def approve_many(decisions, *, actor, note):
    """A second office member approves several pending decisions at once, with a note; all or
    none (a decision already applied, or one the approver requested, refuses the whole batch)."""
    _ensure_office(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写批准意见"})
    decisions = list(decisions)
    if not decisions:
        raise ValidationError({"decisions": "请至少选择一项待批准的决定"})
    for decision in decisions:
        approve(decision, actor=actor)
    audit.record("voting.fraud.batch_approved", actor=actor, target=decisions[0], reason=note,
                 after={"decisions": [d.pk for d in decisions], "votes": sum(len(d.vote_ids) for d in decisions)})
    return decisions


def export_rows(campaign, filters=Filters()):
    """The clusters matching the filters as spreadsheet rows (Beijing time; no identities)."""
    tz = campaign.tz
    for row in cluster_rows(clusters(campaign, filters)):
        yield [row["signal_label"], row["candidate_name"], row["network"], row["day"], row["votes"],
               row["first"].astimezone(tz).strftime("%H:%M"), row["last"].astimezone(tz).strftime("%H:%M")]


EXPORT_HEADERS = ["信号", "候选", "网段", "日期", "待核查票数", "首票时间", "末票时间"]


def time_series(candidate, hours=48, now=None):
    """The last `hours` whole hours (Beijing time, the current one included), oldest first:
    [{"hour", "counted", "quarantined", "invalidated", "total"}], empty hours as zeros."""
    now = now or timezone.now()
    tz = candidate.application.campaign.tz
    end = now.astimezone(tz).replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    return _hourly(Vote.objects.filter(candidate=candidate), tz, end - datetime.timedelta(hours=hours), hours)


CHART_HEIGHT = 120  # px of the tallest bar in the office's hourly chart


def chart_bars(series):
    """The series as stacked SVG bars (counted at the bottom, then quarantined, invalidated),
    scaled so that the busiest hour fills CHART_HEIGHT."""
    peak = max((row["total"] for row in series), default=0) or 1
    bars = []
    for i, row in enumerate(series):
        y, parts = CHART_HEIGHT, []
        for status in (VoteStatus.COUNTED, VoteStatus.QUARANTINED, VoteStatus.INVALIDATED):
            height = round(CHART_HEIGHT * row[status] / peak, 1)
            y -= height
            if height:
                parts.append({"status": status, "y": round(y, 1), "height": height})
        bars.append({"x": i * 10, "parts": parts, "row": row, "tick": row["hour"].hour % 6 == 0})
    return {"bars": bars, "peak": peak, "width": len(series) * 10, "height": CHART_HEIGHT}


@transaction.atomic
def decide(campaign, *, candidate, network, action, reason, actor):
    _ensure_office(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写核查结论和原因")
    source = [VoteStatus.QUARANTINED] if action == FraudDecision.Action.RELEASE else [VoteStatus.QUARANTINED,
                                                                                     VoteStatus.COUNTED]
    votes = [v for v in Vote.objects.select_for_update().filter(candidate=candidate, status__in=source)
             if net24(v.ip) == network]
    if not votes:
        raise Conflict("该网段没有可处理的投票")
    threshold = campaign.typed_rules.voting.risk.bulk_invalidation_second_approver_from
    pending = action == FraudDecision.Action.INVALIDATE and len(votes) >= threshold
    decision = FraudDecision.objects.create(
        candidate=candidate, network=network, action=action, reason=reason, vote_ids=[v.pk for v in votes],
        state=FraudDecision.State.PENDING if pending else FraudDecision.State.APPLIED, requested_by=actor)
    audit.record("voting.fraud.requested" if pending else "voting.fraud.decided", actor=actor, target=decision,
                 reason=reason, after={"action": action, "network": network, "votes": len(votes)})
    if not pending:
        _apply(decision, actor)
    return decision


@transaction.atomic
def approve(decision, *, actor):
    _ensure_office(actor)
    decision = FraudDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.state != FraudDecision.State.PENDING:
        raise Conflict("该决定已执行")
    if decision.requested_by_id == actor.pk:
        raise PermissionDenied("批量作废须由另一名评选工作办公室成员批准")
    decision.approved_by = actor
    _apply(decision, actor)
    audit.record("voting.fraud.approved", actor=actor, target=decision, after={"votes": len(decision.vote_ids)})
    return decision


def _apply(decision, actor):
    target = VoteStatus.COUNTED if decision.action == FraudDecision.Action.RELEASE else VoteStatus.INVALIDATED
    changed = 0
    board.sequence_all()  # every vote on the public board before its status changes
    events = []
    for vote in Vote.objects.select_for_update().filter(pk__in=decision.vote_ids).order_by("pk"):
        if vote.status == target:
            continue
        events.append((vote, board.decision_code(vote)))
        if vote.status == VoteStatus.COUNTED:
            _count(vote.candidate_id, vote.voter_id, -1)
        if target == VoteStatus.COUNTED:
            _count(vote.candidate_id, vote.voter_id, 1)
        vote.status, vote.status_reason = target, decision.reason[:200]
        vote.save(update_fields=["status", "status_reason"])
        changed += 1
    decision.state, decision.applied_at = FraudDecision.State.APPLIED, timezone.now()
    # Each change is an event on the board: kind and reason code, never the free-text reason.
    board.append_events(board.Kind.RELEASE if target == VoteStatus.COUNTED else board.Kind.INVALIDATE, events,
                        decision.applied_at)
    decision.save(update_fields=["state", "applied_at", "approved_by"])
    return changed


def review_closed(campaign, now=None):
    """The fraud review is over once the voting window has closed, no vote waits in quarantine
    and no decision waits for its second approver."""
    now = now or timezone.now()
    _, _, closes = clock.window(campaign, "vote")
    if now < closes:
        return False
    votes = _votes(campaign)
    return not votes.filter(status=VoteStatus.QUARANTINED).exists() and not FraudDecision.objects.filter(
        candidate__application__campaign=campaign, state=FraudDecision.State.PENDING).exists()


def network_address(ip):
    """The first address of the vote's /24 (IPv4) or /48 (IPv6): all the review ever used."""
    prefix = 48 if ":" in ip else 24
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def minimize_addresses(campaign, now=None):
    """Once the review is closed, each vote keeps only its network (/24 or /48), not the
    address it came from (seed: personal data no longer needed is not kept). Idempotent;
    returns the votes changed (0 while the review is open)."""
    if not review_closed(campaign, now):
        return 0
    votes = _votes(campaign).exclude(ip=None)
    by_network = defaultdict(list)
    for ip in votes.order_by().values_list("ip", flat=True).distinct().iterator(chunk_size=5000):
        network = network_address(ip)
        if ip != network:
            by_network[network].append(ip)
    changed = 0
    with transaction.atomic():
        for network, ips in by_network.items():
            for start in range(0, len(ips), 500):
                changed += votes.filter(ip__in=ips[start:start + 500]).update(ip=network)
        if changed:
            audit.record("voting.addresses.minimized", target_type="campaigns.campaign", target_id=campaign.pk,
                         after={"votes": changed, "networks": len(by_network)})
    return changed
