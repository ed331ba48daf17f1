import uuid

from django import forms

from wenming.core.forms import Form


class ResponseForm(Form):
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


class AssignForm(Form):
    surveyor = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    communities = forms.MultipleChoiceField(label="小区", choices=[])

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].choices = [(str(c.pk), f"{c.district.name} · {c.name}") for c in communities]


class PaperForm(Form):
    file = forms.FileField(label="调查表（.xlsx）")


class ExportForm(Form):
    format = forms.ChoiceField(choices=[("", "网页"), ("xlsx", "Excel")], required=False)


class RegisterFileForm(Form):
    file = forms.FileField(label="住户登记表（.xlsx）", error_messages={"required": "请选择住户登记表文件"})


class SchemeForm(Form):
    """A numbering scheme: buildings 1..N, units 1..M, floors 1..F, rooms a floor ("1801", "1802")."""

    buildings = forms.IntegerField(label="楼栋数", min_value=1, max_value=99, error_messages={
        "required": "请填写楼栋数", "invalid": "请填写整数", "min_value": "至少 1 栋", "max_value": "最多 99 栋"})
    units = forms.IntegerField(label="每栋单元数", min_value=1, max_value=99, error_messages={
        "required": "请填写单元数", "invalid": "请填写整数", "min_value": "至少 1 个", "max_value": "最多 99 个"})
    floors = forms.IntegerField(label="楼层数", min_value=1, max_value=99, error_messages={
        "required": "请填写楼层数", "invalid": "请填写整数", "min_value": "至少 1 层", "max_value": "最多 99 层"})
    per_floor = forms.IntegerField(label="每层户数", min_value=1, max_value=99, error_messages={
        "required": "请填写每层户数", "invalid": "请填写整数", "min_value": "至少 1 户", "max_value": "最多 99 户"})
    vacant = forms.CharField(label="空置户（可留空，每行一户，如 18-3-1803）", required=False, max_length=20000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def clean_vacant(self):
        from wenming.registry.households import household_key, parse_household

        keys, bad = [], []
        for line in self.cleaned_data["vacant"].splitlines():
            if line.strip():
                try:
                    keys.append(household_key(*parse_household(line)))
                except forms.ValidationError:
                    bad.append(line.strip())
        if bad:
            raise forms.ValidationError(f"无法识别的户号：{bad[0]}")
        return keys
