from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "vigil.accounts"
    label = "accounts"
    verbose_name = _("Accounts")


class AuditedAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin`, with `admin_site.AuditedAdminSite` as `admin.site`: every
    change made in the admin is audited, whichever ModelAdmin makes it."""

    default = False  # named in INSTALLED_APPS; `vigil.accounts` itself is AccountsConfig
    default_site = "vigil.accounts.admin_site.AuditedAdminSite"

    def ready(self) -> None:
        super().ready()
        # Django's groups grant nothing in Vigil (roles do): not offered in the admin.
        from django.contrib import admin
        from django.contrib.auth.models import Group

        if admin.site.is_registered(Group):
            admin.site.unregister(Group)
