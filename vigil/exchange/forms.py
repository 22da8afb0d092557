from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.core.forms import DeskForm


class ImportForm(DeskForm):
    file = forms.FileField(
        label=_("Exchange file"),
        help_text=_("CSV, JSON or Excel (.xlsx) in the exchange layout; at most 20 MB."),
    )
    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows even if some are not"),
        help_text=_("Otherwise nothing is imported while any row has a problem."),
        required=False,
    )
