from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "wenming.credit"
    label = "credit"
    verbose_name = "信用档案"
