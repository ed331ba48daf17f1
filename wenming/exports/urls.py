from django.urls import path

from wenming.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("take/<slug:key>/", views.take, name="take"),
    path("jobs/<str:pk>/", views.job, name="job"),
    path("jobs/<str:pk>/download/", views.download, name="download"),
]
