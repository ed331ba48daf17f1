import uuid

from django import forms


class ResponseForm(forms.Form):
    """The questionnaire for one household, built from the preset's questions."""

    client_id = forms.RegexField(regex=r"^[A-Za-z0-9_-]{8,64}$", widget=forms.HiddenInput)
    started_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    # Set by the phone's queue (survey-queue.js) when the answers were given, so an entry kept
    # offline counts for the time it was made (the window then still applies on arrival).
    recorded_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    building = forms.CharField(label="楼栋", max_length=20, error_messages={"required": "请填写楼栋"})
    unit = forms.CharField(label="单元", max_length=20, error_messages={"required": "请填写单元"})
    room = forms.CharField(label="室号", max_length=20, error_messages={"required": "请填写室号"})

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = survey["questions"]
        for q in self.questions:
            choices = q.get("choices") or survey["scale"]
            self.fields[f"q_{q['key']}"] = forms.ChoiceField(
                label=q["text"], choices=[(c, c) for c in choices], widget=forms.RadioSelect,
                error_messages={"required": "请选择"})
        if not self.is_bound:
            self.initial["client_id"] = uuid.uuid4().hex

    @property
    def incomplete(self):
        """Something was left empty (not: the answers were refused)."""
        return any(e.code == "required" for errors in self.errors.as_data().values() for e in errors)

    def answers(self):
        return {q["key"]: self.cleaned_data[f"q_{q['key']}"] for q in self.questions}


class AssignForm(forms.Form):
    surveyor = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    communities = forms.MultipleChoiceField(label="小区", choices=[])

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].choices = [(str(c.pk), f"{c.district.name} · {c.name}") for c in communities]


class PaperForm(forms.Form):
    file = forms.FileField(label="调查表（.xlsx）")


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("", "网页"), ("xlsx", "Excel")], required=False)
