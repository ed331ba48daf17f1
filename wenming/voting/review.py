"""Fraud review: what the office sees and decides about suspicious votes. Votes are never
deleted; a decision changes their status with a reason, and the counters follow."""

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from wenming.core import audit
from wenming.core.access import ensure_office
from wenming.core.errors import Conflict
from wenming.voting import board
from wenming.voting.models import FraudDecision, Vote, VoteStatus
from wenming.voting.services import _count, net24


def _ensure_office(actor):
    ensure_office(actor, "只有评选工作办公室可以核查投票")


def overview(campaign):
    """Per candidate: counts by status; and the clusters (candidate, /24) holding quarantined votes."""
    counts = defaultdict(lambda: {"counted": 0, "quarantined": 0, "invalidated": 0})
    for row in (Vote.objects.filter(award__campaign=campaign).values("candidate_id", "candidate__title", "status")
                .annotate(n=Count("id"))):
        counts[(row["candidate_id"], row["candidate__title"])][row["status"]] = row["n"]
    clusters = defaultdict(list)
    for vote in Vote.objects.filter(award__campaign=campaign, status=VoteStatus.QUARANTINED).only(
            "id", "candidate_id", "ip", "status_reason"):
        clusters[(vote.candidate_id, net24(vote.ip))].append(vote)
    flagged = sorted(({"candidate_id": c, "network": n, "votes": len(v), "reason": v[0].status_reason}
                      for (c, n), v in clusters.items()), key=lambda x: -x["votes"])
    return counts, flagged


def time_series(candidate, hours=48, now=None):
    """The last `hours` whole hours (Beijing time, the current one included), oldest first:
    [{"hour", "counted", "quarantined", "invalidated", "total"}], empty hours as zeros."""
    now = now or timezone.now()
    tz = candidate.application.campaign.tz
    end = now.astimezone(tz).replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    start = end - datetime.timedelta(hours=hours)
    buckets = {start + datetime.timedelta(hours=i): dict.fromkeys(VoteStatus.values, 0) for i in range(hours)}
    for row in (Vote.objects.filter(candidate=candidate, cast_at__gte=start, cast_at__lt=end)
                .annotate(hour=TruncHour("cast_at", tzinfo=tz)).values("hour", "status").annotate(n=Count("id"))):
        buckets[row["hour"].astimezone(tz)][row["status"]] = row["n"]
    return [{"hour": hour, **counts, "total": sum(counts.values())} for hour, counts in buckets.items()]


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
    threshold = campaign.rules["voting"].get("risk", {}).get("bulk_invalidation_second_approver_from", 50)
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
