from django.urls import path, register_converter

from wenming.registry import views
from wenming.registry.resources import RESOURCES


class ResourceConverter:
    regex = "|".join(RESOURCES)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ResourceConverter, "resource")

app_name = "registry"
urlpatterns = [
    path("imports/<str:pk>/", views.import_job, name="import_job"),
    path("<resource:resource>/", views.record_list, name="list"),
    path("<resource:resource>/new/", views.record_create, name="create"),
    path("<resource:resource>/export.xlsx", views.record_export, name="export"),
    path("<resource:resource>/template.xlsx", views.import_template, name="template"),
    path("<resource:resource>/import/", views.import_upload, name="import"),
    path("<resource:resource>/<str:pk>/", views.record_detail, name="detail"),
]
