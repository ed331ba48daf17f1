from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wenming.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from wenming.core import checks, dbhealth  # noqa: F401  (system checks; dropping closed connections)
        from wenming.core.middleware import mark_login

        user_logged_in.connect(mark_login, dispatch_uid="wenming.core.mark_login")
        # Django 6.1's blank choice ("- Select an option -") has no Chinese translation yet; the
        # framework documents overriding it here.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = "请选择"
