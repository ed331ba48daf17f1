from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "wenming.exports"
    label = "exports"
    verbose_name = "导出中心"
