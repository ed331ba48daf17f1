from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "wenming.results"
    label = "results"
    verbose_name = "评选结果"

    def ready(self):
        # Objection evidence through core's access-checked file view; `services` declares the
        # clock windows it checks.
        from wenming.results import files, services  # noqa: F401

        files.register()
