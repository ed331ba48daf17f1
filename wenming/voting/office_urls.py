from django.urls import path

from wenming.voting import office_views

app_name = "voting_office"
urlpatterns = [
    path("", office_views.fraud_overview, name="fraud"),
    path("decide/", office_views.fraud_decide, name="decide"),
    path("clusters/", office_views.fraud_clusters, name="clusters"),
    path("approve/", office_views.fraud_approve_many, name="approve_many"),
    path("export/", office_views.fraud_export, name="export"),
    path("decisions/<str:pk>/approve/", office_views.fraud_approve, name="approve"),
    path("lotteries/", office_views.lotteries, name="lotteries"),
    path("lotteries/<str:pk>/", office_views.lottery_detail, name="lottery"),
]
