from django.contrib import admin
from django.urls import include, path

from wenming.awards import public as awards_public
from wenming.awards.urls import public_patterns as showcase_patterns
from wenming.campaigns.views import home
from wenming.publicity import public as publicity_public
from wenming.publicity.urls import announcement_patterns, news_patterns

# Order matters for speed: the hot public prefixes (API, showcase, voting) resolve first;
# includes with an empty prefix are tried pattern by pattern.
urlpatterns = [
    path("api/", include("wenming.api.urls")),
    path("showcase/", include(showcase_patterns)),
    path("vote/", include("wenming.voting.urls")),
    path("", home, name="home"),
    path("m/", publicity_public.entry, name="gzh"),  # the 公众号 menu's address: never changes (docs/publicity.md)
    path("news/", include(news_patterns)),
    path("announcements/", include(announcement_patterns)),
    path("registry/", include("wenming.registry.urls")),
    path("office/votes/", include("wenming.voting.office_urls")),
    path("applications/", include("wenming.awards.urls")),
    path("surveys/", include("wenming.surveys.urls")),
    path("judging/", include("wenming.judging.urls")),
    path("results/", include("wenming.results.urls")),
    path("supervision/", include("wenming.supervision.urls")),
    path("complaints/", include("wenming.complaints.urls")),
    path("volunteers/", include("wenming.volunteers.urls")),
    path("credit/", include("wenming.credit.urls")),
    path("publicity/", include("wenming.publicity.urls")),
    path("recommend/", awards_public.recommend, name="recommend"),
    path("apply/self/", awards_public.self_nomination, name="self_nomination"),
    path("sitemap.xml", awards_public.sitemap, name="sitemap"),
    path("django-admin/", admin.site.urls),
    path("", include("wenming.core.urls")),
    path("", include("wenming.campaigns.urls")),
    path("", include("wenming.dashboard.urls")),
    path("exports/", include("wenming.exports.urls")),
]

# A dependency out of reach answers 503 (core.outages); any other uncaught error 500.
handler500 = "wenming.core.views.errors.server_error"
