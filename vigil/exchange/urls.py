from django.urls import path

from vigil.exchange import views

app_name = "exchange"

urlpatterns = [
    path("records/import/", views.import_records, name="import"),
    path("records/import/<uuid:pk>/", views.import_status, name="import_status"),
    path("records/import/<uuid:pk>/progress/", views.import_progress, name="import_progress"),
    path("records/export.<str:fmt>", views.export_records, name="export"),
]
