from django.urls import path

from wenming.judging import views

app_name = "judging"

urlpatterns = [
    path("", views.home, name="home"),
    path("office/", views.office, name="office"),
    path("office/assign/", views.assign, name="assign"),
    path("office/auto-assign/", views.auto_assign, name="auto_assign"),
    path("office/remind/", views.remind, name="remind"),
    path("office/profile/", views.profile, name="profile"),
    path("office/sheets/<str:pk>/reopen/", views.reopen, name="reopen"),
    path("office/reopens/<str:pk>/approve/", views.approve_reopen, name="approve_reopen"),
    path("<str:pk>/", views.sheet, name="sheet"),
    path("<str:pk>/submit/", views.submit, name="submit"),
]
