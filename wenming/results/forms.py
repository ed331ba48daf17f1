from django import forms


class MatchingForm(forms.Form):
    document = forms.CharField(label="表彰文件文号", max_length=100, error_messages={"required": "请填写表彰文件文号"})


class PublishForm(forms.Form):
    """Publishing a run; when it corrects a published one, why (shown in the public history)."""

    reason = forms.CharField(label="更正原因", max_length=300, required=False,
                             error_messages={"max_length": "更正原因最多 %(limit_value)d 个字"})


class OpinionForm(forms.Form):
    """A committee member's opinion of a previewed result."""

    decision = forms.ChoiceField(label="意见", choices=[("agree", "同意"), ("disagree", "不同意")],
                                 widget=forms.RadioSelect, error_messages={"required": "请选择同意或不同意"})
    opinion = forms.CharField(label="意见说明（不同意时必填）", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"max_length": "意见说明最多 %(limit_value)d 个字"})
