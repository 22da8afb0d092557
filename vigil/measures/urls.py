from django.urls import path

from vigil.measures import views

app_name = "measures"

urlpatterns = [
    path("measures/", views.measure_list, name="list"),
    path("measures/new/", views.measure_create, name="create"),
    path("measures/<int:measure_id>/", views.measure_detail, name="detail"),
    path("measures/<int:measure_id>/edit/", views.measure_edit, name="edit"),
    path("measures/<int:measure_id>/status/", views.status_add, name="status_add"),
    path(
        "measures/<int:measure_id>/recommendations/",
        views.recommendation_add,
        name="recommendation_add",
    ),
    path("measures/<int:measure_id>/review/", views.review, name="review"),
    path("recommendations/<int:recommendation_id>/uptake/", views.uptake, name="uptake"),
]
