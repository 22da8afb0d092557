from django.contrib import admin
from django.urls import include, path

from vigil.accounts import views as accounts_views
from vigil.api.api import api

# `admin.site` is `accounts.admin_site.AuditedAdminSite`: every change made in it is
# audited, and it holds accounts and API tokens only, no case content.

urlpatterns = [
    path("", include("vigil.public.urls")),
    path("desk/", include("vigil.core.urls")),
    path("desk/", include("vigil.accounts.urls")),
    path("desk/", include("vigil.api.urls")),  # each person's own API tokens
    path("desk/", include("vigil.cases.urls")),
    path("desk/", include("vigil.communications.urls")),
    path("desk/", include("vigil.measures.urls")),
    path("desk/", include("vigil.activities.urls")),
    path("desk/", include("vigil.stats.urls")),
    path("desk/", include("vigil.reports.urls")),
    path("desk/", include("vigil.exchange.urls")),
    path("desk/", include("vigil.intake.urls")),
    path("", include("vigil.communications.public_urls")),
    path("", include("vigil.library.public_urls")),
    path("", include("vigil.stats.public_urls")),
    path("", include("vigil.intake.public_urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own login and password forms are neither throttled nor audited:
    # ours stand in for them.
    path("admin/login/", accounts_views.admin_login),
    path("admin/password_change/", accounts_views.admin_password_change),
    path("admin/", admin.site.urls),
]
