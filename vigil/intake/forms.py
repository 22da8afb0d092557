from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.core.forms import DeskForm, MultipleFileField
from vigil.core.vocabularies import country_choices
from vigil.intake.models import ReporterRelation


class SubmissionForm(DeskForm):
    """The public report form. Only what happened and the country are required."""

    form_token = forms.CharField(widget=forms.HiddenInput)
    what_happened = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("In your own words, in any language. Write as much or as little as you can."),
        max_length=20000,
    )
    country = forms.ChoiceField(
        label=_("In which country?"),
        help_text=_("The country where it happened."),
    )
    targeted = forms.CharField(
        label=_("Who was targeted?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names, an organisation or a community, if you want to tell us."),
        max_length=2000,
    )
    relation = forms.ChoiceField(
        label=_("Who are you to them?"),
        required=False,
        choices=ReporterRelation.choices,
        widget=forms.RadioSelect,
    )
    when = forms.CharField(
        label=_("When did it happen?"),
        required=False,
        max_length=200,
        help_text=_("A date, or words such as “last week” or “since March”."),
    )
    where = forms.CharField(label=_("Where?"), required=False, max_length=500)
    perpetrators = forms.CharField(
        label=_("Who did it?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example the police, soldiers, a company, or “I do not know”."),
        max_length=2000,
    )
    files = MultipleFileField(
        label=_("Files"),
        help_text=_(
            "Photos, recordings, videos, PDFs or office documents. Files can reveal who "
            "made them and where: send only what you are willing to share."
        ),
    )
    urgent = forms.BooleanField(
        label=_("Someone is in danger now"),
        required=False,
        help_text=_("Urgent reports are read first."),
    )
    consent_share_name = forms.BooleanField(
        label=_("You may give the name to the State or company concerned"),
        required=False,
        help_text=_(
            "When the desk writes to them about this. Without your consent the letter "
            "describes the person without naming them."
        ),
    )
    consent_publish = forms.BooleanField(
        label=_("The case may be made public"),
        required=False,
        help_text=_("For example in a published letter or a public statement."),
    )
    consent_count_by_name = forms.BooleanField(
        label=_("The person may be named in reports"),
        required=False,
        help_text=_("Otherwise they are only counted, never named."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country")), *country_choices()]

    def submission_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in {"form_token", "files"}}


class ReceiptCodeForm(DeskForm):
    code = forms.CharField(
        label=_("Your receipt code"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The seven words you were given when you sent your report."),
    )


class ReplyForm(DeskForm):
    text = forms.CharField(
        label=_("Your message to the desk"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    files = MultipleFileField(label=_("More files"))


class DeskMessageForm(DeskForm):
    text = forms.CharField(
        label=_("Message to the reporter"), widget=forms.Textarea(attrs={"rows": 4})
    )


class CloseForm(DeskForm):
    reason = forms.CharField(
        label=_("Why is the report closed?"), widget=forms.Textarea(attrs={"rows": 2})
    )


class TakeUpForm(DeskForm):
    title = forms.CharField(label=_("Title of the new case"), max_length=200)
