from django.urls import path

from wenming.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("campaign/settings/", views.campaign_settings, name="settings"),
    path("privacy/", views.privacy, name="privacy"),
    path("campaign/voting-rules/", views.voting_rules, name="voting_rules"),
    path("campaign/voting-rules/<str:pk>/approve/", views.voting_rules_approve, name="voting_rules_approve"),
    path("campaign/rules/propose/", views.rules_propose, name="rules_propose"),
    path("campaign/announcements/", views.announcement_list, name="announcements"),
    path("campaign/announcements/new/", views.announcement_edit, name="announcement_create"),
    path("campaign/announcements/<str:pk>/", views.announcement_edit, name="announcement_edit"),
    path("campaign/announcements/<str:pk>/withdraw/", views.announcement_withdraw, name="announcement_withdraw"),
]
