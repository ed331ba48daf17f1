from django.urls import path

from wenming.api.api import api

urlpatterns = [path("v1/", api.urls)]
