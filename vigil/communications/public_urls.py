from django.urls import path

from vigil.communications import public_views

app_name = "published"

urlpatterns = [
    path("communications/", public_views.public_list, name="list"),
    path("communications/<int:communication_id>/", public_views.public_detail, name="detail"),
]
