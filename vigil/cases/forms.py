"""Forms for the case desk. They validate (the models' own rules included); the
views hand the cleaned data to `cases.services`, which save."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.accounts.selectors import people_who_document
from vigil.cases.access import defenders_for_user
from vigil.cases.models import (
    FOCUS_GROUP_FIELDS,
    VICTIM_CATEGORY_FIELDS,
    Act,
    Case,
    Defender,
    Incident,
    Perpetrator,
    Source,
)
from vigil.cases.selectors import OTHER_COUNTRY
from vigil.cases.vocabularies import (
    CaseStatus,
    DefenderKind,
    FocusGroup,
    Involvement,
    PerpetratorCategory,
    RelationType,
    RightAffected,
    SexGender,
    Verification,
    ViolationType,
)
from vigil.core.forms import DATE_INPUT, DeskForm, DeskModelForm
from vigil.core.vocabularies import RegionalGroup, country_choices
from vigil.library.forms import ParagraphsField
from vigil.stats.sdg16101.categories import SdgCategory, VictimCategory


def _with_empty(choices: Any, label: Any) -> list[tuple[str, str]]:
    return [("", label), *list(choices)]


ANY = _("Any")


class WithVersion(forms.Form):
    """Added to an edit form: the version of the record the person opened, so that
    a save over someone else's newer one is refused (see services.StaleRecord)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class DefenderForm(DeskModelForm):
    """A defender, with the victim categories and focus groups as two groups of
    boxes (each a fieldset with its legend) rather than ten loose checkboxes."""

    victim_categories = forms.MultipleChoiceField(
        label=_("Victim categories (SDG 16.10.1)"),
        choices=VictimCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A person may be in more than one."),
    )
    focus_groups = forms.MultipleChoiceField(
        label=_("Focus groups"),
        choices=FocusGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Defender
        fields = [
            "kind",
            "name",
            "aliases",
            "contact",
            "sex_gender",
            "age_group",
            "country",
            "occupation",
            "affiliations",
            "consent_share_state",
            "consent_share_business",
            "consent_publish",
        ]
        widgets = {
            "name": forms.TextInput,
            "occupation": forms.TextInput,
            "aliases": forms.Textarea(attrs={"rows": 2}),
            "contact": forms.Textarea(attrs={"rows": 2}),
            "affiliations": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defender = self.instance
        self.initial.setdefault(
            "victim_categories",
            [c.value for c in defender.victim_categories] if defender.pk else ["hrd"],
        )
        self.initial.setdefault("focus_groups", [g.value for g in defender.focus_groups])
        profile = self.Meta.fields[: self.Meta.fields.index("affiliations")]
        self.order_fields([*profile, "victim_categories", "focus_groups"])

    def defender_fields(self) -> dict[str, Any]:
        """The cleaned data as the model's columns, one per category."""
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        chosen = set(self.cleaned_data["victim_categories"])
        data.update({f: c in chosen for c, f in VICTIM_CATEGORY_FIELDS.items()})
        chosen = set(self.cleaned_data["focus_groups"])
        data.update({f: g in chosen for g, f in FOCUS_GROUP_FIELDS.items()})
        return data


class DefenderEditForm(WithVersion, DefenderForm):
    pass


class RelationForm(DefenderForm):
    """A relative or representative of a defender, recorded as a person of their own."""

    relation = forms.ChoiceField(label=_("Relation to the defender"), choices=RelationType.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["relation", *self.fields])
        self.fields["kind"].initial = DefenderKind.PERSON
        self.initial.setdefault("victim_categories", [])


class IncidentForm(DeskModelForm):
    class Meta:
        model = Incident
        fields = [
            "title",
            "narrative",
            "start_date",
            "start_precision",
            "end_date",
            "end_precision",
            "country",
            "subdivision",
            "place",
            "online",
        ]
        widgets = {
            "title": forms.TextInput,
            "narrative": forms.Textarea(attrs={"rows": 8}),
            "place": forms.TextInput,
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
        }


class IncidentEditForm(WithVersion, IncidentForm):
    pass


class ActForm(DeskModelForm):
    """One violation against one victim, with the main perpetrator."""

    rights_affected = forms.MultipleChoiceField(
        label=_("Rights affected"),
        choices=RightAffected.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    perpetrator = forms.ChoiceField(
        label=_("Who did it"),
        choices=_with_empty(PerpetratorCategory.choices, _("Not recorded")),
        required=False,
    )
    involvement = forms.ChoiceField(
        label=_("Their involvement"),
        choices=_with_empty(Involvement.choices, "—"),
        required=False,
    )
    company_name = Perpetrator._meta.get_field("company_name").formfield(
        help_text=_("Only for a business enterprise.")
    )
    company_sector = Perpetrator._meta.get_field("company_sector").formfield()
    company_country = Perpetrator._meta.get_field("company_country").formfield()

    class Meta:
        model = Act
        fields = [
            "victim",
            "violation",
            "rights_affected",
            "reprisal",
            "reprisal_body",
            "detention_start",
            "detention_end",
            "detention_place",
            "charges",
            "laws_invoked",
        ]
        widgets = {
            "detention_start": DATE_INPUT,
            "detention_end": DATE_INPUT,
            "detention_place": forms.TextInput,
            "charges": forms.Textarea(attrs={"rows": 2}),
            "laws_invoked": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, victims: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["victim"].queryset = victims
        self.fields["victim"].label_from_instance = lambda d: f"{d.name} (#{d.pk})"
        perpetrator = ["perpetrator", "involvement", "company_name", "company_sector"]
        self.order_fields(
            ["victim", "violation", *perpetrator, "company_country", "rights_affected"]
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("perpetrator") == PerpetratorCategory.BUSINESS and not cleaned.get(
            "company_name"
        ):
            self.add_error("company_name", _("Name the company involved."))
        return cleaned

    def act_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "victim"}

    def perpetrators(self) -> list[dict[str, Any]]:
        category = self.cleaned_data.get("perpetrator")
        if not category:
            return []
        return [
            {
                "category": category,
                "involvement": self.cleaned_data.get("involvement") or "direct",
                "company_name": self.cleaned_data.get("company_name", ""),
                "company_sector": self.cleaned_data.get("company_sector", ""),
                "company_country": self.cleaned_data.get("company_country", ""),
            }
        ]


class ActEditForm(WithVersion, ActForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.fields["victim"].queryset.filter(pk=self.instance.victim_id).exists():
            # A victim the editor may not open (another country) is neither shown nor
            # offered, and saving keeps them: the act stays about the same person.
            del self.fields["victim"]
        first = self.instance.perpetrators.order_by("pk").first()
        if first is not None:
            for name in ("involvement", "company_name", "company_sector", "company_country"):
                self.initial.setdefault(name, getattr(first, name))
            self.initial.setdefault("perpetrator", first.category)

    def act_fields(self) -> dict[str, Any]:
        fields = super().act_fields()
        if "victim" in self.fields:
            fields["victim"] = self.cleaned_data["victim"]
        return fields


class SourceForm(DeskModelForm):
    acts = forms.ModelMultipleChoiceField(
        label=_("Acts this source reports"),
        queryset=Act.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Source
        fields = ["name", "kind", "reported_on", "language", "public", "reliability"]
        widgets = {"name": forms.TextInput, "reported_on": DATE_INPUT}

    def __init__(self, *args: Any, incident: Incident, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["acts"].queryset = incident.acts.select_related("victim")
        named = set(
            defenders_for_user(user).filter(acts__incident=incident).values_list("pk", flat=True)
        )
        self.fields["acts"].label_from_instance = lambda act: (
            f"{act.get_violation_display()}: "
            f"{act.victim.name if act.victim_id in named else OTHER_COUNTRY}"
        )


class SourceEditForm(WithVersion, SourceForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("acts", list(self.instance.acts.all()))

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in super().changes().items() if k != "acts"}


class VerificationForm(DeskForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    verification = forms.ChoiceField(label=_("Verification"), choices=Verification.choices)
    independent_sources = forms.IntegerField(
        label=_("Independent, reliable sources"),
        min_value=0,
        max_value=99,
        help_text=_(
            "Count only sources that are reliable and do not depend on each other. "
            "SDG indicator 16.10.1 asks for at least two."
        ),
    )


class CaseForm(DeskModelForm):
    class Meta:
        model = Case
        fields = ["title", "country", "priority", "risk"]
        widgets = {"title": forms.TextInput}


class CaseEditForm(WithVersion, DeskModelForm):
    officers = forms.ModelMultipleChoiceField(
        label=_("Officers"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Case officers who cover the case's country, and coordinators."),
    )
    paragraphs = ParagraphsField()

    class Meta:
        model = Case
        fields = ["title", "country", "priority", "risk", "status", "outcome"]
        widgets = {"title": forms.TextInput}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = people_who_document()
        self.fields["officers"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.initial.setdefault("officers", list(self.instance.officers.all()))
        if self.instance.pk:
            self.initial.setdefault("paragraphs", list(self.instance.paragraphs.all()))

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in super().changes().items() if k not in {"officers", "paragraphs"}}


class EvidenceForm(DeskForm):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(DeskForm):
    text = forms.CharField(label=_("New note"), widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(DeskForm):
    title = forms.CharField(label=_("New task"), max_length=500)
    due = forms.DateField(label=_("Due"), required=False, widget=DATE_INPUT)


class CaseFilterForm(DeskForm):
    """The case list's filters, read from the query string."""

    text = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Whole words of a title or narrative, or a defender's full name."),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ChoiceField(
        label=_("Regional group"), required=False, choices=_with_empty(RegionalGroup.choices, ANY)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_with_empty(CaseStatus.choices, ANY)
    )
    violation = forms.ChoiceField(
        label=_("Violation"), required=False, choices=_with_empty(ViolationType.choices, ANY)
    )
    sdg_category = forms.ChoiceField(
        label=_("SDG 16.10.1 category"),
        required=False,
        choices=_with_empty(SdgCategory.choices, ANY),
    )
    victim_category = forms.ChoiceField(
        label=_("Victim category"),
        required=False,
        choices=_with_empty(VictimCategory.choices, ANY),
    )
    focus_group = forms.ChoiceField(
        label=_("Focus group"), required=False, choices=_with_empty(FocusGroup.choices, ANY)
    )
    women_defenders = forms.BooleanField(label=_("Women defenders"), required=False)
    sex = forms.ChoiceField(
        label=_("Sex and gender"), required=False, choices=_with_empty(SexGender.choices, ANY)
    )
    perpetrator = forms.ChoiceField(
        label=_("Perpetrator"),
        required=False,
        choices=[("", ANY), ("state", _("Any State actor")), *PerpetratorCategory.choices],
    )
    business_related = forms.BooleanField(label=_("Business-related"), required=False)
    reprisal = forms.BooleanField(label=_("Reprisal"), required=False)
    verification = forms.ChoiceField(
        label=_("Verification"), required=False, choices=_with_empty(Verification.choices, ANY)
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _with_empty(country_choices(), ANY)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned
