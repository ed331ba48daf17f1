from django import forms

from wenming.core.forms import Form
from wenming.core.uploads import UploadRejected, check_scan


class MatchingForm(Form):
    document = forms.CharField(label="表彰文件文号", max_length=100, error_messages={"required": "请填写表彰文件文号"})


class PublishForm(Form):
    """Publishing a run; when it corrects a published one, why (shown in the public history)."""

    reason = forms.CharField(label="更正原因", max_length=300, required=False,
                             error_messages={"max_length": "更正原因最多 %(limit_value)d 个字"})


class OpinionForm(Form):
    """A committee member's opinion of a previewed result."""

    decision = forms.ChoiceField(label="意见", choices=[("agree", "同意"), ("disagree", "不同意")],
                                 widget=forms.RadioSelect, error_messages={"required": "请选择同意或不同意"})
    opinion = forms.CharField(label="意见说明（不同意时必填）", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"max_length": "意见说明最多 %(limit_value)d 个字"})


class ObjectionForm(Form):
    """公示异议 as a resident or a company files it."""

    candidate = forms.TypedChoiceField(label="涉及的候选（可不选）", required=False, coerce=int, empty_value=None)
    name = forms.CharField(label="异议人姓名或单位", max_length=60, error_messages={"required": "请填写异议人姓名或单位名称"})
    reason = forms.CharField(label="异议的事实和理由", max_length=3000, widget=forms.Textarea(attrs={"rows": 5}),
                             error_messages={"required": "请写明异议的事实和理由",
                                             "max_length": "异议的事实和理由最多 %(limit_value)d 个字"})
    evidence = forms.FileField(label="证明材料（可选，PDF 文件或照片）", required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))

    def __init__(self, *args, sheets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = [("", "不针对具体候选")] + [
            (s["candidate_id"], f"第 {s['rank']} 名 · {s['name']}") for s in sheets]

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence:
            try:
                check_scan(evidence, label="证明材料")
            except UploadRejected as exc:
                raise forms.ValidationError(str(exc)) from None
        return evidence


class DecisionForm(Form):
    decision = forms.ChoiceField(label="处理结论", choices=[("upheld", "异议成立"), ("dismissed", "异议不成立")],
                                 widget=forms.RadioSelect, error_messages={"required": "请选择异议是否成立"})
    answer = forms.CharField(label="处理意见（公开显示）", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请写明处理意见"})
