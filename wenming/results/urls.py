from django.urls import path

from wenming.results import views

app_name = "results"

urlpatterns = [
    path("", views.public, name="public"),
    path("office/", views.office, name="office"),
    path("matching/", views.matching, name="matching"),
    path("certificates/<str:pk>.pdf", views.certificate, name="certificate"),
    path("matching/<str:pk>/done/", views.matching_done, name="matching_done"),
    path("office/awards/<str:award_pk>/compute/", views.compute, name="compute"),
    path("committee/", views.committee, name="committee"),
    path("bundle.zip", views.bundle_download, name="bundle"),
    path("office/bundle/", views.bundle_build, name="bundle_build"),
    path("runs/<str:pk>/objection/", views.objection_new, name="objection_new"),
    path("objections/", views.objections, name="objections"),
    path("objections/<str:pk>/decide/", views.objection_decide, name="objection_decide"),
    path("committee/runs/<str:pk>/opinion/", views.opinion, name="opinion"),
    path("office/runs/<str:pk>/publish/", views.publish, name="publish"),
    path("office/runs/<str:pk>/export.xlsx", views.export, name="export"),
]
