from django.urls import path

from vigil.api import views

app_name = "tokens"

urlpatterns = [
    path("api-tokens/", views.token_list, name="list"),
    path("api-tokens/<int:token_id>/revoke/", views.token_revoke, name="revoke"),
]
