from django.urls import path

from wenming.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.home, name="home"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.start, name="start"),
    path("inspections/<str:pk>/", views.inspection, name="inspection"),
    path("inspections/<str:pk>/report/", views.report, name="report"),
    path("inspections/<str:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("samples/", views.samples, name="samples"),
    path("samples/<str:pk>/redraw/", views.redraw, name="redraw"),
    path("redraws/<str:pk>/decide/", views.decide_redraw, name="decide_redraw"),
    path("schedule/", views.schedule, name="schedule"),
    path("orders/", views.orders, name="orders"),
    path("orders/<str:pk>/", views.order, name="order"),
    path("orders/<str:pk>/act/", views.order_action, name="order_action"),
    path("orders/<str:pk>/evidence/", views.evidence, name="evidence"),
    path("orders/<str:pk>/reinspect/", views.reinspect, name="reinspect"),
    path("orders/<str:pk>/fund/", views.fund, name="fund"),
    path("repeats/", views.repeats, name="repeats"),
    path("repeats/<str:pk>/interview/", views.interview, name="interview"),
    path("interviews/<str:pk>/conclude/", views.conclude, name="conclude"),
    path("interviews/<str:pk>/notice.pdf", views.interview_notice, name="interview_notice"),
]
