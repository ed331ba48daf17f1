from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "wenming.campaigns"
    label = "campaigns"
    verbose_name = "活动"
