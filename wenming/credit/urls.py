from django.urls import path

from wenming.credit import views

app_name = "credit"

urlpatterns = [
    path("", views.companies, name="companies"),
    path("companies/<str:pk>/", views.company, name="company"),
    path("companies/<str:pk>/records/", views.add_record, name="add_record"),
    path("records/<str:pk>/objection/", views.object_to, name="object"),
    path("objections/<str:pk>/decide/", views.decide, name="decide"),
    path("lists/", views.lists, name="lists"),
    path("lists/manage/", views.manage, name="manage"),
    path("lists/<str:pk>/approve/", views.approve, name="approve"),
    path("bidding.xlsx", views.bidding, name="bidding"),
]
