from django.urls import path

from wenming.voting import views

app_name = "voting"
urlpatterns = [
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("<str:pk>/", views.vote, name="vote"),
    path("receipt/<str:receipt>/", views.receipt, name="receipt"),
]
