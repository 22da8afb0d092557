"""The statistics filters: the case list's, without words (statistics never search
names) and without what only a case officer's list needs."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.cases.forms import CaseFilterForm
from vigil.core.vocabularies import country_choices


class StatsFilterForm(CaseFilterForm):
    year = forms.TypedChoiceField(
        label=_("Year of the SDG 16.10.1 table"), coerce=int, required=False,
        help_text=_("Incidents that began in this calendar year."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("text", "status", "mine"):
            self.fields.pop(name, None)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, this_year - 12, -1)]
        self.fields["country"].choices = [("", _("Any")), *country_choices()]

    def case_filter_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "year"}
