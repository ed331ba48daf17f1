from django.urls import path

from wenming.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("assign/", views.assign, name="assign"),
    path("paper/", views.paper, name="paper"),
    path("communities/<str:pk>/", views.entry, name="entry"),
    path("c/<str:pk>/", views.self_fill, name="self_fill"),
]
