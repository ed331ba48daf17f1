from django.urls import path

from wenming.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("dashboard/", views.board, name="board"),
    path("dashboard/<slug:panel>.xlsx", views.board_export, name="export"),
    path("dashboard/district/<int:pk>/", views.scoped_board, {"kind": "district"}, name="district"),
    path("dashboard/district/<int:pk>/<slug:panel>.xlsx", views.scoped_export, {"kind": "district"},
         name="district_export"),
    path("dashboard/company/<int:pk>/", views.scoped_board, {"kind": "company"}, name="company"),
    path("dashboard/company/<int:pk>/<slug:panel>.xlsx", views.scoped_export, {"kind": "company"},
         name="company_export"),
    path("dashboard/community/<int:pk>/", views.scoped_board, {"kind": "community"}, name="community"),
    path("dashboard/community/<int:pk>/<slug:panel>.xlsx", views.scoped_export, {"kind": "community"},
         name="community_export"),
]
