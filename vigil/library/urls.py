from django.urls import path

from vigil.library import views

app_name = "library"

urlpatterns = [
    path("library/", views.resolution_list, name="list"),
    path("library/<int:resolution_id>/", views.resolution_detail, name="detail"),
]
