"""Every input of the volunteer pages. Choices come from the campaign's preset."""

from decimal import Decimal

from django import forms

from wenming.core.forms import Form
from wenming.volunteers import services

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _choices(mapping):
    return list(mapping.items())


class HoursField(forms.DecimalField):
    """Hours to one decimal, given back as whole minutes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "服务时长（小时）")
        super().__init__(min_value=Decimal(0), max_value=Decimal(24), max_digits=4, decimal_places=1,
                         error_messages={"invalid": "请填写时长，如 1.5", "max_decimal_places": "时长最多保留一位小数",
                                         "max_value": "时长不超过 24 小时", "min_value": "时长不能为负",
                                         "required": "请填写服务时长", "max_digits": "请填写时长，如 1.5"},
                         **kwargs)

    def clean(self, value):
        hours = super().clean(value)
        return None if hours is None else int(hours * 60)


class StationForm(Form):
    community = forms.ChoiceField(label="小区")
    name = forms.CharField(label="服务站名称", max_length=100)
    contact_name = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(label="联系电话", max_length=11)
    hours = forms.CharField(label="服务时间", max_length=100, help_text="如：每天 8:30–17:30")
    services = forms.MultipleChoiceField(label="服务项目", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, campaign, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(c.pk), c.name) for c in communities]
        self.fields["services"].choices = _choices(services.activity_types(campaign))


class StaffVolunteerForm(Form):
    staff = forms.ChoiceField(label="从业人员")
    skills = forms.MultipleChoiceField(label="技能特长", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, campaign, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [(str(s.pk), f"{s.name}（{s.get_post_display()}）") for s in staff]
        self.fields["skills"].choices = _choices(services.skills(campaign))


class JoinForm(Form):
    name = forms.CharField(label="真实姓名", max_length=20, help_text="用于志愿服务记录和证明")
    skills = forms.MultipleChoiceField(label="技能特长", required=False, widget=forms.CheckboxSelectMultiple)
    consent = forms.BooleanField(label="我已阅读并同意个人信息保护告知（姓名、手机号仅用于志愿服务记录）",
                                 error_messages={"required": "请阅读并同意个人信息保护告知"})

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = _choices(services.skills(campaign))


class ActivityForm(Form):
    kind = forms.ChoiceField(label="活动类型")
    title = forms.CharField(label="活动名称", max_length=100)
    content = forms.CharField(label="服务内容", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label="地点", max_length=100)
    partner = forms.CharField(label="联合单位（街道、社区，选填）", max_length=100, required=False)
    starts_at = forms.DateTimeField(label="开始时间", widget=DATETIME, input_formats=FORMATS,
                                    error_messages={"invalid": "请填写开始时间", "required": "请填写开始时间"})
    ends_at = forms.DateTimeField(label="结束时间", widget=DATETIME, input_formats=FORMATS,
                                  error_messages={"invalid": "请填写结束时间", "required": "请填写结束时间"})
    places = forms.IntegerField(label="名额", min_value=1, max_value=1000,
                                error_messages={"invalid": "名额应为 1–1000", "required": "请填写名额",
                                                "min_value": "名额应为 1–1000", "max_value": "名额应为 1–1000"})

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(services.activity_types(campaign))


class ConfirmForm(Form):
    hours = HoursField(required=False, help_text="留空即按签到签退时长确认")
    reason = forms.CharField(label="调整理由", max_length=300, required=False)


class ReviewForm(Form):
    hours = HoursField()
    reason = forms.CharField(label="复核意见", max_length=300)


class ReasonForm(Form):
    reason = forms.CharField(label="取消原因", max_length=300)


class ObjectionForm(Form):
    objection = forms.CharField(label="异议", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                                error_messages={"required": "请写明异议"})


class HelpForm(Form):
    group = forms.ChoiceField(label="帮扶对象")
    kind = forms.ChoiceField(label="需要的帮助")
    description = forms.CharField(label="需求说明", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label="住址（楼栋-单元-室）", max_length=40, help_text="如 3-1-201")

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = _choices(services.help_groups(campaign))
        self.fields["kind"].choices = _choices(services.help_kinds(campaign))


class DeskHelpForm(HelpForm):
    phone = forms.CharField(label="受助居民联系电话", max_length=11)


class ReportForm(Form):
    hours = HoursField()


class CallForm(Form):
    hours = HoursField(required=False, help_text="留空即按志愿者填报的时长")
    note = forms.CharField(label="电话回访情况", max_length=300)


class AssignForm(Form):
    volunteer = forms.ChoiceField(label="志愿者")

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = [(str(v.pk), v.name) for v in volunteers]


class CheckForm(Form):
    number = forms.CharField(label="证明编号", max_length=24, required=False)
