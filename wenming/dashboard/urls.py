from django.urls import path

from wenming.dashboard import views

app_name = "dashboard"
urlpatterns = [path("workbench/", views.workbench, name="workbench")]
