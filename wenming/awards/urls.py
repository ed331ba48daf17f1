from django.urls import path

from wenming.awards import public, views

app_name = "awards"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_start, name="start"),
    path("export.xlsx", views.application_export, name="export"),
    path("recommendations/", views.recommendation_list, name="recommendations"),
    path("recommendations/<str:pk>/<str:act>/", views.recommendation_act, name="recommendation_act"),
    path("recommendations/<str:pk>/photos/<str:attachment_pk>", views.recommendation_photo,
         name="recommendation_photo"),
    path("showcase/", views.showcase_admin_list, name="showcase_admin"),
    path("showcase/<str:pk>/", views.showcase_edit, name="showcase_edit"),
    path("showcase/<str:pk>/photos/", views.showcase_photo_add, name="showcase_photo_add"),
    path("showcase/<str:pk>/<str:act>/", views.showcase_publish, name="showcase_publish"),
    path("<str:pk>/", views.application_detail, name="detail"),
    path("<str:pk>/save/", views.application_save, name="save"),
    path("<str:pk>/submit/", views.application_submit, name="submit"),
    path("<str:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("<str:pk>/opinion/<str:stage>/", views.application_opinion, name="opinion"),
    path("<str:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<str:pk>/attachments/<str:attachment_pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<str:pk>/attachments/<str:attachment_pk>/", views.attachment_file, name="attachment_file"),
    path("<str:pk>/attachments/<str:attachment_pk>/<str:variant>/", views.attachment_file,
         name="attachment_variant"),
    path("<str:pk>/print.<str:fmt>", views.application_print, name="print"),
]

public_patterns = ([
    path("", public.showcase_list, name="list"),
    path("<str:pk>/", public.showcase_detail, name="detail"),
    path("<str:pk>/poster.png", public.showcase_poster, name="poster"),
    path("<str:pk>/media/<str:attachment_pk>/", public.showcase_media, name="media"),
    path("<str:pk>/media/<str:attachment_pk>/<str:variant>/", public.showcase_media, name="media_variant"),
], "showcase")
