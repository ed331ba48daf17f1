from django import forms

from wenming.core.forms import Form


class AssignForm(Form):
    expert = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    candidate = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class AutoAssignForm(Form):
    award = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class ReopenForm(Form):
    reason = forms.CharField(max_length=300, error_messages={"required": "请填写重新开放的原因"})


class ProfileForm(Form):
    expert = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    employer = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    employer_name = forms.CharField(max_length=100, required=False)
    related = forms.CharField(max_length=2000, required=False, help_text="利害关系企业的编号，用逗号分隔")

    def clean_related(self):
        text = self.cleaned_data["related"].replace("，", ",")
        try:
            return [int(x) for x in text.split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError("利害关系企业请填写企业编号，用逗号分隔") from None


class SheetForm(Form):
    """The on-site sheet: a score and a comment per rubric item (the service judges the scores)."""

    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)
    then = forms.ChoiceField(choices=[("", ""), ("submit", "submit")], required=False)  # "保存并提交"

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"s_{item['key']}"] = forms.CharField(max_length=10, required=False, error_messages={
                "max_length": "分数过长，请填写 0 至满分之间的数字"})
            self.fields[f"c_{item['key']}"] = forms.CharField(max_length=500, required=False, error_messages={
                "max_length": "扣分说明最多 500 字（现有 %(show_value)d 字）"})

    def scores(self):
        return {i["key"]: self.cleaned_data[f"s_{i['key']}"] for i in self.items
                if self.cleaned_data[f"s_{i['key']}"].strip()}

    def comments(self):
        return {i["key"]: self.cleaned_data[f"c_{i['key']}"] for i in self.items
                if self.cleaned_data[f"c_{i['key']}"].strip()}
