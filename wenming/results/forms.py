from django import forms


class MatchingForm(forms.Form):
    document = forms.CharField(label="表彰文件文号", max_length=100, error_messages={"required": "请填写表彰文件文号"})
