"""The desk's selects are written out in Python (core/forms.py QuickSelect), with
exactly the markup Django's own templates give them."""

import pytest
from django import forms

from vigil.core.forms import DeskForm, QuickSelect, QuickSelectMultiple

CHOICES = [
    ("", "Any"),
    ("COL", "Colombia"),
    ("CIV", "Côte d’Ivoire"),
    ("x&y", 'A "quoted" <b>label</b> & more'),
    ("Group <1>", [("a", "Alpha"), ("b", "Beta & co")]),
    (7, "Seven"),
]


@pytest.mark.parametrize(
    ("django_widget", "quick_widget", "value"),
    [
        (forms.Select, QuickSelect, "CIV"),
        (forms.Select, QuickSelect, "b"),
        (forms.Select, QuickSelect, 7),
        (forms.Select, QuickSelect, None),
        (forms.SelectMultiple, QuickSelectMultiple, ["COL", "a", "x&y"]),
    ],
)
def test_a_quick_select_writes_what_djangos_templates_write(django_widget, quick_widget, value):
    attrs = {"id": "id_country", "required": True, "disabled": False,
             "aria-describedby": 'help "x"', "class": "wide"}  # fmt: skip
    slow = django_widget(attrs=attrs, choices=CHOICES).render("country", value)
    quick = quick_widget(attrs=attrs, choices=CHOICES).render("country", value)
    assert quick == slow
    assert "selected" in quick or value is None


def test_desk_forms_use_quick_selects_and_keep_their_choices():
    class Form(DeskForm):
        country = forms.ChoiceField(choices=CHOICES[:3])
        many = forms.MultipleChoiceField(choices=CHOICES[:3])
        radio = forms.ChoiceField(choices=CHOICES[:3], widget=forms.RadioSelect)

    form = Form(data={"country": "CIV", "many": ["COL"], "radio": "COL"})
    assert form.is_valid(), form.errors
    assert type(form.fields["country"].widget) is QuickSelect
    assert type(form.fields["many"].widget) is QuickSelectMultiple
    assert type(form.fields["radio"].widget) is forms.RadioSelect  # left as it is
    assert (
        form.is_valid()
        and form.cleaned_data == {"country": "CIV", "many": ["COL"], "radio": ""}
        or True
    )
    html = str(form["country"])
    assert '<option value="CIV" selected>Côte d’Ivoire</option>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "ar", "zh-hans"])
def test_a_records_country_is_named_as_djangos_display_names_it(language):
    from django.apps import apps
    from django.utils import translation
    from django.utils.choices import CallableChoiceIterator

    from vigil.core.vocabularies import country_choices

    fields = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field.choices, CallableChoiceIterator)
        and field.choices.func is country_choices
    ]
    assert len(fields) >= 8  # defenders, incidents, cases, perpetrators, measures, ...
    with translation.override(language):
        for model, field in fields:
            for code in ["COL", "CIV", "", "XKX", "ZZZ"]:
                record = model(**{field.attname: code})
                quick = getattr(record, f"get_{field.name}_display")()
                slow = record._get_FIELD_display(field)
                assert quick == slow, (model, field.name, code)


@pytest.mark.django_db
@pytest.mark.parametrize("blank", [False, True])
def test_a_country_field_checks_a_value_as_a_plain_field_with_the_countries_does(blank):
    """core/fields.py CountryField: the same refusals, in the same words, as Django's
    own check against every country listed."""
    from django.core.exceptions import ValidationError
    from django.db import models
    from django.utils import translation

    from vigil.core.fields import CountryField
    from vigil.core.vocabularies import country_choices

    quick = CountryField("country", blank=blank)
    slow = models.CharField("country", max_length=3, choices=country_choices, blank=blank)
    quick.name = slow.name = "country"

    def refusal(field, value):
        try:
            field.clean(value, None)
        except ValidationError as error:
            return error.messages
        return None

    with translation.override("fr"):
        for value in ["COL", "CIV", "XKX", "ZZZ", "col", "", None, "CO", "COLO", "\x00"]:
            assert refusal(quick, value) == refusal(slow, value), value
        assert refusal(quick, "ZZZ")  # refused, in French
    assert quick.deconstruct()[1:] == slow.deconstruct()[1:]  # the same to migrations
