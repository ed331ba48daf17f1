from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "wenming.judging"
    label = "judging"
    verbose_name = "专家评审"

    def ready(self):
        # Experts' on-site photos through core's access-checked file view; `services` declares the
        # clock windows it checks.
        from wenming.judging import files, services  # noqa: F401

        files.register()
