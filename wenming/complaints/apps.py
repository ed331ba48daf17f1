from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "wenming.complaints"
    label = "complaints"
    verbose_name = "投诉处理"

    def ready(self):
        # Complaint photos through core's access-checked file view.
        from wenming.complaints import files

        files.register()
