from django.urls import path

from wenming.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("campaign/settings/", views.campaign_settings, name="settings"),
    path("privacy/", views.privacy, name="privacy"),
]
