from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "wenming.surveys"
    label = "surveys"
    verbose_name = "千家万户访文明"

    def ready(self):
        from wenming.surveys import services  # noqa: F401 (declares the clock windows it checks)
