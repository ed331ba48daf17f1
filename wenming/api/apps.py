from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "wenming.api"
    label = "api"
    verbose_name = "接口"
