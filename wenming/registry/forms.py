"""All registry input: page forms, also used row by row by the Excel import."""

from django import forms
from django.utils import timezone

from wenming.core.forms import Form, ModelForm
from wenming.core.roles import Role
from wenming.core.validators import clean_phone, normalize_credit_code, validate_credit_code
from wenming.registry.models import Community, Company, District, Post, Staff


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScopedForm(ModelForm):
    """A ModelForm whose foreign-key choices are limited to what the user may see."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for _name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and hasattr(field.queryset, "visible_to"):
                field.queryset = field.queryset.visible_to(user)
        if "district" in self.fields and user.role == Role.DISTRICT:
            self.fields["district"].queryset = District.objects.filter(pk=user.district_id)
        if "company" in self.fields and user.role == Role.COMPANY:
            self.fields["company"].queryset = Company.objects.filter(pk=user.company_id)


class CompanyForm(ScopedForm):
    class Meta:
        model = Company
        fields = ["name", "credit_code", "district", "address", "legal_representative", "contact_name", "contact_phone"]

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        return code

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data.get("contact_phone"), required=False)


class CommunityForm(ScopedForm):
    street_name = forms.CharField(label="街道/镇", max_length=50, required=False)
    committee_name = forms.CharField(label="社区居委会", max_length=50, required=False)

    class Meta:
        model = Community
        fields = [
            "name", "district", "street_name", "committee_name", "address", "company", "completed_on",
            "total_households", "occupied_households", "owners_committee",
        ]
        widgets = {"completed_on": _date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["street_name"].initial = self.instance.street.name if self.instance.street else ""
            self.fields["committee_name"].initial = self.instance.committee.name if self.instance.committee else ""
        # A community's managing company may be any company; a district officer must be
        # able to pick one not yet seen in the district.
        self.fields["company"].queryset = Company.objects.all()

    def clean_completed_on(self):
        value = self.cleaned_data.get("completed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError("竣工日期不能晚于今天")
        return value

    def clean(self):
        data = super().clean()
        total, occupied = data.get("total_households"), data.get("occupied_households")
        if total is not None and total <= 0:
            self.add_error("total_households", "总户数必须大于 0")
        elif total is not None and occupied is not None and occupied > total:
            self.add_error("occupied_households", f"入住户数（{occupied}）不能大于总户数（{total}）")
        self._check_register(data)
        if data.get("committee_name") and not data.get("street_name"):
            self.add_error("street_name", "填写社区居委会时必须填写所属街道")
        return data

    def _check_register(self, data):
        """With a household register (surveys), the counts are the register's, not typed."""
        if not self.instance.pk or not self.instance.households.exists():
            return
        for name in ("total_households", "occupied_households"):
            if data.get(name) is not None and data[name] != getattr(self.instance, name):
                self.add_error(name, f"该小区已有住户登记，户数按登记计算（{getattr(self.instance, name)}），"
                                     "请在“入户调查 → 住户登记”中修改")


class StaffForm(ScopedForm):
    class Meta:
        model = Staff
        fields = ["name", "company", "community", "post", "entered_trade_on", "certificates", "phone"]
        widgets = {"entered_trade_on": _date_input()}

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone"))

    def clean_entered_trade_on(self):
        value = self.cleaned_data["entered_trade_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("从业起始日期不能晚于今天")
        return value

    def clean(self):
        data = super().clean()
        community, company = data.get("community"), data.get("company")
        if community and company and community.company_id != company.pk:
            self.add_error("community", f"小区“{community}”不由“{company}”管理")
        return data


class RegistryFilterForm(Form):
    q = forms.CharField(label="搜索", required=False, max_length=100)
    district = forms.ModelChoiceField(label="区", required=False, queryset=District.objects.all(), empty_label="全部区")
    post = forms.ChoiceField(label="岗位", required=False, choices=[("", "全部岗位")] + list(Post.choices))

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        if "district" not in resource.filters:
            del self.fields["district"]
        if "post" not in resource.filters:
            del self.fields["post"]


class ImportForm(Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
