from django.urls import path

from vigil.intake import desk, views

app_name = "intake"

urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("submit/follow-up/", views.follow_up, name="follow_up"),
    path("submit/follow-up/report/", views.report, name="report"),
    path("submit/follow-up/leave/", views.leave, name="leave"),
    path("desk/intake/", desk.queue, name="queue"),
    path("desk/intake/<int:submission_id>/", desk.detail, name="detail"),
    path("desk/intake/files/<int:file_id>/", desk.file_download, name="file_download"),
]
