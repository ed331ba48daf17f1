"""Complaints (seed 四(一)4): 有接待、有处理、有反馈、有回访, each step on a limit from the preset.

A ticket is filed by a resident (from the community's QR poster or the public site), logged by
the company's service desk on a resident's behalf, or forwarded by the 12345 hotline. It runs
filed → received (接待) → handling (处理) → answered (反馈) → followed_up (回访); a return visit
answered "not fixed" reopens it (back to handling, a new round). Every change is a TicketEvent."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from wenming.core.fields import EncryptedPhoneField
from wenming.registry.models import ScopedQuerySet


class State(models.TextChoices):
    FILED = "filed", "待接待"
    RECEIVED = "received", "已接待"
    HANDLING = "handling", "处理中"
    ANSWERED = "answered", "已反馈，待回访"
    FOLLOWED_UP = "followed_up", "已回访"


class Source(models.TextChoices):
    RESIDENT = "resident", "居民提交"
    DESK = "desk", "物业服务中心代录"
    HOTLINE = "hotline", "12345 热线工单"


class FollowUpBy(models.TextChoices):
    RESIDENT = "resident", "居民在线答复"
    COMPANY = "company", "物业企业电话回访"
    DISTRICT = "district", "区住建局电话回访"


OPEN_STATES = (State.FILED, State.RECEIVED, State.HANDLING, State.ANSWERED)


class TicketQuerySet(ScopedQuerySet):
    """Office: every ticket; a district: its district's; a company: its own communities' (the
    default scope: the ticket's district and company at filing)."""


class Ticket(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("投诉编号", max_length=20, unique=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    hotline_number = models.CharField("12345 工单号", max_length=40, null=True, blank=True, unique=True)
    community = models.ForeignKey("registry.Community", on_delete=models.PROTECT, related_name="complaints")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="complaints")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="complaints")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    resident = models.ForeignKey("core.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="complaints")
    phone = EncryptedPhoneField("联系电话")  # shown in full only to the company's staff, logged
    category = models.CharField("类别", max_length=40)
    urgency = models.CharField("紧急程度", max_length=20)
    description = models.TextField("问题描述", max_length=2000)
    location = models.CharField("位置", max_length=100, blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.FILED)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)  # +1 on each reopening (重办)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="经办人")
    filed_at = models.DateTimeField("提交时间")
    # when the current round's step limits run out (computed at filing and at each reopening)
    receive_due = models.DateTimeField("接待时限")
    handle_due = models.DateTimeField("处理时限")
    answer_due = models.DateTimeField("反馈时限")
    follow_up_due = models.DateTimeField("回访时限", null=True, blank=True)
    resident_reply_until = models.DateTimeField("居民答复截止", null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    handling_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    # the first round's figures decide the response rate; each answer's timeliness the closure rate
    received_in_time = models.BooleanField(null=True)
    answered_in_time = models.BooleanField(null=True)
    answer = models.TextField("反馈内容", blank=True)
    fixed = models.BooleanField("是否解决", null=True)
    satisfaction = models.PositiveSmallIntegerField("满意度", null=True, blank=True)  # 1–5
    follow_up_by = models.CharField("回访方式", max_length=10, choices=FollowUpBy.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = "投诉"
        verbose_name_plural = "投诉"
        ordering = ["-filed_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "state"]),
            models.Index(fields=["district", "filed_at"]),
            models.Index(fields=["community", "category", "filed_at"]),
            models.Index(fields=["resident", "community", "category", "filed_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                                   name="satisfaction_1_to_5"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.state in OPEN_STATES


class EventKind(models.TextChoices):
    FILED = "filed", "提交投诉"
    UPDATED = "updated", "补充情况"
    RECEIVED = "received", "接待并指派经办人"
    HANDLING = "handling", "开始处理"
    NOTE = "note", "处理记录"
    ANSWERED = "answered", "反馈处理结果"
    FOLLOWED_UP = "followed_up", "回访"
    REOPENED = "reopened", "未解决，重新办理"
    REMINDED = "reminded", "超时提醒"
    ESCALATED = "escalated", "超时上报区住建局"
    PHONE_SHOWN = "phone_shown", "查看联系电话"


class TicketEvent(models.Model):
    """One step of a ticket's timeline. A reminder or escalation happens once per ticket, step
    and round (the constraint: two sweeps running together cannot both send one)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    step = models.CharField(max_length=12, blank=True)  # receive / handle / answer / follow_up
    round = models.PositiveSmallIntegerField(default=1)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    note = models.TextField(blank=True, max_length=2000)
    public = models.BooleanField(default=True)  # shown on the resident's timeline
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind", "step", "round"],
                                    condition=Q(kind__in=["reminded", "escalated"]), name="one_alert_per_step_round"),
        ]


class TicketPhoto(models.Model):
    """A re-encoded photo of the problem (filing) or of the work (handling, answer)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(TicketEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="complaints/%Y/%m/", db_index=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    FILE_KIND = "complaints.photo"

    @property
    def url(self):
        from wenming.core.files import file_url

        return file_url(self.FILE_KIND, self.image.name)


class RepeatFlagQuerySet(ScopedQuerySet):
    """Office and the community's district (supervision is theirs, not the company's)."""

    @staticmethod
    def company_scope(company_id):
        return Q(pk__in=[])


class RepeatFlag(models.Model):
    """Repeated complaints of one category at one community (preset `repeat`): put before the
    district as a candidate finding for supervision, once per community and category while open."""

    class State(models.TextChoices):
        OPEN = "open", "待区住建局处理"
        INSPECT = "inspect", "已列入督查"
        DISMISSED = "dismissed", "不列入督查"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("registry.Community", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("类别", max_length=40)
    count = models.PositiveIntegerField("投诉数")
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    note = models.CharField("说明", max_length=300, blank=True)

    objects = RepeatFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-last_at"]
        constraints = [models.UniqueConstraint(fields=["campaign", "community", "category"], condition=Q(state="open"),
                                               name="one_open_repeat_flag")]
