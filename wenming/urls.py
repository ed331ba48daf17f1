from django.contrib import admin
from django.urls import include, path

from wenming.awards import public as awards_public
from wenming.awards.urls import public_patterns as showcase_patterns
from wenming.campaigns.views import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("wenming.core.urls")),
    path("", include("wenming.campaigns.urls")),
    path("", include("wenming.dashboard.urls")),
    path("registry/", include("wenming.registry.urls")),
    path("applications/", include("wenming.awards.urls")),
    path("showcase/", include(showcase_patterns)),
    path("vote/", include("wenming.voting.urls")),
    path("recommend/", awards_public.recommend, name="recommend"),
    path("apply/self/", awards_public.self_nomination, name="self_nomination"),
    path("sitemap.xml", awards_public.sitemap, name="sitemap"),
    path("api/", include("wenming.api.urls")),
    path("django-admin/", admin.site.urls),
]
