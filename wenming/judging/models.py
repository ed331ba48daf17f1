"""Expert judging (seed 五.5): experts with their employer and declared relations, a committee
per award, assignments checked for conflicts of interest, and one score sheet per assignment."""

from django.conf import settings
from django.db import models


class Expert(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile")
    employer = models.ForeignKey("registry.Company", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="任职的物业服务企业")
    employer_name = models.CharField("工作单位", max_length=100, blank=True)
    related_companies = models.ManyToManyField("registry.Company", blank=True, related_name="+",
                                               verbose_name="申报的利害关系企业")
    declaration = models.TextField("利害关系声明", blank=True)

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"

    def __str__(self):
        return str(self.user)


class Committee(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    award = models.OneToOneField("campaigns.AwardCategory", on_delete=models.PROTECT, related_name="committee")
    members = models.ManyToManyField(Expert, related_name="committees")


class Assignment(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    candidate = models.ForeignKey("awards.Showcase", on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["expert", "candidate"], name="assign_expert_once")]
        ordering = ["candidate_id", "expert_id"]


class Sheet(models.Model):
    """Scores per rubric item (decimal text, one place), comments per item, a version for
    optimistic locking; submitting locks it. Reopening needs the office and a second approver."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="sheet")
    scores = models.JSONField(default=dict)
    comments = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)


class SheetPhoto(models.Model):
    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="photos")
    item = models.CharField(max_length=40)
    image = models.ImageField(upload_to="judging/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    FILE_KIND = "judging.sheet_photo"

    @property
    def url(self):
        """The access-checked address of the photo: the office and the sheet's expert (judging/files.py)."""
        from wenming.core.files import file_url

        return file_url(self.FILE_KIND, self.image.name)


class Reopen(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待第二人批准"
        APPLIED = "applied", "已重新开放"

    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="reopens")
    reason = models.CharField(max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
