from django.urls import path

from vigil.stats import views

app_name = "stats"

urlpatterns = [
    path("statistics/", views.dashboard, name="dashboard"),
    path("statistics/records/", views.records, name="records"),
    path("statistics/<str:name>.<str:fmt>", views.export, name="export"),
]
