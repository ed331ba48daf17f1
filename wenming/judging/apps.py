from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "wenming.judging"
    label = "judging"
    verbose_name = "专家评审"
