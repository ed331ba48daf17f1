from django import forms

from wenming.supervision.models import Inspection, RectificationOrder, Severity

PHOTO_ACCEPT = {"accept": "image/jpeg,image/png", "capture": "environment"}


class MultiplePhotos(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultiplePhotos(attrs=PHOTO_ACCEPT)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > 9:
            raise forms.ValidationError("每次最多上传 9 张照片")
        return files


class StartInspectionForm(forms.Form):
    community = forms.IntegerField(label="小区", min_value=1, max_value=2**63 - 1)
    kind = forms.ChoiceField(label="类型", choices=[(k, v) for k, v in Inspection.Kind.choices
                                                  if k != Inspection.Kind.REINSPECTION])
    sample = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


class FindingForm(forms.Form):
    verdict = forms.ChoiceField(label="结论", choices=[("pass", "合格"), ("fail", "不合格")], required=False,
                                widget=forms.RadioSelect)
    value = forms.CharField(label="实测值", max_length=20, required=False)
    severity = forms.ChoiceField(label="严重程度", choices=Severity.choices, required=False)
    note = forms.CharField(label="问题描述", max_length=500, required=False)
    location = forms.CharField(label="位置", max_length=200, required=False)
    photos = PhotosField(label="照片", required=False)


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(choices=[("", "全部状态"), *RectificationOrder._meta.get_field("state").choices],
                              required=False)
    format = forms.ChoiceField(choices=[("", "网页"), ("xlsx", "Excel")], required=False)


class SampleForm(forms.Form):
    district = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


class EvidenceForm(forms.Form):
    text = forms.CharField(label="整改情况", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "请填写整改情况"})
    photos = PhotosField(label="整改后照片", required=False)


class ReinspectForm(forms.Form):
    result = forms.ChoiceField(choices=[("pass", "复查合格"), ("fail", "复查不合格")])
    note = forms.CharField(max_length=500, required=False)


class OrderActionForm(forms.Form):
    act = forms.ChoiceField(choices=[("start", "开始整改"), ("submit", "提交整改材料"), ("close", "销号")])


class FundForm(forms.Form):
    fund_state = forms.ChoiceField(label="维修资金申请", choices=[c for c in RectificationOrder.Fund.choices if c[0]])


class InterviewForm(forms.Form):
    held_at = forms.DateTimeField(label="约谈时间", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    attendees = forms.CharField(label="参加人员", max_length=300)
    requirements = forms.CharField(label="整改要求", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label="整改期限（留空按预设工作日计算）", required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))


class ConcludeForm(forms.Form):
    result = forms.ChoiceField(choices=[("rectified", "已整改"), ("not_rectified", "逾期仍未整改")])
    note = forms.CharField(max_length=500, required=False)
