"""Every input of the complaints pages. Choices come from the campaign's preset."""

from django import forms

from wenming.complaints import services
from wenming.complaints.services import FollowUpBy, categories, urgencies
from wenming.core import kept_uploads
from wenming.core.forms import Form, MultipleFileField
from wenming.core.validators import clean_phone
from wenming.registry.households import household_key, parse_household


class PhotosForm(Form):
    """A form with up to the preset's number of photos: checked and re-encoded as they are
    taken, and kept across a refusal (`core.kept_uploads`; the kept ones come back as `kept`)."""

    photos = MultipleFileField(label="现场照片（选填）", required=False)

    def __init__(self, *args, campaign, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign, self.owner = campaign, owner
        self.photos = kept_uploads.Photos(owner=owner)

    def clean(self):
        data = super().clean()
        if self.is_bound and self.owner is not None:
            self.photos = kept_uploads.take_photos(
                data.get("photos") or [], self.data.getlist("kept"), owner=self.owner,
                max_bytes=self.campaign.upload_limit(), limit=services.spec(self.campaign).photos_max)
            for error in self.photos.errors:
                self.add_error("photos", error)
        return data


class FilingForm(PhotosForm):
    """What a resident (or the desk on their behalf) says about the problem, with photos."""

    category = forms.ChoiceField(label="问题类别")
    urgency = forms.ChoiceField(label="紧急程度", widget=forms.RadioSelect,
                                help_text="电梯困人、漏水等按紧急处理，无论此处如何选择")
    description = forms.CharField(label="问题描述", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="写清楚什么问题、在哪里、持续多久")
    location = forms.CharField(label="具体位置", max_length=100, required=False,
                               help_text="如：3 号楼 2 单元电梯、东门停车场（选填）")
    household = forms.CharField(label="户号", max_length=40, required=False,
                                help_text="楼栋-单元-室号，如 18-3-1803（与自家有关时填写）")
    field_order = ["category", "urgency", "description", "location", "household", "photos"]

    def __init__(self, *args, campaign, owner=None, **kwargs):
        super().__init__(*args, campaign=campaign, owner=owner, **kwargs)
        self.fields["photos"].label = f"照片（最多 {services.spec(campaign).photos_max} 张，选填）"
        self.fields["category"].choices = [("", "请选择")] + [(k, c.name) for k, c in categories(campaign).items()]
        levels = urgencies(campaign)
        self.fields["urgency"].choices = [(k, u.name) for k, u in levels.items()]
        self.fields["urgency"].initial = list(levels)[-1]

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if len(text) < 5:  # the service says so too; here it is shown at the field
            raise forms.ValidationError("请描述问题（至少 5 个字）")
        return text

    def clean_household(self):
        typed = self.cleaned_data["household"].strip()
        if not typed:
            return ""
        return household_key(*parse_household(typed))  # a ValidationError says how to write it


class DeskFilingForm(FilingForm):
    """The service desk logs a complaint taken by phone or in person."""

    community = forms.ChoiceField(label="小区")
    phone = forms.CharField(label="居民手机号", max_length=11)

    field_order = ["community", "phone", "category", "urgency", "description", "location", "household"]

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(c.pk), c.name) for c in communities]

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class UpdateForm(Form):
    description = forms.CharField(label="补充情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReceiveForm(Form):
    handler = forms.ChoiceField(label="经办人")

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.handlers = {str(u.pk): u for u in handlers}
        self.fields["handler"].choices = [(pk, u.get_full_name() or u.display_name or u.username)
                                          for pk, u in self.handlers.items()]

    def chosen(self):
        return self.handlers.get(self.cleaned_data["handler"])


class NoteForm(PhotosForm):
    note = forms.CharField(label="处理情况", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["note", "photos"]


class AnswerForm(PhotosForm):
    answer = forms.CharField(label="处理结果", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="将发送给居民，请写明做了什么、结果如何")
    field_order = ["answer", "photos"]


SATISFACTION = [(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "非常不满意")]


class FollowUpForm(Form):
    fixed = forms.TypedChoiceField(label="问题是否已解决", choices=[("yes", "已解决"), ("no", "未解决")],
                                   coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                   error_messages={"required": "请选择问题是否已解决"})
    satisfaction = forms.TypedChoiceField(label="对处理是否满意", choices=SATISFACTION, coerce=int,
                                          widget=forms.RadioSelect, required=False, empty_value=None,
                                          error_messages={"required": "请选择对处理是否满意"})
    note = forms.CharField(label="回访记录", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="电话回访时记录居民的原话")

    def __init__(self, *args, by=None, **kwargs):
        super().__init__(*args, **kwargs)
        if by == FollowUpBy.RESIDENT:
            del self.fields["note"]
            self.fields["satisfaction"].required = True


class HotlineImportForm(Form):
    file = forms.FileField(label="12345 工单导出表（Excel）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class RepeatDecisionForm(Form):
    decision = forms.ChoiceField(choices=[("inspect", "列入督查"), ("dismiss", "不列入督查")])
    note = forms.CharField(label="说明", max_length=300, required=False)


class RatesFilterForm(Form):
    start = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="截止日期（含当天）", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(choices=[("", "网页"), ("xlsx", "Excel")], required=False)


class TicketFilterForm(Form):
    state = forms.ChoiceField(required=False)
    late = forms.ChoiceField(choices=[("", "全部"), ("overdue", "已超时"), ("escalated", "已上报区住建局")], required=False)
    format = forms.ChoiceField(choices=[("", "网页"), ("xlsx", "Excel")], required=False)

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "全部状态")] + list(states)
