from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "wenming.results"
    label = "results"
    verbose_name = "评选结果"
