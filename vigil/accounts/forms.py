from django import forms
from django.conf import settings
from django.contrib.auth.forms import AdminUserCreationForm, AuthenticationForm, UserChangeForm
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
        # Count the attempt before checking the password, so that requests sent in
        # parallel cannot all be tried before the first failure is counted.
        username = (self.cleaned_data.get("username") or "").strip().casefold()
        if username and login_throttle.hit(username) > login_throttle.limit:
            self.throttled = True
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.LOGIN_THROTTLE_WINDOW // 60},
            )
        cleaned = super().clean()
        if username:
            login_throttle.reset(username)  # the right password: start counting afresh
        return cleaned


def _countries_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Assigned countries"),
        choices=country_choices,
        required=False,
        help_text=_("A case officer sees only the records of these countries."),
    )


def _require_countries_for_officers(form: forms.ModelForm, cleaned: dict) -> None:
    if cleaned.get("role") == Role.CASE_OFFICER and not cleaned.get("countries"):
        form.add_error("countries", _("A case officer needs at least one assigned country."))


class UserChangeAdminForm(UserChangeForm):
    """The admin's account form, with countries to choose from rather than raw JSON."""

    countries = _countries_field()

    class Meta(UserChangeForm.Meta):
        model = User

    editor = None  # the account making the change (set by the admin)

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        _require_countries_for_officers(self, cleaned)
        own = self.editor is not None and self.instance.pk == self.editor.pk
        if own and (
            cleaned.get("role", self.instance.role) != self.instance.role
            or sorted(cleaned.get("countries", self.instance.countries))
            != sorted(self.instance.countries)
        ):
            from vigil.accounts.services import OWN_ROLE

            self.add_error("role", OWN_ROLE)
        return cleaned


class UserCreationAdminForm(AdminUserCreationForm):
    countries = _countries_field()

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "role", "countries")

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        _require_countries_for_officers(self, cleaned)
        return cleaned


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
