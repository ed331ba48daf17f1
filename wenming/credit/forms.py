from django import forms

from wenming.core.forms import Form


class AsOfForm(Form):
    at = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ManualRecordForm(Form):
    code = forms.ChoiceField(label="规则", required=False)
    veto = forms.ChoiceField(label="一票否决事项（选择后按否决处理）", required=False)
    evidence = forms.CharField(label="依据", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                               error_messages={"required": "请填写依据"})

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "—")] + [(r.code, f"{r.name}（{r.points:+d}）")
                                                     for r in (rules.rules if rules else [])]
        self.fields["veto"].choices = [("", "—")] + [(v, v) for v in (rules.vetoes if rules else [])]

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("veto"):
            raise forms.ValidationError("请选择规则或一票否决事项")
        return data


class ObjectionForm(Form):
    reason = forms.CharField(label="异议理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写异议理由"})
    evidence = forms.FileField(label="证明材料（图片）", required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))


class DecideForm(Form):
    result = forms.ChoiceField(choices=[("upheld", "异议成立，撤销记录"), ("rejected", "异议不成立，恢复记录")])
    decision = forms.CharField(max_length=2000, error_messages={"required": "请填写处理意见"})


class ComputeForm(Form):
    period = forms.RegexField(label="期次（年-月，如 2026-11）", regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7,
                              error_messages={"invalid": "期次格式应为“年-月”，如 2026-11"})
