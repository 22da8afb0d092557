from django.urls import path

from vigil.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/assessment/narrative/", views.narrative_edit, name="narrative"),
    path("reports/<uuid:pk>/", views.report_status, name="status"),
    path("reports/<uuid:pk>/progress/", views.report_progress, name="progress"),
    path("reports/<uuid:pk>/download/", views.report_download, name="download"),
    # Built on the spot; their paths stay beside the lists they are reached from.
    path("communications/report/", views.communications_report, name="communications"),
    path("activities/compilation/", views.compilation, name="compilation"),
]
