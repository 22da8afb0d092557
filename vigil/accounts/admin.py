from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from vigil.accounts import services
from vigil.accounts.forms import UserChangeAdminForm, UserCreationAdminForm
from vigil.accounts.models import User
from vigil.core import audit


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts, for administrators. Changes go through the audited services."""

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm

    list_display = ["username", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Role"), {"fields": ["role", "countries", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "usable_password", "password1", "password2"]}),
        (_("Role"), {"fields": ["role", "countries"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        role, countries = form.cleaned_data["role"], form.cleaned_data.get("countries", [])
        if not change:
            usable = form.cleaned_data.get("usable_password", "true") != "false"
            password = form.cleaned_data.get("password1") if usable else None
            services.user_create(
                actor=request.user,
                username=obj.username,
                role=role,
                countries=countries,
                password=password,
            )
            obj.pk = User.objects.get(username=obj.username).pk
            return
        stored = User.objects.get(pk=obj.pk)
        services.user_set_role(actor=request.user, user=stored, role=role, countries=countries)
        other = [f for f in form.changed_data if f not in {"role", "countries", "password"}]
        if other:
            stored_fields = {f: getattr(obj, f) for f in other}
            User.objects.filter(pk=obj.pk).update(**stored_fields)
            audit.record(actor=request.user, action="accounts.user_changed", obj=obj, fields=other)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Accounts are deactivated, never deleted: the audit trail names them.
        return False
