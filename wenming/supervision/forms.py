from django import forms

from wenming.core.forms import Form
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


class StartInspectionForm(Form):
    community = forms.IntegerField(label="小区", min_value=1, max_value=2**63 - 1)
    kind = forms.ChoiceField(label="类型", choices=[(k, v) for k, v in Inspection.Kind.choices
                                                  if k != Inspection.Kind.REINSPECTION])
    sample = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


class ChecklistForm(Form):
    """The whole checklist of an inspection, saved at once: per item a verdict (or a measured
    value), severity, note and location (photos are taken beside it, see core.kept_uploads).
    An item left blank stays as it was; a note without a verdict is an error, not dropped."""

    then = forms.ChoiceField(choices=[("", "保存"), ("submit", "提交")], required=False)
    confirm_incomplete = forms.BooleanField(required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            key = item["key"]
            if item.get("measure"):
                self.fields[f"value_{key}"] = forms.CharField(max_length=20, required=False)
            else:
                self.fields[f"verdict_{key}"] = forms.ChoiceField(
                    choices=[("pass", "合格"), ("fail", "不合格")], required=False,
                    error_messages={"invalid_choice": "请选择合格或不合格"})
            self.fields[f"severity_{key}"] = forms.ChoiceField(
                choices=Severity.choices, required=False, error_messages={"invalid_choice": "严重程度不正确"})
            self.fields[f"note_{key}"] = forms.CharField(max_length=500, required=False, error_messages={
                "max_length": "问题描述最多 500 字"})
            self.fields[f"location_{key}"] = forms.CharField(max_length=200, required=False, error_messages={
                "max_length": "位置最多 200 字"})

    def clean(self):
        data = super().clean()
        for item in self.items:
            key = item["key"]
            if item.get("measure") or data.get(f"verdict_{key}"):
                continue
            if (data.get(f"note_{key}") or "").strip() or (data.get(f"location_{key}") or "").strip():
                self.add_error(f"verdict_{key}", "请选择是否合格（已填写的问题描述需要一个结论）")
        return data

    def item_errors(self, key):
        return [e for name in (f"value_{key}", f"verdict_{key}", f"severity_{key}", f"note_{key}", f"location_{key}")
                for e in self.errors.get(name, [])]

    def entries(self):
        """{item key: the service's keyword arguments} for the items answered in this post."""
        out = {}
        for item in self.items:
            key = item["key"]
            common = {"severity": self.cleaned_data[f"severity_{key}"], "note": self.cleaned_data[f"note_{key}"],
                      "location": self.cleaned_data[f"location_{key}"]}
            if item.get("measure"):
                value = self.cleaned_data[f"value_{key}"].strip()
                if value:
                    out[key] = {"value": value, **common}
            elif self.cleaned_data[f"verdict_{key}"]:
                out[key] = {"passed": self.cleaned_data[f"verdict_{key}"] == "pass", **common}
        return out


class OrderFilterForm(Form):
    state = forms.ChoiceField(choices=[("", "全部状态"), *RectificationOrder._meta.get_field("state").choices],
                              required=False)
    format = forms.ChoiceField(choices=[("", "网页"), ("xlsx", "Excel")], required=False)


class SampleForm(Form):
    district = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


class EvidenceForm(Form):
    text = forms.CharField(label="整改情况", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "请填写整改情况"})
    photos = PhotosField(label="整改后照片", required=False)


class ReinspectForm(Form):
    result = forms.ChoiceField(choices=[("pass", "复查合格"), ("fail", "复查不合格")])
    note = forms.CharField(max_length=500, required=False)


class OrderActionForm(Form):
    act = forms.ChoiceField(choices=[("start", "开始整改"), ("submit", "提交整改材料"), ("close", "销号")])


class FundForm(Form):
    fund_state = forms.ChoiceField(label="维修资金申请", choices=[c for c in RectificationOrder.Fund.choices if c[0]])


class InterviewForm(Form):
    held_at = forms.DateTimeField(label="约谈时间", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label="约谈地点（印在约谈通知书上）", max_length=200, required=False)
    attendees = forms.CharField(label="参加人员", max_length=300)
    requirements = forms.CharField(label="整改要求", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label="整改期限（留空按预设工作日计算）", required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))


class ConcludeForm(Form):
    result = forms.ChoiceField(choices=[("rectified", "已整改"), ("not_rectified", "逾期仍未整改")])
    note = forms.CharField(max_length=500, required=False)


class RedrawForm(Form):
    reason = forms.CharField(label="重新抽样理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写重新抽样的理由", "max_length": "理由最多 500 字"})

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写重新抽样的理由")
        return reason


class DecideRedrawForm(Form):
    decision = forms.ChoiceField(choices=[("approve", "同意重新抽样"), ("refuse", "不同意")],
                                 error_messages={"required": "请选择审批结论", "invalid_choice": "请选择审批结论"})


class ScheduleForm(Form):
    district = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    every_weeks = forms.IntegerField(label="每个小区督查间隔（周）", min_value=1, max_value=52, error_messages={
        "required": "请填写间隔周数", "invalid": "间隔须为整数周", "min_value": "间隔须为 1 至 52 周",
        "max_value": "间隔须为 1 至 52 周"})
