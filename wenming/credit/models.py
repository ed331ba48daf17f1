"""The company credit file (信用档案): records with points and a validity window, the score and
grade derived from them as of any date, the red/black lists computed from those, and objections."""

from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    INSPECTION = "inspection", "督查"
    INTERVIEW = "interview", "约谈"
    COMPLAINT = "complaint", "投诉"
    HONOUR = "honour", "表彰"
    MANUAL = "manual", "人工录入"


class RecordState(models.TextChoices):
    ACTIVE = "active", "有效"
    DISPUTED = "disputed", "异议中"
    REVOKED = "revoked", "已撤销"


class CreditRecord(models.Model):
    """One entry of a company's credit file. The same source event (source, source_key) is
    recorded once per company: a second delivery changes nothing."""

    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="credit_records")
    code = models.CharField("规则代码", max_length=60)
    name = models.CharField("事项", max_length=200)
    points = models.IntegerField("分值")
    veto = models.BooleanField("一票否决", default=False)
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    source_key = models.CharField(max_length=100)
    evidence = models.TextField("依据", blank=True)
    valid_from = models.DateTimeField("生效时间")
    valid_until = models.DateTimeField("失效时间")
    state = models.CharField("状态", max_length=10, choices=RecordState.choices, default=RecordState.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "信用记录"
        verbose_name_plural = "信用记录"
        ordering = ["-valid_from", "-id"]
        constraints = [models.UniqueConstraint(fields=["company", "source", "source_key"], name="credit_once_per_event")]

    def __str__(self):
        return f"{self.name}（{self.points:+d}）"


class Objection(models.Model):
    """异议: a company disputes a record with evidence; the record shows as disputed (and does
    not count) until the office decides, within the preset's days."""

    class State(models.TextChoices):
        PENDING = "pending", "待处理"
        UPHELD = "upheld", "异议成立（记录撤销）"
        REJECTED = "rejected", "异议不成立（记录恢复）"

    record = models.ForeignKey(CreditRecord, on_delete=models.PROTECT, related_name="objections")
    reason = models.TextField("异议理由")
    evidence = models.FileField("证明材料", upload_to="credit/objections/%Y/%m/", blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    decide_by = models.DateField("答复期限")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField("处理意见", blank=True)

    class Meta:
        verbose_name = "信用异议"
        verbose_name_plural = "信用异议"
        ordering = ["-filed_at"]
        constraints = [models.UniqueConstraint(fields=["record"], condition=models.Q(state="pending"),
                                               name="one_pending_objection_per_record")]


class CreditList(models.Model):
    """The red/black list of a period (e.g. 2026-11), computed from the ledger as of the
    period's end; published after `approvers` distinct office members approve."""

    class State(models.TextChoices):
        DRAFT = "draft", "待审批"
        PUBLISHED = "published", "已发布"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="credit_lists")
    period = models.CharField("期次", max_length=7)  # YYYY-MM
    as_of = models.DateTimeField("计算时点")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "红黑榜"
        verbose_name_plural = "红黑榜"
        ordering = ["-period", "-id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "period"], condition=models.Q(state="published"),
                                               name="one_published_list_per_period")]


class ListEntry(models.Model):
    class Kind(models.TextChoices):
        RED = "red", "红榜"
        BLACK = "black", "黑榜"

    credit_list = models.ForeignKey(CreditList, on_delete=models.CASCADE, related_name="entries")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    score = models.IntegerField()
    grade = models.CharField(max_length=5)
    reason = models.CharField(max_length=200, blank=True)
    restricted_until = models.DateTimeField("限制截止", null=True, blank=True)  # black entries, set on publication

    class Meta:
        ordering = ["kind", "-score", "company_id"]
        constraints = [models.UniqueConstraint(fields=["credit_list", "company"], name="one_entry_per_company")]


class ListApproval(models.Model):
    credit_list = models.ForeignKey(CreditList, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["credit_list", "approver"], name="one_approval_per_member")]
