from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "wenming.complaints"
    label = "complaints"
    verbose_name = "投诉处理"
