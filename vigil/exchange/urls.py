from django.urls import path

from vigil.exchange import views

app_name = "exchange"

urlpatterns = [
    path("records/import/", views.import_records, name="import"),
    path("records/export.<str:fmt>", views.export_records, name="export"),
]
