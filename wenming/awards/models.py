from django.conf import settings
from django.db import models
from django.db.models import Q

from wenming.core import scoping
from wenming.core.fields import EncryptedPhoneField
from wenming.registry.models import Post


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    COMPANY_REVIEW = "company_review", "待企业出具意见"
    DISTRICT_REVIEW = "district_review", "待区主管部门审核"
    OFFICE_REVIEW = "office_review", "待评选工作办公室初审"
    RETURNED = "returned", "退回修改"
    CANDIDATE = "candidate", "已确认为候选"
    REJECTED = "rejected", "未通过初审"
    MERGED = "merged", "已并入同一小区的申报"
    WITHDRAWN = "withdrawn", "已撤回"


# Statuses in which an application still counts (for 每人限报一项 and duplicate detection).
LIVE_STATUSES = [Status.DRAFT, Status.COMPANY_REVIEW, Status.DISTRICT_REVIEW, Status.OFFICE_REVIEW,
                 Status.RETURNED, Status.CANDIDATE]
STAGE_STATUS = {"company": Status.COMPANY_REVIEW, "district": Status.DISTRICT_REVIEW, "office": Status.OFFICE_REVIEW}


class Channel(models.TextChoices):
    COMPANY = "company", "物业服务企业申报"
    OWNERS_COMMITTEE = "owners_committee", "业主委员会申报"
    RESIDENTS_COMMITTEE = "residents_committee", "社区居委会申报"
    PUBLIC = "public_recommendation", "公众推荐"
    SELF = "self_nomination", "个人自荐"
    COMPANY_NOMINATION = "company_nomination", "企业推荐"


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Office: all. District: submitted applications of its district. Company: its own
        (drafts it wrote, and anything concerning its communities or staff once submitted)."""
        submitted = ~Q(status=Status.DRAFT)
        return scoping.visible_to(self, user, district=lambda pk: submitted & Q(district_id=pk),
                                  company=lambda pk: Q(company_id=pk) & (submitted | Q(created_by=user)))


class Application(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="applications")
    award = models.ForeignKey("campaigns.AwardCategory", verbose_name="奖项", on_delete=models.PROTECT,
                              related_name="applications")
    channel = models.CharField("申报渠道", max_length=30, choices=Channel.choices)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The subject: a community (文明示范小区) or a staff member (the two person awards).
    community = models.ForeignKey("registry.Community", verbose_name="小区", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="applications")
    staff = models.ForeignKey("registry.Staff", verbose_name="申报人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="applications")
    # Denormalised from the subject at creation, for scoping and lists.
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="applications")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="applications")
    # Who filed it.
    applicant_name = models.CharField("申报单位/申报人", max_length=100)
    applicant_phone = EncryptedPhoneField("联系电话", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    entered_by_office = models.BooleanField("评选办代为录入", default=False)
    intake_note = models.CharField("录入说明", max_length=200, blank=True, help_text="如：邮件推荐、纸质申报表")
    # The seed forms (附件1–3).
    full_name = models.CharField("小区全称 / 姓名", max_length=100)
    basic_info = models.TextField("基本信息", blank=True)
    narrative = models.TextField("管理服务情况 / 主要业绩材料", blank=True)
    post = models.CharField("申报类型（岗位）", max_length=20, choices=Post.choices, blank=True)
    position = models.CharField("职务", max_length=50, blank=True)
    postcode = models.CharField("邮编", max_length=6, blank=True)
    past_awards = models.TextField("以往获奖情况（含管理小区获奖情况）", blank=True)
    applicant_opinion = models.TextField("申报单位意见", blank=True)
    portrait_consent = models.BooleanField("同意公开展示本人照片", default=False)
    portrait_consent_at = models.DateTimeField(null=True, blank=True)
    # Workflow.
    returned_from = models.CharField(max_length=10, blank=True)
    last_reason = models.TextField("最近的退回/未通过原因", blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "申报"
        verbose_name_plural = "申报"
        ordering = ["-updated_at"]
        constraints = [
            # 每人限报一项: one live person application per staff member per campaign.
            models.UniqueConstraint(
                fields=["campaign", "staff"], condition=Q(staff__isnull=False, status__in=LIVE_STATUSES),
                name="one_live_person_application",
            ),
            # The same community is one live application per award (later arrivals are merged).
            models.UniqueConstraint(
                fields=["award", "community"], condition=Q(community__isnull=False, status__in=LIVE_STATUSES),
                name="one_live_community_application",
            ),
        ]

    def __str__(self):
        return f"{self.award.name}：{self.full_name}"

    @property
    def is_person(self):
        return self.staff_id is not None

    @property
    def company_is_applicant(self):
        return self.channel in (Channel.COMPANY, Channel.COMPANY_NOMINATION)

    @property
    def is_editable(self):
        return self.status in (Status.DRAFT, Status.RETURNED)


class Attachment(models.Model):
    class Kind(models.TextChoices):
        GATE_PHOTO = "gate_photo", "小区主大门照片"
        ENVIRONMENT_PHOTO = "environment_photo", "小区环境照片"
        VIDEO = "video", "视频资料"
        PORTRAIT = "portrait", "2寸彩色照片"
        SEAL_SCAN = "seal_scan", "盖章意见页扫描件"
        SIGNED_FORM = "signed_form", "签章申报表扫描件"
        SHOWCASE_PHOTO = "showcase_photo", "展示素材照片"
        RECOMMENDATION_PHOTO = "recommendation_photo", "推荐照片"

    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="attachments")
    recommendation = models.ForeignKey("Recommendation", null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="attachments")
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    file = models.FileField(upload_to="private/%Y/%m/")
    thumbnail = models.FileField(upload_to="private/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_image(self):
        return self.content_type.startswith("image/")

    @property
    def file_label(self):
        """What a link to a file that is not an image says."""
        return "PDF 文件" if self.content_type == "application/pdf" else "▶ 视频"


class Opinion(models.Model):
    """A reviewer's signed statement at one stage of the chain."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "同意上报"
        RETURN = "return", "退回修改"
        REJECT = "reject", "不予通过"
        CONFIRM = "confirm", "确认为候选"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="opinions")
    stage = models.CharField("环节", max_length=10, choices=[("company", "企业意见"), ("district", "区主管部门意见"),
                                                          ("office", "评选工作办公室初审")])
    decision = models.CharField("结论", max_length=10, choices=Decision.choices)
    text = models.TextField("意见")
    seal_scan = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"
        ordering = ["created_at", "id"]


class Showcase(models.Model):
    """A candidate's public page: the office prepares the material and publishes it."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="showcase")
    title = models.CharField("展示标题", max_length=100)
    story = models.TextField("展示介绍")
    interview_notes = models.TextField("实地取景与采访记录（不公开）", blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "候选展示"
        verbose_name_plural = "候选展示"
        ordering = ["application__award__sort_order", "title"]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.published_at is not None


class Recommendation(models.Model):
    """A resident's public recommendation of a community (公众推荐)."""

    class State(models.TextChoices):
        RECEIVED = "received", "已收到"
        LINKED = "linked", "已并入该小区的申报"
        CONVERTED = "converted", "已转为申报"
        DISMISSED = "dismissed", "不予受理"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="recommendations")
    resident = models.ForeignKey("core.Resident", on_delete=models.PROTECT, related_name="recommendations")
    community = models.ForeignKey("registry.Community", verbose_name="小区", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="recommendations")
    community_name = models.CharField("小区名称", max_length=100)
    district = models.ForeignKey("registry.District", verbose_name="所在区", on_delete=models.PROTECT,
                                 related_name="recommendations")
    reason = models.TextField("推荐理由")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.RECEIVED)
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="recommendations")
    created_at = models.DateTimeField(auto_now_add=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "公众推荐"
        verbose_name_plural = "公众推荐"
        ordering = ["-created_at"]
        # One recommendation per phone and community: a repeat updates the first.
        constraints = [
            models.UniqueConstraint(fields=["campaign", "resident", "community"], condition=models.Q(
                community__isnull=False), name="recommend_registry_community_once"),
            models.UniqueConstraint(fields=["campaign", "resident", "district", "community_name"], condition=models.Q(
                community__isnull=True), name="recommend_named_community_once"),
        ]

    def __str__(self):
        return self.community_name

