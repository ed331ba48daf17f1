from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "wenming.voting"
    label = "voting"
    verbose_name = "投票"

    def ready(self):
        from wenming.voting import services  # noqa: F401 (declares the clock windows it checks)
