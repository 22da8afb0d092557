from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from vigil.accounts.models import User
from vigil.core.throttle import Throttle
from vigil.core.vocabularies import Role, country_choices

login_throttle = Throttle(
    scope="login-account",
    limit=settings.LOGIN_FAILURES_PER_ACCOUNT,
    window=settings.LOGIN_THROTTLE_WINDOW,
)


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing to try once an account has failed too often.

    Counting is per account name, whether or not the account exists, so the
    answer tells a guesser nothing about which names are real. Limits per client
    address belong to the reverse proxy, which sees the real address; Vigil does
    not trust forwarded headers to identify a client.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts to log in to this account. "
            "Wait %(minutes)s minutes and try again."
        ),
    }

    throttled = False

    def clean(self):  # type: ignore[no-untyped-def]
        username = (self.cleaned_data.get("username") or "").strip().casefold()
        if username and login_throttle.is_blocked(username):
            self.throttled = True
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.LOGIN_THROTTLE_WINDOW // 60},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                login_throttle.hit(username)
            raise


class UserAdminForm(forms.ModelForm):
    """The role and country assignment, as choices rather than raw JSON."""

    countries = forms.MultipleChoiceField(
        label=_("Assigned countries"),
        choices=country_choices,
        required=False,
        help_text=_("A case officer sees only the records of these countries."),
    )

    class Meta:
        model = User
        fields = ["role", "countries"]

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        if cleaned.get("role") == Role.CASE_OFFICER and not cleaned.get("countries"):
            self.add_error(
                "countries", _("A case officer needs at least one assigned country.")
            )
        return cleaned
