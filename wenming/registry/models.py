from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q

from wenming.core import scoping
from wenming.core.fields import EncryptedPhoneField, HashedPhones, PhoneHashField
from wenming.core.validators import mask_phone


class ScopedQuerySet(models.QuerySet):
    """`visible_to(user)`: the rows a user may see; everything else is treated as absent. By
    default a row names its own district and company (`district_id`, `company_id`); a resource
    whose scope lies elsewhere overrides `district_scope` / `company_scope`."""

    @staticmethod
    def district_scope(district_id):
        return Q(district_id=district_id)

    @staticmethod
    def company_scope(company_id):
        return Q(company_id=company_id)

    def visible_to(self, user):
        return scoping.visible_to(self, user, district=self.district_scope, company=self.company_scope,
                                  distinct=True)


class District(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", "区"
        ZONE = "zone", "功能板块"

    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.DISTRICT)
    bureau_name = models.CharField("主管部门", max_length=80, blank=True, help_text="如：海州区住房和城乡建设局")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "区/功能板块"
        verbose_name_plural = "区/功能板块"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class Street(models.Model):
    district = models.ForeignKey(District, verbose_name="所属区", on_delete=models.PROTECT, related_name="streets")
    name = models.CharField("街道/镇", max_length=50)

    class Meta:
        verbose_name = "街道"
        verbose_name_plural = "街道"
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="street_unique_in_district")]

    def __str__(self):
        return self.name


class ResidentsCommittee(models.Model):
    street = models.ForeignKey(Street, verbose_name="街道", on_delete=models.PROTECT, related_name="committees")
    name = models.CharField("社区居委会", max_length=50)

    class Meta:
        verbose_name = "社区居委会"
        verbose_name_plural = "社区居委会"
        ordering = ["street", "name"]
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="committee_unique_in_street")]

    def __str__(self):
        return self.name


class CompanyQuerySet(ScopedQuerySet):
    @staticmethod
    def district_scope(district_id):
        # A district sees the companies registered there and those managing a community there.
        return Q(district_id=district_id) | Q(communities__district_id=district_id)

    @staticmethod
    def company_scope(company_id):
        return Q(pk=company_id)


class Company(models.Model):
    name = models.CharField("企业名称", max_length=100, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    district = models.ForeignKey(District, verbose_name="注册所在区", on_delete=models.PROTECT, related_name="companies")
    address = models.CharField("地址", max_length=200, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = EncryptedPhoneField("联系电话", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = "物业服务企业"
        verbose_name_plural = "物业服务企业"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def masked_contact_phone(self):
        return mask_phone(self.contact_phone)


class CommunityQuerySet(ScopedQuerySet):
    """A community's own district and company (the default scope)."""

    def with_min_occupancy(self, percent):
        """Occupancy ≥ percent, compared in integers so SQLite and PostgreSQL agree."""
        return self.alias(occupied_x100=models.F("occupied_households") * 100).filter(
            occupied_x100__gte=models.F("total_households") * percent
        )


class Community(models.Model):
    name = models.CharField("小区名称", max_length=100)
    district = models.ForeignKey(District, verbose_name="所属区", on_delete=models.PROTECT, related_name="communities")
    street = models.ForeignKey(
        Street, verbose_name="街道", null=True, blank=True, on_delete=models.PROTECT, related_name="communities"
    )
    committee = models.ForeignKey(
        ResidentsCommittee, verbose_name="社区居委会", null=True, blank=True,
        on_delete=models.PROTECT, related_name="communities",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    company = models.ForeignKey(
        Company, verbose_name="物业服务企业", null=True, blank=True, on_delete=models.PROTECT, related_name="communities"
    )
    completed_on = models.DateField("竣工日期", null=True, blank=True)
    total_households = models.PositiveIntegerField("总户数")
    occupied_households = models.PositiveIntegerField("入住户数")
    owners_committee = models.CharField("业主委员会", max_length=100, blank=True, help_text="未成立可留空")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = "住宅小区"
        verbose_name_plural = "住宅小区"
        ordering = ["district", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="community_unique_in_district"),
            models.CheckConstraint(
                condition=Q(occupied_households__lte=models.F("total_households")),
                name="community_occupied_le_total",
            ),
            models.CheckConstraint(condition=Q(total_households__gt=0), name="community_has_households"),
        ]

    def __str__(self):
        return self.name

    @property
    def occupancy_rate(self):
        """Occupied ÷ total as a Decimal fraction (exact; display rounds)."""
        if not self.total_households:
            return Decimal(0)
        return Decimal(self.occupied_households) / Decimal(self.total_households)

    @property
    def occupancy_percent(self):
        return (self.occupancy_rate * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Post(models.TextChoices):
    SECURITY = "security", "秩序维护员"
    CLEANING = "cleaning", "保洁员"
    MAINTENANCE = "maintenance", "工程维修"
    SERVICE_DESK = "service_desk", "客服人员"
    PROJECT_MANAGER = "project_manager", "项目负责人"


class StaffQuerySet(ScopedQuerySet):
    @staticmethod
    def district_scope(district_id):
        # Staff posted to a community are seen by that community's district; staff not yet
        # posted anywhere by their company's home district.
        return Q(community__district_id=district_id) | Q(community__isnull=True, company__district_id=district_id)

    @staticmethod
    def company_scope(company_id):
        return Q(company_id=company_id)


class Staff(HashedPhones, models.Model):
    name = models.CharField("姓名", max_length=50)
    company = models.ForeignKey(Company, verbose_name="物业服务企业", on_delete=models.PROTECT, related_name="staff")
    community = models.ForeignKey(
        Community, verbose_name="服务小区", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    post = models.CharField("岗位", max_length=20, choices=Post.choices)
    entered_trade_on = models.DateField("从事物业管理工作起始日期")
    certificates = models.CharField("持证情况", max_length=200, blank=True)
    phone = EncryptedPhoneField("手机号", hash_field="phone_hash")
    phone_hash = PhoneHashField("手机号", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = "物业从业人员"
        verbose_name_plural = "物业从业人员"
        ordering = ["company", "name"]
        constraints = [models.UniqueConstraint(fields=["company", "phone_hash"], name="staff_unique_phone_in_company")]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    def months_in_trade(self, on):
        """Whole months from entering the trade to `on` (a 1 year 11 months worker has 23)."""
        start = self.entered_trade_on
        months = (on.year - start.year) * 12 + (on.month - start.month)
        if on.day < start.day:
            months -= 1
        return max(months, 0)


class Household(models.Model):
    """One household of a community's register (住户登记): building / unit / room, kept with
    its normalised key ("18-3-1803"); a response names one. Occupied households are the
    denominator of coverage (Community.occupied_households is counted from the register)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="households")
    building = models.CharField("楼栋", max_length=20)
    unit = models.CharField("单元", max_length=20)
    room = models.CharField("室号", max_length=20)
    key = models.CharField("户号", max_length=40)
    occupied = models.BooleanField("已入住", default=True)

    class Meta:
        verbose_name = "住户"
        verbose_name_plural = "住户登记"
        constraints = [models.UniqueConstraint(fields=["community", "key"], name="household_once_per_community")]
        ordering = ["community", "pk"]

    def __str__(self):
        return self.key
