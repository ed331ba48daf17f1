from django.contrib import admin
from django.urls import include, path

from wenming.campaigns.views import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("wenming.core.urls")),
    path("", include("wenming.campaigns.urls")),
    path("", include("wenming.dashboard.urls")),
    path("registry/", include("wenming.registry.urls")),
    path("api/", include("wenming.api.urls")),
    path("django-admin/", admin.site.urls),
]
