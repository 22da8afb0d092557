"""The desk's intake pages, under /desk/ (views.py)."""

from django.urls import path

from vigil.intake import views

app_name = "intake"

urlpatterns = [
    path("intake/", views.queue, name="queue"),
    path("intake/<int:submission_id>/", views.detail, name="detail"),
    path("intake/files/<int:file_id>/", views.file_download, name="file_download"),
]
