"""Forms for activity reports: the stakeholder's form, the desk's review."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.activities.models import LEVEL_FIELDS, ActivityReport, Level, ReviewState
from vigil.core.forms import DATE_INPUT, DeskForm, DeskModelForm, MultipleFileField
from vigil.core.vocabularies import country_choices
from vigil.library.forms import ParagraphsField


class ActivityForm(DeskModelForm):
    levels = forms.MultipleChoiceField(
        label=_("Levels"), choices=Level.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one level.")},
    )  # fmt: skip
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose more than one."),
        error_messages={"required": _("Name at least one country.")},
    )
    paragraphs = ParagraphsField()
    files = MultipleFileField(label=_("Files (programme, publication, photos)"))

    class Meta:
        model = ActivityReport
        fields = [
            "stakeholder", "stakeholder_type", "title", "kind", "starts_on", "ends_on",
            "languages", "audience", "description", "links",
        ]  # fmt: skip
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 6}),
            "links": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = country_choices()
        report = self.instance
        if report.pk:
            self.initial.setdefault("levels", [level.value for level in report.levels])
            self.initial.setdefault("countries", report.country_codes)
            self.initial.setdefault("paragraphs", list(report.paragraphs.all()))
        order = list(self.Meta.fields)
        order.insert(order.index("languages"), "levels")
        order.insert(order.index("languages"), "countries")
        self.order_fields([*order, "paragraphs", "files"])

    def _post_clean(self) -> None:
        # The levels are columns of the model: set them before the model validates.
        chosen = set(self.cleaned_data.get("levels") or [])
        for level, field in LEVEL_FIELDS.items():
            setattr(self.instance, field, level in chosen)
        super()._post_clean()

    def service_fields(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        chosen = set(self.cleaned_data["levels"])
        data.update({field: level in chosen for level, field in LEVEL_FIELDS.items()})
        data["countries"] = self.cleaned_data["countries"]
        data["paragraphs"] = self.cleaned_data["paragraphs"]
        return data


class ReviewForm(DeskForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ReviewState.ACCEPTED, _("Accept")),
            (ReviewState.RETURNED, _("Return with a comment")),
            (ReviewState.REJECTED, _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment to the stakeholder"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StateFilterForm(DeskForm):
    state = forms.ChoiceField(
        label=_("Review"), choices=[("", _("Any")), *ReviewState.choices], required=False
    )
