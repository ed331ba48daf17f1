"""Supervision of the five improvement actions: inspections with findings per checklist item,
rectification orders with their states and evidence versions, repeat problems and interviews."""

from django.conf import settings
from django.db import models


class Severity(models.TextChoices):
    MINOR = "minor", "一般"
    MAJOR = "major", "较重"
    SEVERE = "severe", "严重"


class Sample(models.Model):
    """An unannounced inspection's random sample of communities in a district: re-drawing with
    the recorded seed over the recorded candidates gives the same communities."""

    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    seed = models.CharField(max_length=64)
    size = models.PositiveSmallIntegerField()
    population = models.JSONField(help_text="the candidate community ids, sorted")
    community_ids = models.JSONField()
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(auto_now_add=True)
    superseded_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="replaces", help_text="the redraw that replaced this sample")

    class Meta:
        ordering = ["-drawn_at", "-id"]

    @property
    def current(self):
        return self.superseded_by_id is None


class SampleRedraw(models.Model):
    """重新抽样: while a district's sample still has communities not inspected, a new draw needs
    a reason and the approval of a second district officer of the same district; the draw is
    made only when approved, so the requester cannot see a result before asking."""

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="redraws")
    reason = models.CharField("重新抽样理由", max_length=500)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    new_sample = models.OneToOneField(Sample, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "重新抽样"
        verbose_name_plural = "重新抽样"
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.sample.district.name}重新抽样申请 #{self.pk}"


class RegularSchedule(models.Model):
    """定期督查 of a district: every community once every `every_weeks` weeks, counted from the
    community's last submitted regular inspection (from `starts_on` for one never inspected)."""

    district = models.OneToOneField("registry.District", on_delete=models.PROTECT, related_name="+")
    every_weeks = models.PositiveSmallIntegerField("间隔（周）")
    starts_on = models.DateField("起始日期")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "定期督查计划"
        verbose_name_plural = "定期督查计划"

    def __str__(self):
        return f"{self.district.name}定期督查（每 {self.every_weeks} 周）"


class Inspection(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", "定期督查"
        UNANNOUNCED = "unannounced", "暗访抽查"
        SELF = "self", "企业自查"
        REINSPECTION = "reinspection", "整改复查"

    class State(models.TextChoices):
        DRAFT = "draft", "检查中"
        SUBMITTED = "submitted", "已提交"

    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    level = models.CharField("层级", max_length=10, choices=[("city", "市级"), ("district", "区级"), ("company", "企业")])
    community = models.ForeignKey("registry.Community", on_delete=models.PROTECT, related_name="inspections")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("registry.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sample = models.ForeignKey(Sample, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField("检查小结", blank=True)

    class Meta:
        verbose_name = "检查"
        verbose_name_plural = "检查"
        ordering = ["-started_at"]


class Finding(models.Model):
    """The result of one checklist item in one inspection. A measured item keeps the value and
    is judged against the threshold; `passed` is never typed in for those."""

    class Responsible(models.TextChoices):
        COMPANY = "company", "物业服务企业"
        DEVELOPER = "developer", "建设单位（保修期内）"
        FUND = "fund", "维修资金（保修期外）"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    action = models.CharField("提升行动", max_length=20)
    item = models.CharField("检查项", max_length=20)
    passed = models.BooleanField("合格")
    value = models.DecimalField("实测值", max_digits=8, decimal_places=2, null=True, blank=True)
    severity = models.CharField("严重程度", max_length=8, choices=Severity.choices, blank=True)
    note = models.CharField("问题描述", max_length=500, blank=True)
    location = models.CharField("位置", max_length=200, blank=True)
    responsible = models.CharField("维修责任", max_length=10, choices=Responsible.choices, default=Responsible.COMPANY)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="one_finding_per_item")]


class Photo(models.Model):
    """A re-encoded photo of a finding or of rectification evidence."""

    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    evidence = models.ForeignKey("Evidence", null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="supervision/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    FILE_KIND = "supervision.photo"

    @property
    def url(self):
        """The access-checked address of the photo (see supervision/files.py for who may see it)."""
        from wenming.core.files import file_url

        return file_url(self.FILE_KIND, self.image.name)


class OrderState(models.TextChoices):
    ISSUED = "issued", "已下达"
    RECTIFYING = "rectifying", "整改中"
    EVIDENCE_SUBMITTED = "evidence_submitted", "已提交整改材料"
    REINSPECTED = "reinspected", "已复查合格"
    CLOSED = "closed", "已销号"
    OVERDUE = "overdue", "已逾期"


OPEN_STATES = (OrderState.ISSUED, OrderState.RECTIFYING, OrderState.EVIDENCE_SUBMITTED, OrderState.REINSPECTED,
               OrderState.OVERDUE)


class RectificationOrder(models.Model):
    """整改通知: one per failed finding of a district or city inspection."""

    class Fund(models.TextChoices):
        NONE = "", "—"
        APPLIED = "applied", "已申请维修资金"
        APPROVED = "approved", "维修资金已批准"
        DONE = "done", "维修资金使用完毕"

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="order")
    community = models.ForeignKey("registry.Community", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("registry.Company", null=True, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateField("整改期限")
    workdays = models.PositiveSmallIntegerField("工作日")
    holidays_covered = models.BooleanField(default=True, help_text="期限按当年法定节假日计算")
    state = models.CharField(max_length=20, choices=OrderState.choices, default=OrderState.ISSUED)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    fund_state = models.CharField("维修资金申请", max_length=10, choices=Fund.choices, blank=True, default="")

    class Meta:
        verbose_name = "整改通知"
        verbose_name_plural = "整改通知"
        ordering = ["deadline", "id"]


class Evidence(models.Model):
    """One version of a company's rectification evidence. A draft may be replaced by a new
    version; a submitted one is frozen (a failed re-inspection asks for a new version)."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.PROTECT, related_name="evidence")
    version = models.PositiveSmallIntegerField()
    text = models.TextField("整改情况")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "version"]
        constraints = [models.UniqueConstraint(fields=["order", "version"], name="evidence_version_unique")]


class OrderEvent(models.Model):
    """Each transition of an order, with who and why (the order's own history page)."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def to_label(self):
        return OrderState(self.to_state).label


class RepeatProblem(models.Model):
    """反复出现问题: the same community failing the same item again within the set period."""

    community = models.ForeignKey("registry.Community", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("registry.Company", null=True, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=20)
    first = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="+")
    repeat = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="repeat_problem")
    flagged_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "反复出现问题"
        verbose_name_plural = "反复出现问题"
        ordering = ["-flagged_at"]


class Interview(models.Model):
    """约谈: the district meets the company's responsible person about a repeat problem."""

    class State(models.TextChoices):
        OPEN = "open", "限期整改中"
        RECTIFIED = "rectified", "已整改"
        NOT_RECTIFIED = "not_rectified", "逾期仍未整改"

    problem = models.ForeignKey(RepeatProblem, on_delete=models.PROTECT, related_name="interviews")
    held_at = models.DateTimeField("约谈时间")
    place = models.CharField("约谈地点", max_length=200, blank=True, default="")
    attendees = models.CharField("参加人员", max_length=300)
    requirements = models.TextField("整改要求")
    deadline = models.DateField("整改期限")
    state = models.CharField(max_length=15, choices=State.choices, default=State.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "约谈"
        verbose_name_plural = "约谈"
        ordering = ["-held_at"]
