"""Results per award: a run computes every candidate's sheet from the raw inputs; the office
previews it, the committee confirms it (a set number of office members), and publication
freezes it with the rule version and a hash of the inputs."""

from django.conf import settings
from django.db import models


class Run(models.Model):
    class State(models.TextChoices):
        PREVIEW = "preview", "预览"
        CONFIRMED = "confirmed", "评委会已确认"
        PUBLISHED = "published", "已公布"
        SUPERSEDED = "superseded", "已被更正"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    award = models.ForeignKey("campaigns.AwardCategory", on_delete=models.PROTECT, related_name="result_runs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREVIEW)
    rule_version = models.PositiveIntegerField()
    input_hash = models.CharField(max_length=64)
    inputs = models.TextField(help_text="canonical JSON of the raw inputs")
    body = models.TextField(help_text="canonical JSON of the sheets, ranked")
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # A corrected result: the published run it replaced (which stays on record as superseded)
    # and why; the replaced run records when it stopped being the published one.
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    correction_reason = models.CharField("更正原因", max_length=300, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["award"], condition=models.Q(state="published"),
                                               name="one_published_run_per_award")]

    def __str__(self):
        return f"{self.award.name}（第 {self.pk} 次计算）"


class Confirmation(models.Model):
    """One committee member's opinion of a run (seed 五: 经评选委员会研究确定)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="confirmations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agree = models.BooleanField("同意", default=True)
    opinion = models.CharField("意见", max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "member"], name="confirm_once")]


class MissingSheet(models.Model):
    """Why an assigned sheet is missing (the office records it; then computing may proceed)."""

    assignment = models.OneToOneField("judging.Assignment", on_delete=models.PROTECT, related_name="missing")
    reason = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)


class Honour(models.Model):
    """A winner of a published run (rank within the award's `honours.winners`, ties included)."""

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="honours")
    candidate = models.ForeignKey("awards.Showcase", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField()
    funding_yuan = models.PositiveIntegerField()
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("registry.Company", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["run", "rank", "candidate_id"]
        constraints = [models.UniqueConstraint(fields=["run", "candidate"], name="honour_once")]


class Matching(models.Model):
    """Seed 六: each district commends its winners 1:1 alongside the city; tracked to done."""

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="matchings")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    winners = models.PositiveIntegerField()
    amount_yuan = models.PositiveIntegerField()
    document = models.CharField("表彰文件文号", max_length=100, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "district_id"]
        constraints = [models.UniqueConstraint(fields=["run", "district"], name="matching_once")]


class Objection(models.Model):
    """公示异议: during a published result's publicity period a resident (by a verified phone) or
    a property company files an objection with reasons and evidence; the office answers it. An
    upheld objection is resolved by a corrected run (`corrected_by`), which supersedes the one
    objected to."""

    class State(models.TextChoices):
        PENDING = "pending", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    FILE_KIND = "results.objection"

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="objections")
    candidate = models.ForeignKey("awards.Showcase", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="涉及的候选")
    resident = models.ForeignKey("core.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    company = models.ForeignKey("registry.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("异议人姓名或单位", max_length=60)
    reason = models.TextField("异议的事实和理由")
    evidence = models.FileField("证明材料", upload_to="results/objections/%Y/%m/", blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    answer = models.TextField("处理意见", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    corrected_by = models.ForeignKey(Run, null=True, blank=True, on_delete=models.PROTECT, related_name="resolves")
    filed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "结果公示异议"
        ordering = ["-filed_at", "-id"]

    def __str__(self):
        return f"异议第 {self.pk} 号"

    @property
    def evidence_url(self):
        from wenming.core.files import file_url

        return file_url(self.FILE_KIND, self.evidence.name)
