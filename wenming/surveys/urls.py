from django.urls import path

from wenming.surveys import queue, views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("assign/", views.assign, name="assign"),
    path("paper/", views.paper, name="paper"),
    path("communities/<str:pk>/", views.entry, name="entry"),
    path("c/<str:pk>/", views.self_fill, name="self_fill"),
    # where survey-queue.js sends the entries it keeps on the phone (JSON answers)
    path("communities/<str:pk>/queue/", queue.entry, name="queue_entry"),
    path("c/<str:pk>/queue/", queue.self_fill, name="queue_self_fill"),
    path("c/<str:pk>/thanks/", queue.self_fill_thanks, name="self_fill_thanks"),
]
