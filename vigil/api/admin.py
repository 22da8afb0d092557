from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.api import tokens
from vigil.api.models import ApiToken


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=[(name, f"{name}: {text}") for name, (text, _perms) in tokens.SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user, scopes = cleaned.get("user"), cleaned.get("scopes") or []
        if user is not None:
            beyond = [s for s in scopes if not tokens.role_allows(user, s)]
            if beyond:
                raise ValidationError(
                    _("The user's role does not allow: %(scopes)s") % {"scopes": ", ".join(beyond)}
                )
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made here for a user and shown once; they are revoked, never
    edited or deleted (the audit trail names them)."""

    form = ApiTokenForm
    list_display = ["prefix", "name", "user", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    actions = ["revoke"]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: ApiToken, form: Any, change: bool) -> None:
        data = form.cleaned_data
        token, plaintext = tokens.issue(
            actor=request.user, user=data["user"], name=data["name"], scopes=data["scopes"]
        )
        obj.pk = token.pk
        messages.warning(
            request,
            _("The token, shown this once only; give it to its user over a safe channel: %(token)s")
            % {"token": plaintext},
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: Any, queryset: Any) -> None:
        for token in queryset:
            tokens.revoke(actor=request.user, token=token)
        messages.success(request, _("The tokens are revoked."))
