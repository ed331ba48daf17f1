from django import forms


class MatchingForm(forms.Form):
    document = forms.CharField(label="表彰文件文号", max_length=100, error_messages={"required": "请填写表彰文件文号"})


class PublishForm(forms.Form):
    """Publishing a run; when it corrects a published one, why (shown in the public history)."""

    reason = forms.CharField(label="更正原因", max_length=300, required=False,
                             error_messages={"max_length": "更正原因最多 %(limit_value)d 个字"})
