from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "wenming.publicity"
    label = "publicity"
    verbose_name = "宣传发动"
