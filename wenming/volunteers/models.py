"""Volunteer service stations (seed 四(一)5): a community's 物业服务中心 as a 志愿者服务站, its
volunteers (company staff from the registry, SMS-verified residents), its activities with QR
sign-in and sign-out, households' help requests, and the records and certificates the national
rules ask for (《志愿服务记录与证明出具办法（试行）》: identity, time, place, content, hours, recorder).

Hours are kept in whole minutes (a record's `minutes`), so that any total is an exact sum; pages
show hours to one decimal."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from wenming.core.fields import EncryptedPhoneField, HashedPhones, PhoneHashField
from wenming.registry.models import ScopedQuerySet


class ByDistrictAndCompany(ScopedQuerySet):
    """Office: all; a district: its district's; a company: its own (the default scope)."""


class Station(models.Model):
    """One per community: registered by the community's company, seen by its district."""

    community = models.OneToOneField("registry.Community", on_delete=models.PROTECT, related_name="volunteer_station")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("服务站名称", max_length=100)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = EncryptedPhoneField("联系电话")
    hours = models.CharField("服务时间", max_length=100)
    services = models.JSONField("服务项目", default=list)  # activity type keys of the preset
    photo = models.ImageField(upload_to="volunteers/%Y/%m/", blank=True)
    # the company's account that registered it (None: brought in with the demo's registry)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    registered_at = models.DateTimeField()

    objects = ByDistrictAndCompany.as_manager()

    class Meta:
        verbose_name = "志愿者服务站"
        verbose_name_plural = "志愿者服务站"
        ordering = ["district", "name"]

    def __str__(self):
        return self.name


class Kind(models.TextChoices):
    STAFF = "staff", "物业员工"
    RESIDENT = "resident", "热心业主"


class Volunteer(HashedPhones, models.Model):
    """A person registered at a station, known by their phone (the one they verify by SMS)."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="volunteers")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    staff = models.ForeignKey("registry.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("core.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    phone = EncryptedPhoneField("手机号", hash_field="phone_hash")
    phone_hash = PhoneHashField("手机号", db_index=True)
    skills = models.JSONField("技能特长", default=list)  # skill keys of the preset
    consent_version = models.CharField("已同意的告知版本", max_length=30)
    consented_at = models.DateTimeField("同意时间")
    joined_at = models.DateTimeField("登记时间")

    objects = ByDistrictAndCompany.as_manager()

    class Meta:
        verbose_name = "志愿者"
        verbose_name_plural = "志愿者"
        ordering = ["station", "name"]
        constraints = [models.UniqueConstraint(fields=["station", "phone_hash"], name="volunteer_once_per_station")]

    def __str__(self):
        return self.name


class Activity(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "报名中"
        CANCELLED = "cancelled", "已取消"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="activities")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("活动类型", max_length=30)
    title = models.CharField("活动名称", max_length=100)
    content = models.TextField("服务内容", max_length=1000)
    place = models.CharField("地点", max_length=100)
    partner = models.CharField("联合单位（街道、社区）", max_length=100, blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    places = models.PositiveIntegerField("名额")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = ByDistrictAndCompany.as_manager()

    class Meta:
        verbose_name = "志愿活动"
        verbose_name_plural = "志愿活动"
        ordering = ["-starts_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start")]

    def __str__(self):
        return self.title

    @property
    def length_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class RecordState(models.TextChoices):
    SIGNED_UP = "signed_up", "已报名"
    CANCELLED = "cancelled", "已取消报名"
    SIGNED_IN = "signed_in", "已签到"
    SIGNED_OUT = "signed_out", "已签退，待确认"
    CONFIRMED = "confirmed", "时长已确认"
    OBJECTED = "objected", "有异议，待复核"


HOLDS_A_PLACE = (RecordState.SIGNED_UP, RecordState.SIGNED_IN, RecordState.SIGNED_OUT, RecordState.CONFIRMED,
                 RecordState.OBJECTED)


class ConfirmedBy(models.TextChoices):
    ORGANISER = "organiser", "活动组织者确认"
    HOUSEHOLD = "household", "受助居民确认"
    CALL = "call", "服务站电话回访确认"


class Record(models.Model):
    """志愿服务记录: one volunteer at one activity (or one served help request). Its station,
    company and district are the activity's, kept here for the figures."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    help_request = models.OneToOneField("HelpRequest", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="record")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=12, choices=RecordState.choices, default=RecordState.SIGNED_UP)
    signed_up_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    signed_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    measured_minutes = models.PositiveIntegerField("签到签退时长（分钟）", null=True, blank=True)
    minutes = models.PositiveIntegerField("确认时长（分钟）", null=True, blank=True)
    served_on = models.DateTimeField("服务时间", null=True, blank=True)  # the activity's start or the help's
    confirmed_how = models.CharField("确认方式", max_length=10, choices=ConfirmedBy.choices, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="记录人")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    reason = models.CharField("调整理由", max_length=300, blank=True)
    objection = models.CharField("异议", max_length=500, blank=True)
    objected_at = models.DateTimeField(null=True, blank=True)

    objects = ByDistrictAndCompany.as_manager()

    class Meta:
        verbose_name = "志愿服务记录"
        verbose_name_plural = "志愿服务记录"
        ordering = ["-served_on", "-pk"]
        indexes = [models.Index(fields=["district", "state", "served_on"]),
                   models.Index(fields=["station", "state"]), models.Index(fields=["volunteer", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], condition=Q(activity__isnull=False),
                                    name="one_record_per_activity_volunteer"),
            models.CheckConstraint(condition=Q(activity__isnull=False) | Q(help_request__isnull=False),
                                   name="record_of_activity_or_help"),
        ]

    @property
    def hours(self):
        return round((self.minutes or 0) / 60, 1)

    @property
    def measured_hours(self):
        return None if self.measured_minutes is None else round(self.measured_minutes / 60, 1)


class UsedCode(models.Model):
    """A sign-in or sign-out code a volunteer has used: the same code twice is a replay."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32)
    used_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "nonce"], name="code_used_once_per_record")]


class HelpRequest(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "待认领"
        TAKEN = "taken", "志愿者已认领"
        REPORTED = "reported", "已完成，待受助居民确认"
        DONE = "done", "已办结"
        CANCELLED = "cancelled", "已撤销"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="help_requests")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    address = models.CharField("住址（楼栋-单元-室）", max_length=40)
    group = models.CharField("帮扶对象", max_length=30)
    kind = models.CharField("需求类别", max_length=30)
    description = models.TextField("需求说明", max_length=1000)
    phone = EncryptedPhoneField("联系电话", hash_field="phone_hash")
    phone_hash = PhoneHashField("联系电话", db_index=True)
    resident = models.ForeignKey("core.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # the station's staff, for a household without a phone
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="help")
    requested_at = models.DateTimeField()
    taken_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_minutes = models.PositiveIntegerField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ByDistrictAndCompany.as_manager()

    class Meta:
        verbose_name = "帮扶需求"
        verbose_name_plural = "帮扶需求"
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["district", "state"]), models.Index(fields=["station", "state"])]


class Certificate(models.Model):
    """志愿服务记录证明: the confirmed totals of one volunteer at one station when issued."""

    number = models.CharField("证明编号", max_length=24, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    records = models.PositiveIntegerField("服务次数")
    minutes = models.PositiveIntegerField("服务时长（分钟）")
    first_on = models.DateTimeField(null=True, blank=True)
    last_on = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField("开具时间")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")  # None: the volunteer asked from the phone

    objects = ByDistrictAndCompany.as_manager()

    class Meta:
        verbose_name = "志愿服务记录证明"
        verbose_name_plural = "志愿服务记录证明"
        ordering = ["-issued_at", "-pk"]

    @property
    def hours(self):
        return round(self.minutes / 60, 1)
