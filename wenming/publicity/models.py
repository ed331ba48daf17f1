"""Publicity (seed 五.1 宣传发动, 四(一)2 通稿, 七(1)): news with photos for the public pages
and the 公众号, and the library of approved publicity materials (通稿) that the office uploads
and companies download, each company recording where it posted each one (evidence for the
checklist's 文明宣传 items, AD1–AD3)."""

from django.conf import settings
from django.db import models

from wenming.registry.models import ScopedQuerySet


class NewsQuerySet(models.QuerySet):
    def published(self, now):
        return self.filter(published_at__isnull=False, published_at__lte=now)


class NewsItem(models.Model):
    """A news item: published once `published_at` has passed (empty: a draft)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="news")
    title = models.CharField("标题", max_length=100)
    summary = models.CharField("摘要", max_length=120, blank=True, help_text="列表和微信分享卡片上显示，不填则取正文开头")
    body = models.TextField("正文")
    byline = models.CharField("来源/署名", max_length=50, blank=True, help_text="如：港城物管")
    published_at = models.DateTimeField("发布时间", null=True, blank=True, help_text="不填为草稿；到时自动公开")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NewsQuerySet.as_manager()

    class Meta:
        verbose_name = "新闻"
        verbose_name_plural = "新闻"
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def teaser(self):
        return self.summary or self.body[:60]


class NewsPhoto(models.Model):
    """A photo of a news item, re-encoded on upload; position 0 is the cover."""

    news = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="publicity/news/%Y/%m/")
    thumbnail = models.FileField(upload_to="publicity/news/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "新闻图片"
        verbose_name_plural = "新闻图片"
        ordering = ["position", "pk"]


class Material(models.Model):
    """An approved publicity material (通稿): companies download it and post it as it is."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="materials")
    title = models.CharField("标题", max_length=100)
    description = models.TextField("说明", blank=True, help_text="主题、适用载体、张贴要求等")
    file = models.FileField(upload_to="private/publicity/%Y/%m/")
    thumbnail = models.FileField(upload_to="private/publicity/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = "宣传通稿"
        verbose_name_plural = "宣传通稿"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def kind_label(self):
        return {"application/pdf": "PDF 文件", DOCX: "Word 文件"}.get(self.content_type, "图片")

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Channel(models.TextChoices):
    NOTICE_BOARD = "notice_board", "小区公告栏"
    WECHAT_GROUP = "wechat_group", "微信群"
    OFFICIAL_ACCOUNT = "official_account", "公众号"
    OTHER = "other", "其他"


class Posting(models.Model):
    """Where a company posted a material: the channel, the place (or link), the day, and an
    optional photo as evidence. Seen by the company, its district and the office."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="postings")
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("registry.Community", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="小区")
    channel = models.CharField("发布渠道", max_length=20, choices=Channel.choices)
    place = models.CharField("位置或链接", max_length=300)
    posted_on = models.DateField("发布日期")
    photo = models.FileField(upload_to="private/publicity/%Y/%m/", blank=True)
    thumbnail = models.FileField(upload_to="private/publicity/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "通稿发布记录"
        verbose_name_plural = "通稿发布记录"
        ordering = ["-posted_on", "-pk"]

    def __str__(self):
        return f"{self.material} · {self.get_channel_display()}"
