from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "wenming.awards"
    label = "awards"
    verbose_name = "评选申报"
