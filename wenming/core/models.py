import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from wenming.core.fields import EncryptedPhoneField, HashedPhones, PhoneHashField, PhonePrefixField
from wenming.core.roles import Role


class User(AbstractUser):
    """A staff account. Residents are verified voters (phone, WeChat), not users.

    District and company officers are bound to their district or company. The foreign keys
    name registry models by string on purpose: core code never imports registry.
    """

    role = models.CharField("角色", max_length=16, choices=Role.choices, blank=True)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedPhoneField("手机号", blank=True)
    district = models.ForeignKey(
        "registry.District", verbose_name="所属区", null=True, blank=True,
        on_delete=models.PROTECT, related_name="officers",
    )
    company = models.ForeignKey(
        "registry.Company", verbose_name="所属企业", null=True, blank=True,
        on_delete=models.PROTECT, related_name="accounts",
    )
    # Bumped to end every session of the account at once (disabling, password reset).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="district") | models.Q(district__isnull=False),
                name="district_user_has_district",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="company") | models.Q(company__isnull=False),
                name="company_user_has_company",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def role_label(self):
        return Role(self.role).label if self.role else ""

    def _get_session_auth_hash(self, secret=None):
        # Sessions carry this hash; changing the epoch invalidates all of them on their
        # next request, even if the account is enabled again later.
        return salted_hmac(
            "wenming.core.User.session", f"{self.password}:{self.session_epoch}",
            secret=secret, algorithm="sha256",
        ).hexdigest()

    def has_role(self, *roles):
        return self.is_authenticated and self.is_active and self.role in roles


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(expires_at__gt=timezone.now(), user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    @classmethod
    def issue(cls, user):
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, key_hash=hash_token(raw), expires_at=timezone.now() + settings.API_TOKEN_LIFETIME
        )
        return token, raw


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit entries are append-only")

    def delete(self):
        raise PermissionError("audit entries are append-only")


class AuditEntry(models.Model):
    """One state change: who did what to which record, with before/after. Never edited."""

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    actor_name = models.CharField("操作人名称", max_length=150, blank=True)
    actor_role = models.CharField("角色", max_length=16, blank=True)
    target_type = models.CharField("对象类型", max_length=80, blank=True, db_index=True)
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("原因", blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("请求编号", max_length=32, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")


class Job(models.Model):
    """Long-running work (imports, exports) with progress a page can poll."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        VALIDATING = "validating", "校验中"
        WRITING = "writing", "写入中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=40)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    @property
    def percent(self):
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    def progress(self, done=None, status=None, total=None):
        """Write progress now, outside any caller's transaction semantics (a plain UPDATE)."""
        fields = {}
        for name, value in (("done", done), ("status", status), ("total", total)):
            if value is not None:
                setattr(self, name, value)
                fields[name] = value
        Job.objects.filter(pk=self.pk).update(**fields)


class Notification(models.Model):
    """An in-app message to one staff user (the next actor of a workflow, a reminder).

    `kind` names the event (`notifications.KINDS`): it decides which other channels the user
    chose for it. `key` names the piece of work a to-do notification asks for ("awards.
    application.12.district"): when that work is done, `notifications.resolve(key)` clears it
    from everyone's unread."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=40, default="other")
    key = models.CharField("待办标识", max_length=120, blank=True, db_index=True)
    message = models.CharField("内容", max_length=300)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]


class NotificationSetting(models.Model):
    """One user's choice of channels beyond the inbox: `channels` maps an event kind to the
    channels chosen for it ({"order_issued": ["sms", "wechat"]}); a kind not named goes to the
    inbox only. `wechat_openid` is the user's own WeChat, bound through the OAuth exchange."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_setting")
    channels = models.JSONField(default=dict, blank=True)
    wechat_openid = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"


class Delivery(models.Model):
    """A notification sent by SMS or WeChat, by the task worker. One row per notification and
    channel (unique), claimed by a conditional update before sending, so a retried or repeated
    task never sends it twice.

    A resident has no inbox: their SMS (a lottery win, a complaint's reply) is a delivery with no
    notification, addressed to `phone`, and named by a `key` unique per channel, so the same event
    is never queued twice for them."""

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        WECHAT = "wechat", "微信"

    class State(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries", null=True,
                                     blank=True)
    phone = EncryptedPhoneField("手机号", blank=True)
    kind = models.CharField("类型", max_length=40, default="other")
    message = models.CharField("内容", max_length=300, blank=True)
    key = models.CharField("事件标识", max_length=120, blank=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    reason = models.CharField("失败原因", max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    tried_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "通知发送记录"
        verbose_name_plural = "通知发送记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel"),
            models.UniqueConstraint(fields=["key", "channel"], condition=~models.Q(key=""),
                                    name="one_delivery_per_key_and_channel"),
        ]
        indexes = [models.Index(fields=["state", "tried_at"])]


class PhoneCode(models.Model):
    """A one-time SMS code. Only its hash is kept; it expires, is single use and allows a
    few guesses."""

    phone = EncryptedPhoneField(hash_field="phone_hash")
    phone_hash = PhoneHashField(db_index=True)
    code_hash = models.CharField(max_length=64)
    purpose = models.CharField(max_length=30, default="resident")
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)


class Resident(HashedPhones, models.Model):
    """A member of the public known by a verified phone number, with the privacy notice
    version they accepted. The number is encrypted (core.fields), unique by its hash; its first
    digits (the carrier's range, not personal) stay readable for the vote's virtual-operator check."""

    phone = EncryptedPhoneField("手机号", hash_field="phone_hash", prefix_field="phone_prefix")
    phone_hash = PhoneHashField("手机号", unique=True)
    phone_prefix = PhonePrefixField("号段")
    consent_version = models.CharField("已同意的隐私告知版本", max_length=30)
    consented_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = "居民"

    def __str__(self):
        from wenming.core.validators import mask_phone

        return mask_phone(self.phone)


class WeChatIdentity(models.Model):
    """One phone ↔ one openid: both sides are unique."""

    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="wechat")
    openid = models.CharField(max_length=64, unique=True)
    bound_at = models.DateTimeField(auto_now_add=True)


class ResidentToken(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()


class IdempotentResponse(models.Model):
    """The first answer to a POST sent with an Idempotency-Key: a repeat with the same key
    and body gets it again and changes nothing; the same key with another body is refused."""

    scope = models.CharField(max_length=60)
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_answer_per_key")]


class ScheduledRun(models.Model):
    """One slot of a scheduled job, claimed by the scheduler that enqueued it: the unique slot
    means two schedulers running side by side never enqueue the same slot twice."""

    name = models.CharField(max_length=60)
    slot = models.BigIntegerField()  # the slot's start, in seconds since the epoch
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="one_run_per_slot")]
