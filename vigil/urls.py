from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Vigil"
admin.site.site_title = "Vigil"

urlpatterns = [
    path("", include("vigil.public.urls")),
    path("desk/", include("vigil.core.urls")),
    path("desk/", include("vigil.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own login form is not throttled: send it to ours.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
    ),
    path("admin/", admin.site.urls),
]
