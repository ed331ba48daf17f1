from django.db import models
from django.db.models import Q

TALLY_SHARDS = 8  # spreads a popular candidate's counter over rows, so voters do not queue on one lock


class Voter(models.Model):
    resident = models.OneToOneField("core.Resident", on_delete=models.PROTECT, related_name="voter")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "投票人"
        verbose_name_plural = "投票人"

    def __str__(self):
        return str(self.resident)


class VoteStatus(models.TextChoices):
    COUNTED = "counted", "有效"
    QUARANTINED = "quarantined", "待核查"
    INVALIDATED = "invalidated", "已作废"


class Vote(models.Model):
    """One vote. Never deleted: a fraudulent vote is marked invalidated with a reason.

    Quotas are enforced by the database, not by a prior check: (voter, candidate, day, slot)
    is unique with slot ≤ the per-candidate limit, and the per-award daily quota is a
    conditional UPDATE of `DailyQuota` in the same transaction."""

    receipt = models.CharField(max_length=32)  # unique by a constraint: no pattern-ops index beside it
    # Every index costs each vote insert, so only those queries use: none on award (a handful of
    # values; campaign-wide queries read most rows anyway), none on candidate or voter alone (the
    # unique (voter, candidate, day, slot) key and the (candidate, status) index lead with them).
    award = models.ForeignKey("campaigns.AwardCategory", on_delete=models.PROTECT, related_name="votes",
                              db_index=False)
    candidate = models.ForeignKey("awards.Showcase", on_delete=models.PROTECT, related_name="votes", db_index=False)
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="votes", db_index=False)
    day = models.DateField("投票日（北京时间）")
    slot = models.PositiveSmallIntegerField(default=1)
    cast_at = models.DateTimeField()
    channel = models.CharField(max_length=10, default="web")
    status = models.CharField(max_length=12, choices=VoteStatus.choices, default=VoteStatus.COUNTED)
    status_reason = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "投票"
        verbose_name_plural = "投票"
        constraints = [
            models.UniqueConstraint(fields=["voter", "candidate", "day", "slot"], name="vote_once_per_slot"),
            models.UniqueConstraint(fields=["receipt"], name="one_vote_per_receipt"),
            models.CheckConstraint(condition=Q(slot__gte=1), name="vote_slot_positive"),
        ]
        indexes = [
            models.Index(fields=["candidate", "status"]),
            # The office's review reads the quarantine (tens of thousands of votes) among millions:
            # a partial index, so only quarantined votes pay for it on insert. The dashboards count
            # the quarantine by day and hour, for the city or a district's candidates, from the
            # index alone: day and candidate are in it too (after the review's award and cast_at).
            models.Index(fields=["award", "cast_at", "day", "candidate"], condition=Q(status="quarantined"),
                         name="vote_quarantined"),
        ]


class DailyQuota(models.Model):
    voter = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="+", db_index=False)  # unique key leads
    award = models.ForeignKey("campaigns.AwardCategory", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    used = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["voter", "award", "day"], name="one_quota_row")]


class TallyShard(models.Model):
    """Counted votes per candidate, in shards; derived from Vote rows and rebuildable."""

    candidate = models.ForeignKey("awards.Showcase", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)  # the unique key leads with it
    shard = models.PositiveSmallIntegerField()
    counted = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "shard"], name="one_tally_shard")]


class BoardEntry(models.Model):
    """The public board: every vote, and every change of its status (quarantine, release,
    invalidation, with a reason code and no identity), on one hash chain in the order the
    sequencer and the review appended them (format: voting.published)."""

    class Kind(models.TextChoices):
        VOTE = "vote", "投票"
        QUARANTINE = "quarantine", "待核查"
        RELEASE = "release", "核查后计入"
        INVALIDATE = "invalidate", "作废"

    index = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.VOTE)
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="board_entries")
    reason_code = models.CharField(max_length=30, blank=True)
    at = models.DateTimeField(null=True, blank=True, help_text="事件时间；投票条目用投票时间")
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["vote"], condition=Q(kind="vote"),
                                               name="one_board_vote_entry")]


class Lottery(models.Model):
    """A verifiable draw among voters whose votes stand (seed 六)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="lotteries")
    name = models.CharField("名称", max_length=100)
    prize = models.CharField("奖品", max_length=100)
    winners_count = models.PositiveIntegerField("中奖人数")
    entrants_hash = models.CharField(max_length=64, blank=True)
    seed_commitment = models.CharField(max_length=64, blank=True)
    seed = models.CharField(max_length=64, blank=True, help_text="服务器种子，公开于开奖时")
    # The public value, named at commit and unknown then (an official draw of a later date),
    # entered after that date by two office members independently; the draw's seed combines both.
    public_source = models.CharField("公开数值来源", max_length=200, blank=True)
    public_date = models.DateField("公开数值日期", null=True, blank=True)
    public_value_first = models.CharField(max_length=100, blank=True)
    public_value_first_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="+")
    public_value = models.CharField("公开数值", max_length=100, blank=True)
    public_value_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    draw_seed = models.CharField(max_length=64, blank=True, help_text="SHA-256(服务器种子:公开数值)")
    committed_at = models.DateTimeField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "抽奖"
        verbose_name_plural = "抽奖"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class LotteryEntrant(models.Model):
    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="entrants")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="+")
    pseudonym = models.CharField(max_length=32)
    rank = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="中奖短信发出的时间")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lottery", "voter"], name="one_entry_per_voter"),
                       models.UniqueConstraint(fields=["lottery", "pseudonym"], name="unique_pseudonym")]


class FraudDecision(models.Model):
    """A review decision on a cluster of votes (one candidate, one network). Invalidating many
    votes at once waits for a second office member's approval."""

    class Action(models.TextChoices):
        RELEASE = "release", "放行（计入有效票）"
        INVALIDATE = "invalidate", "作废"

    class State(models.TextChoices):
        PENDING = "pending", "待第二人批准"
        APPLIED = "applied", "已执行"

    candidate = models.ForeignKey("awards.Showcase", on_delete=models.PROTECT, related_name="+")
    network = models.CharField(max_length=60)
    action = models.CharField(max_length=12, choices=Action.choices)
    reason = models.CharField(max_length=300)
    vote_ids = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices)
    requested_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
