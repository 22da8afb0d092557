from django.urls import path

from vigil.stats import views

app_name = "public_stats"

urlpatterns = [
    path("statistics/", views.public_page, name="page"),
    path("statistics/<str:name>.<str:fmt>", views.public_export, name="export"),
]
