from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "wenming.judging"
    label = "judging"
    verbose_name = "专家评审"

    def ready(self):
        from wenming.judging import services  # noqa: F401 (declares the clock windows it checks)
