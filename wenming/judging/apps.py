from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "wenming.judging"
    label = "judging"
    verbose_name = "专家评审"

    def ready(self):
        # Experts' on-site photos through core's access-checked file view.
        from wenming.judging import files

        files.register()
