"""Votes per hour, tallied as each hour closes, so the dashboards' vote panels read a few
thousand rows instead of millions of votes.

`refresh(campaign)` (the scheduler's `vote-tallying` job, every minute) writes one `VoteHour`
row per candidate for every hour that closed at least `GRACE` ago and moves the campaign's mark
to the end of the last one. A vote's `cast_at` is taken when its transaction starts and the
transaction ends within the statement timeout (30 s), so no vote of a tallied hour can commit
after its hour was counted.

`counts(campaign, by, filters)` is the panels' read: tallied hours before the mark, and the
votes since the mark (an hour or so: a BRIN range scan on PostgreSQL) counted as they are. The
mark is read first and tallied rows are taken only before it, so a refresh committing in
between is either wholly seen or not at all — never counted twice. Quarantined votes are
counted from the votes (their partial index), as a review moves them without touching the
tally."""

import datetime
from collections import Counter

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractHour, TruncHour
from django.utils import timezone

from wenming.dashboard.models import VoteHour, VoteTallyMark
from wenming.voting.models import Vote, VoteStatus

GRACE = datetime.timedelta(seconds=60)


def closed_until(campaign, now):
    """The start of the campaign-local hour in which `now - GRACE` falls."""
    local = (now - GRACE).astimezone(campaign.tz)
    return local.replace(minute=0, second=0, microsecond=0)


def refresh(campaign, now=None):
    """Tally every closed hour not yet tallied; returns the number of votes tallied."""
    until = closed_until(campaign, now or timezone.now())
    VoteTallyMark.objects.get_or_create(campaign=campaign)
    with transaction.atomic():
        mark = VoteTallyMark.objects.select_for_update().get(campaign=campaign)
        if mark.until is not None and until <= mark.until:
            return 0
        votes = Vote.objects.filter(award_id__in=list(campaign.awards.values_list("pk", flat=True)), cast_at__lt=until)
        if mark.until is not None:
            votes = votes.filter(cast_at__gte=mark.until)
        rows = (votes.annotate(starts_at=TruncHour("cast_at", tzinfo=campaign.tz))
                .values("award_id", "candidate_id", "starts_at").annotate(n=Count("pk")).order_by())
        tallied = []
        for r in rows:
            local = r["starts_at"].astimezone(campaign.tz)
            tallied.append(VoteHour(award_id=r["award_id"], candidate_id=r["candidate_id"], starts_at=r["starts_at"],
                                    day=local.date(), hour=local.hour, votes=r["n"]))
        VoteHour.objects.bulk_create(tallied, batch_size=1000)
        mark.until = until
        mark.save(update_fields=["until"])
    return sum(t.votes for t in tallied)


def counts(campaign, by, filters):
    """{day or hour: [votes, quarantined]} for the votes matching `filters` (field lookups that
    a vote and a VoteHour share: award_id__in, candidate_id__in); `by` is "day" or "hour"."""
    until = VoteTallyMark.objects.filter(campaign=campaign).values_list("until", flat=True).first()
    votes = Vote.objects.filter(**filters)
    if by == "hour":
        votes = votes.annotate(hour=ExtractHour("cast_at", tzinfo=campaign.tz))
    totals, held = Counter(), Counter()
    live = votes
    if until is not None:
        for r in VoteHour.objects.filter(**filters, starts_at__lt=until).values(by).annotate(n=Sum("votes")).order_by():
            totals[r[by]] += r["n"]
        live = votes.filter(cast_at__gte=until)
    # COUNT(*), not COUNT(id): the quarantine is then counted from its index alone (no heap)
    for r in live.values(by).annotate(n=Count("*")).order_by():
        totals[r[by]] += r["n"]
    for r in votes.filter(status=VoteStatus.QUARANTINED).values(by).annotate(n=Count("*")).order_by():
        held[r[by]] += r["n"]
    return {key: [totals[key], held[key]] for key in sorted(totals)}
