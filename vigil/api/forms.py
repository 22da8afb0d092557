from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.api import tokens


class TokenForm(forms.Form):
    """A new token of one's own: what it is for, and the scopes one's role allows."""

    name = forms.CharField(
        label=_("What it is for"),
        max_length=100,
        help_text=_("For example: the sync to our archive."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [
            (name, f"{name}: {text}")
            for name, (text, _perms) in tokens.SCOPES.items()
            if tokens.role_allows(user, name)
        ]
