"""The reports desk's forms: which report to build, and the assessment's narrative."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vigil.core.forms import DATE_INPUT, DeskForm
from vigil.core.templatetags.vigil import language_name
from vigil.reports import assessment, registry

FORMAT_CHOICES = [("pdf", "PDF"), ("docx", "Word (DOCX)"), ("html", "HTML")]


class PeriodForm(DeskForm):
    """A form with periods (start field, end field): an end before its start is an
    error on the end field, in the reader's language."""

    periods: tuple[tuple[str, str], ...] = (("starts_on", "ends_on"),)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for start, end in self.periods:
            if cleaned.get(start) and cleaned.get(end) and cleaned[end] < cleaned[start]:
                self.add_error(end, _("The end of the period is before its start."))
        return cleaned


class ReportRequestForm(PeriodForm):
    """Which report to build, for which period, in which format and language."""

    report = forms.ChoiceField(label=_("Report"))
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT)
    fmt = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
    language = forms.ChoiceField(label=_("Language of the report"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [(k.name, k.label) for k in registry.allowed(user)]
        self.fields["language"].choices = [
            (code, language_name(code)) for code, _name in settings.LANGUAGES
        ]


class NarrativeForm(PeriodForm):
    """The assessment's narrative sections for one period."""

    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_INPUT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, heading in assessment.SECTIONS:
            self.fields[key] = forms.CharField(
                label=heading, required=False, widget=forms.Textarea(attrs={"rows": 6}),
                max_length=20_000,
            )  # fmt: skip


class CommunicationsReportForm(PeriodForm):
    periods = (("sent_from", "sent_to"), ("replies_from", "replies_to"))

    sent_from = forms.DateField(label=_("Sent from"), widget=DATE_INPUT)
    sent_to = forms.DateField(label=_("Sent until"), widget=DATE_INPUT)
    replies_from = forms.DateField(
        label=_("Replies received from"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Empty: the same period as the letters."),
    )
    replies_to = forms.DateField(
        label=_("Replies received until"), widget=DATE_INPUT, required=False
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)


class CompilationForm(PeriodForm):
    periods = (("start", "end"),)

    start = forms.DateField(label=_("Activities from"), widget=DATE_INPUT)
    end = forms.DateField(label=_("Activities until"), widget=DATE_INPUT)
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
