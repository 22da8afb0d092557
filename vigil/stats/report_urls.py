from django.urls import path

from vigil.stats import report_views

app_name = "reports"

urlpatterns = [
    path("reports/", report_views.report_list, name="list"),
    path("reports/assessment/narrative/", report_views.narrative_edit, name="narrative"),
    path("reports/<uuid:pk>/", report_views.report_status, name="status"),
    path("reports/<uuid:pk>/progress/", report_views.report_progress, name="progress"),
    path("reports/<uuid:pk>/download/", report_views.report_download, name="download"),
]
