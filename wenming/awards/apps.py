from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "wenming.awards"
    label = "awards"
    verbose_name = "评选申报"

    def ready(self):
        from wenming.awards import services  # noqa: F401 (declares the clock windows it checks)
