from django import forms

from wenming.awards.models import Application, Attachment, Channel, Opinion, Showcase
from wenming.core import kept_uploads
from wenming.core.forms import Form, ModelForm, MultipleFileField
from wenming.core.uploads import UploadRejected, check_scan
from wenming.core.validators import clean_phone
from wenming.registry.models import Community, District, Post, Staff

TEXTAREA = forms.Textarea(attrs={"rows": 10})


def application_form_class(application):
    """The seed form (附件1/2/3) of this application's award, as a ModelForm."""
    if application.award.subject == "community":
        fields = ["full_name", "basic_info", "narrative"]
        labels = {"full_name": "小区全称", "basic_info": "基本信息（地址、建成时间、户数、业委会等）",
                  "narrative": "管理服务情况（1000 字左右）"}
    else:
        fields = ["full_name", "post", "narrative", "portrait_consent"]
        labels = {"full_name": "姓名", "post": "申报类型（每人限报一项）",
                  "narrative": "2018—2019 年个人主要业绩材料（事迹影响力、社会责任感和示范效应，1000 字左右）",
                  "portrait_consent": "本人同意在活动展示中公开本人照片"}
        if application.award.key == "model_manager":
            fields[2:2] = ["position", "postcode", "past_awards"]
    if not application.company_is_applicant:
        fields += ["applicant_name", "applicant_phone"]
    else:
        fields += ["applicant_opinion"]
        labels["applicant_opinion"] = ("申报小区管理服务单位意见" if application.award.subject == "community"
                                       else "所在单位意见")
    posts = application.award.eligibility.get("posts") or []
    field_list = fields

    class ApplicationForm(ModelForm):
        class Meta:
            model = Application
            fields = field_list
            widgets = {"narrative": TEXTAREA, "basic_info": forms.Textarea(attrs={"rows": 4}),
                       "past_awards": forms.Textarea(attrs={"rows": 4}),
                       "applicant_opinion": forms.Textarea(attrs={"rows": 3})}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, label in labels.items():
                if name in self.fields:
                    self.fields[name].label = label
            if "post" in self.fields:
                self.fields["post"].choices = [("", "请选择")] + [(p, Post(p).label) for p in posts]
            for name in self.fields:
                self.fields[name].required = name == "full_name"

        def clean_postcode(self):
            value = self.cleaned_data.get("postcode", "").strip()
            if value and not (len(value) == 6 and value.isdigit()):
                raise forms.ValidationError("邮编应为 6 位数字")
            return value

        def clean_applicant_phone(self):
            return clean_phone(self.cleaned_data.get("applicant_phone"), required=False)

    return ApplicationForm


class StartForm(Form):
    """A company (or the office on someone's behalf) opens an application."""

    award = forms.ModelChoiceField(label="奖项", queryset=None, empty_label="请选择")
    community = forms.ModelChoiceField(label="小区（文明示范小区）", queryset=Community.objects.none(), required=False)
    staff = forms.ModelChoiceField(label="员工（最美物业人 / 优秀负责人）", queryset=Staff.objects.none(), required=False)
    channel = forms.ChoiceField(label="申报渠道", choices=Channel.choices, required=False)
    applicant_name = forms.CharField(label="申报单位/申报人", max_length=100, required=False)
    applicant_phone = forms.CharField(label="联系电话", max_length=11, required=False)
    intake_note = forms.CharField(label="来源说明（代为录入时必填）", max_length=200, required=False,
                                  help_text="如：邮件推荐（某日）、纸质申报表")

    def __init__(self, *args, campaign, user, on_behalf=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_behalf = on_behalf
        self.fields["award"].queryset = campaign.awards.all()
        if on_behalf:
            self.fields["community"].queryset = Community.objects.filter(district__in=campaign.districts.all())
            self.fields["staff"].queryset = Staff.objects.select_related("company")
        else:
            self.fields["community"].queryset = Community.objects.visible_to(user)
            self.fields["staff"].queryset = Staff.objects.visible_to(user)
            for name in ("channel", "applicant_name", "applicant_phone", "intake_note"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        award = data.get("award")
        if award is not None:
            if award.subject == "community" and not data.get("community"):
                self.add_error("community", "请选择申报的小区")
            if award.subject == "staff" and not data.get("staff"):
                self.add_error("staff", "请选择申报的员工")
        if self.on_behalf:
            if not data.get("channel"):
                self.add_error("channel", "请选择申报渠道")
            if not (data.get("intake_note") or "").strip():
                self.add_error("intake_note", "代为录入须注明来源")
            if data.get("applicant_phone"):
                try:
                    data["applicant_phone"] = clean_phone(data["applicant_phone"])
                except forms.ValidationError as exc:
                    self.add_error("applicant_phone", exc)
        return data


SCAN_KINDS = (Attachment.Kind.SEAL_SCAN, Attachment.Kind.SIGNED_FORM)  # may be a PDF


class AttachmentForm(Form):
    kind = forms.ChoiceField(label="附件类型", choices=Attachment.Kind.choices)
    file = forms.FileField(label="文件")

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, Attachment.Kind(k).label) for k in kinds]

    def clean(self):
        data = super().clean()
        if data.get("kind") in SCAN_KINDS and data.get("file"):
            try:
                check_scan(data["file"])
            except UploadRejected as exc:
                self.add_error("file", str(exc))
        return data


class OpinionForm(Form):
    decision = forms.ChoiceField(label="结论", choices=Opinion.Decision.choices)
    text = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    seal_scan = forms.FileField(label="盖章意见页扫描件（区主管部门同意上报时必传）", required=False,
                                help_text="PDF 文件或 JPG、PNG 图片",
                                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))

    def __init__(self, *args, decisions, needs_scan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(d, Opinion.Decision(d).label) for d in decisions]
        if not needs_scan:
            del self.fields["seal_scan"]

    def clean_seal_scan(self):
        scan = self.cleaned_data.get("seal_scan")
        if scan:
            try:
                check_scan(scan)
            except UploadRejected as exc:
                raise forms.ValidationError(str(exc)) from None
        return scan


class ShowcaseForm(ModelForm):
    class Meta:
        model = Showcase
        fields = ["title", "story", "interview_notes"]
        widgets = {"story": TEXTAREA, "interview_notes": forms.Textarea(attrs={"rows": 5})}


class ListFilterForm(Form):
    award = forms.ChoiceField(label="奖项", required=False)
    status = forms.ChoiceField(label="状态", required=False)
    district = forms.ModelChoiceField(label="区", queryset=District.objects.all(), required=False, empty_label="全部区")
    q = forms.CharField(label="搜索", required=False, max_length=50)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        from wenming.awards.models import Status

        self.fields["award"].choices = [("", "全部奖项")] + [(a.key, a.name) for a in campaign.awards.all()]
        self.fields["status"].choices = [("", "全部状态")] + list(Status.choices)
        self.fields["district"].queryset = campaign.districts.all()


class AwardChoiceForm(Form):
    award = forms.ChoiceField(label="申报奖项（每人限报一项）")

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].choices = [(a.key, a.name) for a in awards]


class DismissForm(Form):
    reason = forms.CharField(label="不予受理原因", max_length=200, required=False)


class RecommendationForm(Form):
    district = forms.ModelChoiceField(label="所在区", queryset=District.objects.none(), empty_label="请选择")
    community = forms.ModelChoiceField(label="小区（从名录中选择）", queryset=Community.objects.none(), required=False,
                                       empty_label="名录中没有，手动填写")
    community_name = forms.CharField(label="小区名称（名录中没有时填写）", max_length=100, required=False)
    reason = forms.CharField(label="推荐理由", widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)
    photos = MultipleFileField(label="照片（最多 3 张）", required=False)
    website = forms.CharField(required=False, label="", widget=forms.TextInput(attrs={
        "class": "hp", "tabindex": "-1", "autocomplete": "off"}))  # honeypot: people leave it empty

    def __init__(self, *args, campaign, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign, self.owner = campaign, owner
        self.fields["district"].queryset = campaign.districts.all()
        self.fields["community"].queryset = Community.objects.filter(district__in=campaign.districts.all())
        # The photos chosen now and those kept from an earlier try (core.kept_uploads); after a
        # refusal the view keeps them (`self.photos.keep()`) so the page shows them again.
        self.photos = kept_uploads.Photos(owner=owner)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:  # the service says so too; here it is shown at the field
            raise forms.ValidationError("推荐理由请至少写 10 个字")
        return reason

    def clean(self):
        data = super().clean()
        if self.is_bound and self.owner is not None:
            self.photos = kept_uploads.take_photos(
                data.get("photos") or [], self.data.getlist("kept") if hasattr(self.data, "getlist") else [],
                owner=self.owner, max_bytes=self.campaign.upload_limit(), limit=3)
            for error in self.photos.errors:
                self.add_error("photos", error)
        if data.get("website"):
            raise forms.ValidationError("提交失败，请刷新页面后重试")
        if not data.get("community") and not (data.get("community_name") or "").strip():
            self.add_error("community_name", "请选择小区或填写小区名称")
        return data
