from django.urls import path

from vigil.communications import views

app_name = "published"

urlpatterns = [
    path("communications/", views.public_list, name="list"),
    path("communications/<int:communication_id>/", views.public_detail, name="detail"),
]
