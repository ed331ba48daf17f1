from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "wenming.supervision"
    label = "supervision"
    verbose_name = "督查整改"

    def ready(self):
        # The supervision record beside an application in the office's review (seed 七(3)).
        from wenming.awards.review_panels import register_panel
        from wenming.supervision.services import review_panel  # also declares the clock windows it checks

        register_panel(review_panel)

        # Inspection and rectification-evidence photos through core's access-checked file view.
        from wenming.supervision import files

        files.register()
