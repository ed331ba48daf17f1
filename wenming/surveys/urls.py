from django.urls import path

from wenming.surveys import queue, views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("assign/", views.assign, name="assign"),
    path("paper/", views.paper, name="paper"),
    path("held/", views.held, name="held"),
    path("responses/<str:pk>/release/", views.release, name="release"),
    path("communities/<str:pk>/", views.entry, name="entry"),
    path("communities/<str:pk>/households/", views.register, name="register"),
    path("communities/<str:pk>/households/import/", views.register_import, name="register_import"),
    path("communities/<str:pk>/households/generate/", views.register_generate, name="register_generate"),
    path("c/<str:pk>/poster.png", views.self_fill_poster, name="self_fill_poster"),
    path("c/<str:pk>/", views.self_fill, name="self_fill"),
    # where survey-queue.js sends the entries it keeps on the phone (JSON answers)
    path("communities/<str:pk>/queue/", queue.entry, name="queue_entry"),
    path("c/<str:pk>/queue/", queue.self_fill, name="queue_self_fill"),
    path("c/<str:pk>/thanks/", queue.self_fill_thanks, name="self_fill_thanks"),
]
