"""Forms for the communications desk and the public search. They validate; the
views hand the cleaned data to `communications.services`."""

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.cases.access import cases_for_user
from vigil.cases.models import Case
from vigil.cases.vocabularies import BusinessSector
from vigil.communications.models import (
    AddresseeKind,
    CommunicationType,
    CountryVisit,
    ReplyType,
    Status,
)
from vigil.core.forms import DATE_INPUT, DeskForm, DeskModelForm, MultipleFileField
from vigil.core.vocabularies import Theme, country_choices
from vigil.library.forms import ParagraphsField

CASE_REFERENCE = re.compile(r"VGL-\d{4}-\d{5}")
LETTER_REFERENCE = re.compile(r"\b(?:UA|AL|OL) [A-Z]{3} \d+/\d{4}\b")


def _references(text: str, pattern: re.Pattern, queryset: Any, label: str) -> list[Any]:
    """The records named by their references in `text`, in order. A reference that
    does not exist and one the person may not open get the same answer."""
    references = list(dict.fromkeys(pattern.findall(text)))
    leftover = pattern.sub("", text).replace(",", " ").replace(";", " ").split()
    if leftover:
        raise forms.ValidationError(_("Not a reference: %(text)s") % {"text": " ".join(leftover)})
    found = {r.reference: r for r in queryset.filter(reference__in=references)}
    missing = [r for r in references if r not in found]
    if missing:
        raise forms.ValidationError(label % {"refs": ", ".join(missing)})
    return [found[r] for r in references]


def cases_from_references(user: Any, text: str) -> list[Case]:
    return _references(
        text.upper(), CASE_REFERENCE, cases_for_user(user),
        _("No case of yours has the reference %(refs)s."),
    )  # fmt: skip


def communications_from_references(user: Any, text: str) -> list[Any]:
    from vigil.communications.access import communications_for_user

    return _references(
        re.sub(r"\s+", " ", text.upper()), LETTER_REFERENCE, communications_for_user(user),
        _("No communication of yours has the reference %(refs)s."),
    )  # fmt: skip


def _with_empty(choices: Any, label: Any) -> list[tuple[str, str]]:
    return [("", label), *list(choices)]


class CommunicationForm(DeskForm):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=CommunicationType.choices,
        help_text=_(
            "Urgent appeal: a violation under way or imminent. Allegation letter: one "
            "that has happened. Other letter: a law, bill or policy."
        ),
    )
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences, as they will appear in the public record."),
    )
    body = forms.CharField(
        label=_("The facts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "The allegations, as the letter will tell them; a blank line starts a new "
            "paragraph. Names of defenders who did not consent are replaced by a "
            "description wherever they occur."
        ),
    )
    questions = forms.CharField(
        label=_("Questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line. Leave empty for the usual questions for this type of letter."),
    )
    case_references = forms.CharField(
        label=_("Cases concerned"),
        required=False,
        help_text=_("Case references, separated by spaces or commas, e.g. VGL-2026-00012."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    paragraphs = ParagraphsField()
    joint = forms.BooleanField(label=_("Joint communication"), required=False)
    other_mandates = forms.CharField(
        label=_("Other mandates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, for a joint communication."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_case_references(self) -> list[Case]:
        return cases_from_references(self.user, self.cleaned_data["case_references"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("joint") and not cleaned.get("other_mandates", "").strip():
            self.add_error("other_mandates", _("Name the other mandates of a joint letter."))
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["cases"] = data.pop("case_references")
        return data


class AddresseeForm(DeskForm):
    kind = forms.ChoiceField(
        label=_("Addressee"), choices=_with_empty(AddresseeKind.choices, "—"), required=False
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        help_text=_("The State; for a company, its home country."),
    )
    name = forms.CharField(label=_("Name of the company or actor"), required=False, max_length=200)
    sector = forms.ChoiceField(
        label=_("Sector"), choices=_with_empty(BusinessSector.choices, "—"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _with_empty(country_choices(), "—")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind:
            if cleaned.get("name") or cleaned.get("country"):
                self.add_error(
                    "kind", _("Say whether this is a State, a company or another actor.")
                )
            return cleaned
        if kind == AddresseeKind.STATE and not cleaned.get("country"):
            self.add_error("country", _("A State addressee needs its country."))
        if kind != AddresseeKind.STATE and not cleaned.get("name", "").strip():
            self.add_error("name", _("Name the company or other actor."))
        if kind != AddresseeKind.BUSINESS and cleaned.get("sector"):
            self.add_error("sector", _("Only a company has a sector."))
        return cleaned


class BaseAddresseeFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.addressees():
            raise forms.ValidationError(_("Name at least one addressee."))

    def addressees(self) -> list[dict[str, Any]]:
        return [
            {k: form.cleaned_data.get(k, "") for k in ("kind", "country", "name", "sector")}
            for form in self.forms
            if form.cleaned_data.get("kind")
        ]


AddresseeFormSet = forms.formset_factory(
    AddresseeForm, formset=BaseAddresseeFormSet, extra=3, max_num=10, validate_max=True
)


class ReplyForm(DeskForm):
    received_on = forms.DateField(label=_("Received on"), widget=DATE_INPUT)
    sender = forms.CharField(
        label=_("From"), max_length=200, help_text=_("For example the Permanent Mission.")
    )
    kind = forms.ChoiceField(label=_("Type of reply"), choices=ReplyType.choices)
    assessment = forms.CharField(
        label=_("Assessment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Does the reply answer the questions? What should follow?"),
    )
    files = MultipleFileField(label=_("The reply and its annexes"))


class VisitForm(DeskModelForm):
    class Meta:
        model = CountryVisit
        fields = ["country", "requested_on", "status", "starts_on", "ends_on", "report_symbol"]
        widgets = {"requested_on": DATE_INPUT, "starts_on": DATE_INPUT, "ends_on": DATE_INPUT}


class VisitEditForm(VisitForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CommunicationFilterForm(DeskForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=_with_empty(Status.choices, _("Any")), required=False
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=_with_empty(CommunicationType.choices, _("Any")), required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    overdue = forms.BooleanField(label=_("Past the deadline without a reply"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _with_empty(country_choices(), _("Any"))


def _year_choices() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this_year, 2009, -1)]


class PublicSearchForm(forms.Form):
    """The public search; the words are posted, never put in the URL (see views)."""

    text = forms.CharField(label=_("Words"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False)
    addressee = forms.ChoiceField(
        label=_("Addressed to"),
        required=False,
        choices=[
            ("", _("Any")),
            (AddresseeKind.STATE, _("a State")),
            (AddresseeKind.BUSINESS, _("a company")),
            (AddresseeKind.OTHER, _("another non-State actor")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=_with_empty(CommunicationType.choices, _("Any")), required=False
    )
    year = forms.ChoiceField(label=_("Year"), required=False)
    theme = forms.ChoiceField(
        label=_("Theme"), choices=_with_empty(Theme.choices, _("Any")), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _with_empty(country_choices(), _("Any"))
        self.fields["year"].choices = _with_empty(_year_choices(), _("Any"))
