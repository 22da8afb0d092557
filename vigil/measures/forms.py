"""Forms for State measures. They validate; the views hand the data to services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.cases.access import cases_for_user
from vigil.communications.access import communications_for_user
from vigil.communications.forms import cases_from_references, communications_from_references
from vigil.core.forms import DATE_INPUT, DeskForm, DeskModelForm
from vigil.core.links import visible
from vigil.core.vocabularies import Theme, country_choices
from vigil.library.forms import ParagraphsField
from vigil.measures.models import (
    Effect,
    Measure,
    MeasureKind,
    MeasureStatus,
    Recommendation,
    Review,
    StatusChange,
)

FIELDS = ["country", "kind", "title", "citation", "description", "effect", "impact", "link"]


def _with_empty(choices: Any, label: Any) -> list[tuple[str, str]]:
    return [("", label), *list(choices)]


class MeasureForm(DeskModelForm):
    """A measure as a stakeholder proposes it: what it is, where, and its effect."""

    status_on = forms.DateField(
        label=_("Date of this status"), widget=DATE_INPUT,
        help_text=_("When it was introduced, adopted or entered into force, as its status says."),
    )  # fmt: skip
    themes = forms.MultipleChoiceField(
        label=_("Themes"), choices=Theme.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    link = forms.URLField(label=_("Link to the text"), required=False, assume_scheme="https")

    class Meta:
        model = Measure
        fields = [*FIELDS, "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "impact": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["country"].choices = _with_empty(country_choices(), _("Choose a country"))

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class StaffMeasureForm(MeasureForm):
    """Staff also link the measure to communications, cases and resolution paragraphs."""

    communication_references = forms.CharField(
        label=_("Communications concerned"), required=False,
        help_text=_("References of letters, e.g. OL KEN 2/2026, separated by commas."),
    )  # fmt: skip
    case_references = forms.CharField(
        label=_("Cases concerned"), required=False,
        help_text=_("Case references, separated by spaces or commas, e.g. VGL-2026-00012."),
    )  # fmt: skip
    paragraphs = ParagraphsField()

    def clean_communication_references(self) -> list[Any]:
        return communications_from_references(
            self.user, self.cleaned_data["communication_references"]
        )

    def clean_case_references(self) -> list[Any]:
        return cases_from_references(self.user, self.cleaned_data["case_references"])

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["communications"] = data.pop("communication_references")
        data["cases"] = data.pop("case_references")
        return data


class MeasureEditForm(StaffMeasureForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta(StaffMeasureForm.Meta):
        fields = FIELDS  # the status changes through its history

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["status_on"]
        measure = self.instance
        self.initial.setdefault("themes", [t.value for t in measure.themes])
        self.initial.setdefault("paragraphs", list(measure.paragraphs.all()))
        # The editor sees, and chooses among, the letters and cases they may open; the
        # service keeps the others (core/links.py).
        letters = visible(measure.communications.all(), communications_for_user(self.user))
        cases = visible(measure.cases.all(), cases_for_user(self.user))
        self.initial.setdefault(
            "communication_references", ", ".join(c.reference for c in letters.order_by("pk"))
        )
        self.initial.setdefault("case_references", " ".join(c.reference for c in cases))


class StatusForm(DeskModelForm):
    class Meta:
        model = StatusChange
        fields = ["status", "on", "note"]
        widgets = {"on": DATE_INPUT}


class RecommendationForm(DeskModelForm):
    class Meta:
        model = Recommendation
        fields = ["source", "made_on", "text", "uptake"]
        widgets = {"made_on": DATE_INPUT, "text": forms.Textarea(attrs={"rows": 3})}


class ReviewForm(DeskForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Review.ACCEPTED, _("Accept")), (Review.REJECTED, _("Reject"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment to the stakeholder"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MeasureFilterForm(DeskForm):
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=_with_empty(MeasureKind.choices, _("Any")), required=False
    )
    effect = forms.ChoiceField(
        label=_("Effect on defenders"), choices=_with_empty(Effect.choices, _("Any")),
        required=False,
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), choices=_with_empty(MeasureStatus.choices, _("Any")), required=False
    )
    theme = forms.ChoiceField(
        label=_("Theme"), choices=_with_empty(Theme.choices, _("Any")), required=False
    )
    review = forms.ChoiceField(
        label=_("Review"), choices=_with_empty(Review.choices, _("Any")), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _with_empty(country_choices(), _("Any"))
