import datetime

from django import forms

from wenming.campaigns.models import Announcement
from wenming.campaigns.services import COUNTS_VISIBILITY, PRESET_FILE_LIMIT, extension_targets
from wenming.core.forms import Form, ModelForm


class ExtensionForm(Form):
    target = forms.ChoiceField(label="延长对象")
    new_end_day = forms.DateField(label="新的最后一天", widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="当天 24:00 截止（北京时间）")
    reason = forms.CharField(label="延期原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["target"].choices = [(key, label) for key, label, _ in extension_targets(campaign)]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写延期原因")
        return reason

    def new_end(self):
        day = self.cleaned_data["new_end_day"] + datetime.timedelta(days=1)
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=self.campaign.tz)


class AnnouncementForm(ModelForm):
    class Meta:
        model = Announcement
        fields = ["title", "body", "published_at", "pinned"]
        widgets = {"published_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"published_at": "到此时间后在首页显示（北京时间）"}


class VotingRulesForm(Form):
    per_voter_per_award_per_day = forms.IntegerField(label="每人每天每个奖项可投票数", min_value=1, max_value=50)
    per_candidate_per_voter_per_day = forms.IntegerField(label="每人每天对同一候选可投票数", min_value=1, max_value=10)
    counts_visibility = forms.ChoiceField(label="票数公开方式", choices=list(COUNTS_VISIBILITY.items()))
    reason = forms.CharField(label="调整原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def changes(self, current):
        keys = ("per_voter_per_award_per_day", "per_candidate_per_voter_per_day", "counts_visibility")
        return {k: self.cleaned_data[k] for k in keys if self.cleaned_data[k] != current.get(k)}


class PresetChangeForm(Form):
    """A new preset file for the current campaign (any rule section, e.g. weights)."""

    file = forms.FileField(label="新方案文件", help_text="修改后的本活动方案文件（文件中的日期不会改动活动日期）",
                           widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml"}))
    reason = forms.CharField(label="调整原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > PRESET_FILE_LIMIT:
            raise forms.ValidationError("文件过大（方案文件不超过 512 KB）")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("文件应为 UTF-8 编码的方案文本") from None

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写调整原因")
        return reason
