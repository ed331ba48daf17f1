from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "wenming.results"
    label = "results"
    verbose_name = "评选结果"

    def ready(self):
        from wenming.results import services  # noqa: F401 (declares the clock windows it checks)
