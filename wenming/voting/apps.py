from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "wenming.voting"
    label = "voting"
    verbose_name = "投票"
