from django.urls import path

from wenming.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.tickets, name="list"),
    path("desk/", views.desk, name="desk"),
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/replies.xlsx", views.hotline_replies, name="hotline_replies"),
    path("repeats/", views.repeats, name="repeats"),
    path("repeats/<str:pk>/decide/", views.repeat_decide, name="repeat_decide"),
    path("rates/", views.rates, name="rates"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:number>/", views.mine_detail, name="mine_detail"),
    path("c/<str:pk>/", views.file, name="file"),
    path("c/<str:pk>/poster.png", views.poster, name="poster"),
    path("communities/<str:pk>/", views.community_public, name="community"),
    path("<str:pk>/", views.detail, name="detail"),
    path("<str:pk>/phone/", views.reveal_phone, name="reveal_phone"),
    path("<str:pk>/step/", views.step, name="step"),
]
