from django.urls import path

from wenming.publicity import public, views

app_name = "publicity"
urlpatterns = [
    path("news/", views.news_list, name="news"),
    path("news/new/", views.news_edit, name="news_create"),
    path("news/<str:pk>/", views.news_edit, name="news_edit"),
    path("news/<str:pk>/unpublish/", views.news_unpublish, name="news_unpublish"),
    path("news/<str:pk>/photos/<str:photo_pk>/", views.news_photo, name="news_photo"),
    path("news/<str:pk>/photos/<str:photo_pk>/remove/", views.news_photo_remove, name="news_photo_remove"),
    path("news/<str:pk>/photos/<str:photo_pk>/<str:variant>/", views.news_photo, name="news_photo_variant"),
    path("materials/", views.material_list, name="materials"),
    path("materials/new/", views.material_new, name="material_new"),
    path("materials/<str:pk>/", views.material_detail, name="material_detail"),
    path("materials/<str:pk>/file/", views.material_file, name="material_file"),
    path("materials/<str:pk>/postings/", views.posting_new, name="posting_new"),
    path("postings/", views.postings, name="postings"),
    path("postings/export.xlsx", views.postings_export, name="postings_export"),
    path("postings/<str:pk>/photo/", views.posting_photo, name="posting_photo"),
    path("postings/<str:pk>/photo/<str:variant>/", views.posting_photo, name="posting_photo_variant"),
    path("postings/<str:pk>/remove/", views.posting_remove, name="posting_remove"),
]

news_patterns = ([
    path("", public.news_list, name="list"),
    path("<str:pk>/", public.news_detail, name="detail"),
    path("<str:pk>/photos/<str:photo_pk>/", public.news_photo, name="photo"),
    path("<str:pk>/photos/<str:photo_pk>/<str:variant>/", public.news_photo, name="photo_variant"),
], "news")

announcement_patterns = ([
    path("", public.announcement_list, name="list"),
    path("<str:pk>/", public.announcement_detail, name="detail"),
], "announcements")
