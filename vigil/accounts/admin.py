from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from vigil.accounts import services, two_factor
from vigil.accounts.forms import UserChangeAdminForm, UserCreationAdminForm
from vigil.accounts.models import User


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
    actions = ["reset_second_factor"]

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change=change, **kwargs)
        # The form refuses a change of the editor's own role or countries with the
        # reason; `services.user_set_role` refuses it in any case.
        return type(form.__name__, (form,), {"editor": request.user})

    @admin.action(description=_("Reset two-factor login (ends every session of the account)"))
    def reset_second_factor(self, request, queryset):  # type: ignore[no-untyped-def]
        """For a lost phone: the devices go, every session of the account ends, and
        the owner sets up a new app at the next login."""
        for user in queryset:
            two_factor.reset(actor=request.user, user=user)
        self.message_user(
            request,
            _("Two-factor login reset for %(count)s accounts.") % {"count": queryset.count()},
        )

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        data = form.cleaned_data
        if not change:
            usable = data.get("usable_password", "true") != "false"
            created = services.user_create(
                actor=request.user,
                username=data["username"],
                role=data["role"],
                countries=data.get("countries", []),
                password=data.get("password1") if usable else None,
            )
            # The admin goes on with `obj` (its messages and log); make it the saved row.
            obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db
            return
        stored = User.objects.get(pk=obj.pk)
        services.user_set_role(
            actor=request.user, user=stored, role=data["role"], countries=data.get("countries", [])
        )
        services.user_update(
            actor=request.user,
            user=stored,
            **{name: data[name] for name in services.EDITABLE_FIELDS if name in data},
        )

    @transaction.atomic
    def user_change_password(self, request, id, form_url=""):  # type: ignore[no-untyped-def]
        # Django's own view saves the new password; the entry joins its transaction.
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            services.user_password_reset_recorded(actor=request.user, user=user)
        return response

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Accounts are deactivated, never deleted: the audit trail names them.
        return False
