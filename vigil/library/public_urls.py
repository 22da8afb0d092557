from django.urls import path

from vigil.library import public_views

app_name = "library"

urlpatterns = [
    path("library/", public_views.resolution_list, name="list"),
    path("library/<int:resolution_id>/", public_views.resolution_detail, name="detail"),
]
