"""The statistics filters: the case list's, without words (statistics never search
names) and without what only a case officer's list needs."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.cases.forms import CaseFilterForm
from vigil.core import reports
from vigil.core.forms import DATE_INPUT, DeskForm
from vigil.core.templatetags.vigil import language_name
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


FORMAT_CHOICES = [("pdf", "PDF"), ("docx", "Word (DOCX)"), ("html", "HTML")]


class ReportRequestForm(DeskForm):
    """Which report to build, for which period, in which format and language."""

    report = forms.ChoiceField(label=_("Report"))
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT)
    fmt = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
    language = forms.ChoiceField(label=_("Language of the report"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [(k.name, k.label) for k in reports.allowed(user)]
        self.fields["language"].choices = [
            (code, language_name(code)) for code, _name in settings.LANGUAGES
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end of the period is before its start."))
        return cleaned


class NarrativeForm(DeskForm):
    """The assessment's narrative sections for one period."""

    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from vigil.stats.periodic import ASSESSMENT_SECTIONS

        for key, heading in ASSESSMENT_SECTIONS:
            self.fields[key] = forms.CharField(
                label=heading, required=False, widget=forms.Textarea(attrs={"rows": 6}),
                max_length=20_000,
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end of the period is before its start."))
        return cleaned
