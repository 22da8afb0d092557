"""The field with which a record's own form links it to resolution paragraphs."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.library.models import Paragraph, ParagraphKind


def _label(paragraph: Paragraph) -> str:
    english = next((t for t in paragraph.texts.all() if t.version.language == "en"), None)
    lead = english.lead_verb if english else ""
    return f"{paragraph.resolution.symbol} {paragraph.number}. {lead}".strip()


class ParagraphsField(forms.ModelMultipleChoiceField):
    """Operative paragraphs of the resolutions in the library, as boxes to tick."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Resolution paragraphs"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("The paragraphs of the resolutions in the legal library that this concerns."),
        )
        kwargs.setdefault(
            "widget", forms.CheckboxSelectMultiple(attrs={"class": "paragraph-boxes"})
        )
        queryset = (
            Paragraph.objects.filter(kind=ParagraphKind.OPERATIVE)
            .select_related("resolution")
            .prefetch_related("texts__version")
            .order_by("resolution__symbol", "position")
        )
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj: Paragraph) -> str:
        return _label(obj)
