from django.urls import path

from vigil.stats import public_views

app_name = "public_stats"

urlpatterns = [
    path("statistics/", public_views.page, name="page"),
    path("statistics/<str:name>.<str:fmt>", public_views.export, name="export"),
]
