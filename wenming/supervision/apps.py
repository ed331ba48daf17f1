from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "wenming.supervision"
    label = "supervision"
    verbose_name = "督查整改"

    def ready(self):
        # Inspection and rectification-evidence photos through core's access-checked file view.
        from wenming.supervision import (
            files,
            services,  # noqa: F401 (declares the clock windows it checks)
        )

        files.register()
