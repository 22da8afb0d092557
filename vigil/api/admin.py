from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.api import tokens
from vigil.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens' metadata, for administrators, and the means to revoke them.

    Threat: an administrator who could make a token for an officer would read names
    with it while the trail blamed the officer. So tokens are never added here (each
    user makes their own at the desk, `tokens.issue` refuses anyone else), never
    edited or deleted (the audit trail names them), and their secret is never stored,
    so there is none to show.
    """

    list_display = ["prefix", "name", "user", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = ["prefix", "name", "user", "scopes", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        # The list only (for the revoke action); a token's page is read-only.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: Any, queryset: Any) -> None:
        for token in queryset:
            tokens.revoke(actor=request.user, token=token)
        messages.success(request, _("The tokens are revoked."))
