from django.urls import path

from vigil.communications import views

app_name = "communications"

urlpatterns = [
    path("communications/", views.communication_list, name="list"),
    path("communications/new/", views.communication_create, name="create"),
    path("communications/<int:communication_id>/", views.communication_detail, name="detail"),
    path("communications/<int:communication_id>/edit/", views.communication_edit, name="edit"),
    path("communications/<int:communication_id>/move/", views.communication_move, name="move"),
    path(
        "communications/<int:communication_id>/publish/",
        views.communication_publish,
        name="publish",
    ),
    path("communications/<int:communication_id>/follow-up/", views.follow_up, name="follow_up"),
    path("communications/<int:communication_id>/replies/new/", views.reply_log, name="reply_log"),
    path(
        "communications/<int:communication_id>/letters/<int:addressee_id>.<str:fmt>",
        views.letter_download,
        name="letter",
    ),
    path("reply-files/<int:file_id>/", views.reply_file_download, name="reply_file"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:visit_id>/edit/", views.visit_edit, name="visit_edit"),
]
