from django.urls import path

from vigil.activities import views

app_name = "activities"

urlpatterns = [
    path("activities/", views.report_list, name="list"),
    path("activities/new/", views.report_create, name="create"),
    path("activities/<int:report_id>/", views.report_detail, name="detail"),
    path("activities/<int:report_id>/edit/", views.report_edit, name="edit"),
    path("activities/<int:report_id>/review/", views.report_review, name="review"),
    path("activity-files/<int:file_id>/", views.file_download, name="file"),
]
