"""The reporter's pages, at the site's root (public_views.py)."""

from django.urls import path

from vigil.intake import public_views

app_name = "submission"

urlpatterns = [
    path("submit/", public_views.submit, name="submit"),
    path("submit/follow-up/", public_views.follow_up, name="follow_up"),
    path("submit/follow-up/report/", public_views.report, name="report"),
    path("submit/follow-up/leave/", public_views.leave, name="leave"),
]
