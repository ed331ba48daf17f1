from django.urls import path

from wenming.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.stations, name="stations"),
    path("stations/new/", views.station_new, name="station_new"),
    path("stations/<str:pk>/", views.station_detail, name="station_detail"),
    path("stations/<str:pk>/poster.png", views.station_poster, name="station_poster"),
    path("stations/<str:pk>/volunteers/", views.add_volunteer, name="add_volunteer"),
    path("stations/<str:pk>/activities/", views.activity_new, name="activity_new"),
    path("activities/<str:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<str:pk>/code/", views.activity_code, name="activity_code"),
    path("activities/<str:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("records/<str:pk>/confirm/", views.record_confirm, name="record_confirm"),
    path("records/<str:pk>/review/", views.record_review, name="record_review"),
    path("help/", views.help_list, name="help"),
    path("help/<str:pk>/", views.help_detail, name="help_detail"),
    path("help/<str:pk>/assign/", views.help_assign, name="help_assign"),
    path("help/<str:pk>/call/", views.help_call, name="help_call"),
    path("figures/", views.figures, name="figures"),
    path("records.xlsx", views.export, name="export"),
    # residents and the public
    path("s/<str:pk>/", views.station_public, name="station"),
    path("s/<str:pk>/join/", views.join, name="join"),
    path("s/<str:pk>/help/", views.ask_help, name="ask_help"),
    path("a/<str:pk>/", views.activity_public, name="activity"),
    path("scan/", views.scan, name="scan"),
    path("me/", views.me, name="me"),
    path("me/records/<str:pk>/object/", views.object_record, name="object"),
    path("me/help/<str:pk>/", views.my_help, name="my_help"),
    path("me/volunteers/<str:pk>/certificate/", views.issue_mine, name="issue_mine"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("certificates/<str:number>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("check/", views.check, name="check"),
]
