import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q

from wenming.campaigns.presets import PHASE_KEYS, Preset
from wenming.core import versions

# Caches of campaign facts (windows, rules) key on this shared version; every change bumps it
# (campaigns.services.campaign_changed).
CAMPAIGN_VERSION = "campaign"


class PhaseKey(models.TextChoices):
    PUBLICITY = "publicity", "宣传发动"
    APPLY = "apply", "申报推荐"
    REVIEW = "review", "初审及展示"
    VOTING = "voting", "投票评选"
    EXPERT = "expert", "专家评选"
    RESULTS = "results", "表彰"


assert tuple(PhaseKey.values) == PHASE_KEYS


class Campaign(models.Model):
    slug = models.SlugField("预设", max_length=60, unique=True)
    name = models.CharField("活动名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    city = models.CharField("城市", max_length=50)
    theme = models.CharField("主题", max_length=100, blank=True)
    organiser = models.CharField("主办单位", max_length=100, blank=True)
    office_name = models.CharField("评选工作办公室", max_length=100, blank=True)
    timezone = models.CharField("时区", max_length=50, default="Asia/Shanghai")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间", help_text="不含此刻（半开区间）")
    contact = models.JSONField("联系方式", default=dict, blank=True)
    privacy_notice_version = models.CharField("隐私告知版本", max_length=30)
    privacy_notice_url = models.CharField("隐私告知地址", max_length=200)
    districts = models.ManyToManyField("registry.District", verbose_name="参评区", related_name="campaigns")
    is_active = models.BooleanField("当前活动", default=True)
    rules_version = models.PositiveIntegerField("规则版本", default=1)


    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"

    def __str__(self):
        return self.name

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def timezone_label(self):
        """The zone as people say it (China runs on one clock); another zone is shown by its name."""
        return {"Asia/Shanghai": "北京时间", "Asia/Urumqi": "新疆时间"}.get(self.timezone, self.timezone)

    @property
    def rules(self):
        """The current rule set's data (the validated preset)."""
        return self.rule_sets.get(version=self.rules_version).data

    @property
    def typed_rules(self) -> Preset:
        """The current rules as the validated preset, parsed once per process per rule version
        (and again after the campaign version moves: campaigns.services.campaign_changed)."""
        return _rule_presets.get((self.pk, self.rules_version), lambda: Preset.model_validate(self.rules))

    def upload_limit(self, kind="image"):
        """The largest upload of a kind ("image" or "video") in bytes, from the preset's `uploads`."""
        uploads = self.typed_rules.uploads
        return {"image": uploads.image_max_mb, "video": uploads.video_max_mb}[kind] * 1024 * 1024


_rule_presets = versions.Memo(CAMPAIGN_VERSION)


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    key = models.CharField("阶段", max_length=16, choices=PhaseKey.choices)
    name = models.CharField("名称", max_length=50)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间", help_text="不含此刻（半开区间）")

    class Meta:
        verbose_name = "阶段"
        verbose_name_plural = "阶段"
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="phase_key_unique_in_campaign"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="phase_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    def holds(self, at):
        return self.starts_at <= at < self.ends_at


class Deadline(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deadlines")
    key = models.SlugField("键", max_length=40)
    name = models.CharField("名称", max_length=100)
    at = models.DateTimeField("截止时刻", help_text="此刻起不再受理")

    class Meta:
        verbose_name = "截止时间"
        verbose_name_plural = "截止时间"
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="deadline_key_unique_in_campaign")]

    def __str__(self):
        return self.name


class AwardCategory(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="awards")
    key = models.SlugField("键", max_length=40)
    name = models.CharField("奖项", max_length=50)
    subject = models.CharField("评选对象", max_length=16, choices=[("community", "小区"), ("staff", "个人")])
    weights = models.JSONField("权重", help_text="来源 → 百分比，如 {\"vote\": 40, \"expert\": 60}")
    eligibility = models.JSONField("参评条件", default=dict, blank=True)
    channels = models.JSONField("申报渠道", default=list, blank=True)
    paper_copies = models.PositiveSmallIntegerField("纸质份数", default=1)
    submit_action = models.CharField("提交时间窗口", max_length=40, default="apply")
    review_chain = models.JSONField("审核流程", default=list)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "奖项"
        verbose_name_plural = "奖项"
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="award_key_unique_in_campaign")]

    def __str__(self):
        return self.name

    @property
    def weight_labels(self):
        """[(name, percent)] in the preset's order of sources (PostgreSQL's jsonb keeps no order)."""
        return [(WEIGHT_NAMES[k], self.weights[k]) for k in WEIGHT_NAMES if k in self.weights]


# The sources of an award's score, in the order residents read them.
WEIGHT_NAMES = {"survey": "千家万户访文明调查", "vote": "投票", "expert": "专家评选"}


class RuleSet(models.Model):
    """One loaded version of a campaign's rules: the whole validated preset, never edited."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rule_sets")
    version = models.PositiveIntegerField("版本")
    preset_version = models.PositiveIntegerField("预设文件版本")
    sha256 = models.CharField("内容摘要", max_length=64)
    data = models.JSONField("规则")
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "规则版本"
        verbose_name_plural = "规则版本"
        ordering = ["campaign", "-version"]
        constraints = [models.UniqueConstraint(fields=["campaign", "version"], name="ruleset_version_unique")]


class Announcement(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="announcements")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    published_at = models.DateTimeField("发布时间")
    pinned = models.BooleanField("置顶", default=False)

    class Meta:
        verbose_name = "公告"
        verbose_name_plural = "公告"
        ordering = ["-pinned", "-published_at"]

    def __str__(self):
        return self.title


class RuleChange(models.Model):
    """A change to the rules that decide results. Voting limits are changed field by field; any
    other section by a whole new preset file. Once the phase that uses a section has opened it is
    frozen: a change then needs a second office member's approval and is announced publicly when
    applied."""

    class State(models.TextChoices):
        PENDING = "pending", "待第二人批准"
        APPLIED = "applied", "已生效"

    class Kind(models.TextChoices):
        VOTING = "voting", "投票规则"
        PRESET = "preset", "方案文件"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rule_changes")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.VOTING)
    # voting: {rule: new value}; preset: {"sections": [frozen sections the file changes]}
    changes = models.JSONField("调整内容")
    preset = models.JSONField("新方案内容", null=True, blank=True)  # the parsed file, for kind=preset
    sha256 = models.CharField(max_length=64, blank=True)
    base_version = models.PositiveIntegerField("提出时的规则版本", null=True, blank=True)
    reason = models.CharField("原因", max_length=300)
    state = models.CharField(max_length=10, choices=State.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
