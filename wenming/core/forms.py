from django import forms
from django.contrib.auth.forms import AuthenticationForm

from wenming.core import audit_text
from wenming.core.fields import with_companions
from wenming.core.models import AuditEntry, User
from wenming.core.roles import STAFF_ROLES, Role
from wenming.core.validators import clean_phone, validate_multiline_text, validate_one_line_text


class TextGuard:
    """Every form of the project derives from `Form` or `ModelForm` below (a test holds it): each
    text field refuses control characters, and one-line fields also invisible characters
    (core.validators), with a Chinese message at the field. Passwords are left as typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators.append(validate_multiline_text if multiline else validate_one_line_text)


class Form(TextGuard, forms.Form):
    pass


class ModelForm(TextGuard, forms.ModelForm):
    pass


class LoginForm(TextGuard, AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。",
        "inactive": "该账号已停用。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"


class AuditFilterForm(Form):
    action = forms.ChoiceField(label="操作", required=False)
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    target_type = forms.ChoiceField(label="对象类型", required=False, choices=())
    since = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = AuditEntry.objects.order_by().values_list("target_type", flat=True).distinct()
        self.fields["target_type"].choices = [("", "全部")] + sorted(
            ((t, audit_text.kind_name(t)) for t in set(types) if t), key=lambda c: c[1])
        self.fields["action"].choices = [("", "全部"), *audit_text.action_choices()]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return data

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("action"):
            queryset = queryset.filter(action__startswith=data["action"])
        if data.get("actor"):
            queryset = queryset.filter(actor_name__icontains=data["actor"])
        if data.get("target_type"):
            queryset = queryset.filter(target_type=data["target_type"])
        if data.get("since"):
            queryset = queryset.filter(created_at__date__gte=data["since"])
        if data.get("until"):
            queryset = queryset.filter(created_at__date__lte=data["until"])
        return queryset


class UserForm(ModelForm):
    """Office-managed staff accounts."""

    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, required=False,
                               help_text="新建账号时必填，至少 10 位")
    role = forms.ChoiceField(label="角色", choices=[(r.value, r.label) for r in STAFF_ROLES])

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "district", "company", "phone"]
        labels = {"username": "用户名"}

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone"), required=False)

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.DISTRICT and not data.get("district"):
            self.add_error("district", "区住建局账号必须选择所属区")
        if role == Role.COMPANY and not data.get("company"):
            self.add_error("company", "物业服务企业账号必须选择所属企业")
        if role != Role.DISTRICT:
            data["district"] = None
        if role != Role.COMPANY:
            data["company"] = None
        if not self.instance.pk and not data.get("password"):
            self.add_error("password", "新建账号时必须设置初始密码")
        if data.get("password"):
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(data["password"], self.instance)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class PhoneForm(Form):
    # type=tel and inputmode=numeric open the digit keypad on phones; autocomplete lets the
    # browser offer the phone's own number.
    phone = forms.CharField(label="手机号", max_length=11, widget=forms.TextInput(attrs={
        "type": "tel", "inputmode": "numeric", "autocomplete": "tel", "maxlength": "11"}))

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class CodeForm(PhoneForm):
    """The one phone check form: the phone, then the SMS code and the consent. Sending a code
    (`step="send"`) validates the phone only; verifying validates all three."""

    code = forms.RegexField(label="短信验证码", regex=r"^\d{6}$", error_messages={"invalid": "验证码为 6 位数字"},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                          "maxlength": "6"}))
    consent = forms.BooleanField(label="我已阅读并同意《个人信息保护告知》", error_messages={
        "required": "请阅读并同意个人信息保护告知"})

    def __init__(self, *args, step="verify", **kwargs):
        super().__init__(*args, **kwargs)
        if step != "verify":  # a half-typed code is no reason to refuse sending a new one
            self.fields["code"] = forms.CharField(label=self.fields["code"].label, required=False,
                                                  widget=self.fields["code"].widget)
            self.fields["consent"].required = False


def save_form_instance(instance, form, *also):
    """Save the instance a ModelForm built (`form.save(commit=False)`): whole when new; when it
    exists, only the fields the form sets, those named in `also` and the `auto_now` stamps, so
    a change another request made meanwhile to any other field is not written back."""
    if instance._state.adding:
        instance.save()
        return instance
    chosen, excluded = form._meta.fields, form._meta.exclude or ()
    from_form = {name for name in form.cleaned_data
                 if (chosen is None or name in chosen) and name not in excluded}
    instance.save(update_fields=with_companions(instance, [
        field.name for field in instance._meta.concrete_fields
        if not field.primary_key and (field.name in from_form or field.name in also or getattr(field, "auto_now", False))]))
    return instance


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one field (the phone's picker). Checked by content where they are
    taken (`core.kept_uploads.take_photos`), so a refused form keeps them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        return data if isinstance(data, (list, tuple)) else ([data] if data else [])


class NotificationPreferencesForm(Form):
    """Per event kind, the channels beyond the inbox: a checkbox for SMS and one for WeChat.
    A channel the account cannot receive (no phone, no bound WeChat) is refused at its field."""

    CHANNELS = (("sms", "短信"), ("wechat", "微信"))

    def __init__(self, *args, kinds, current, phone, wechat_bound, **kwargs):
        super().__init__(*args, **kwargs)
        self.phone, self.wechat_bound = phone, wechat_bound
        self.kinds = kinds
        for key, kind in kinds.items():
            self.fields[key] = forms.MultipleChoiceField(
                label=kind.name, required=False, choices=self.CHANNELS, widget=forms.CheckboxSelectMultiple,
                initial=current.get(key, []), error_messages={"invalid_choice": "只能选择短信或微信",
                                                              "invalid_list": "只能选择短信或微信"})

    def clean(self):
        data = super().clean()
        for key in self.kinds:
            chosen = data.get(key) or []
            if "sms" in chosen and not self.phone:
                self.add_error(key, "账号未登记手机号，不能选择短信；请联系评选工作办公室登记")
            if "wechat" in chosen and not self.wechat_bound:
                self.add_error(key, "尚未绑定微信，不能选择微信")
        return data

    def channels(self):
        return {key: self.cleaned_data.get(key) or [] for key in self.kinds}


class WeChatBindForm(Form):
    action = forms.ChoiceField(choices=(("bind", "绑定"), ("unbind", "解除绑定")),
                               error_messages={"required": "请选择操作", "invalid_choice": "操作无效"})
