from collections import Counter

import pytest
from django.utils import translation

from vigil.core.vocabularies import (
    COUNTRIES,
    REGIONAL_GROUP_OF,
    RegionalGroup,
    country_choices,
    country_name,
)


def test_every_un_member_state_is_in_exactly_one_regional_group():
    assert len(REGIONAL_GROUP_OF) == 193
    assert set(REGIONAL_GROUP_OF) <= set(COUNTRIES)
    sizes = Counter(REGIONAL_GROUP_OF.values())
    assert sizes[RegionalGroup.AFRICAN] == 54
    assert sizes[RegionalGroup.EASTERN_EUROPEAN] == 23
    assert sizes[RegionalGroup.LATIN_AMERICAN_CARIBBEAN] == 33


def test_territories_and_observers_have_no_group():
    assert COUNTRIES["PSE"].regional_group is None
    assert COUNTRIES["VAT"].regional_group is None
    assert not COUNTRIES["PRI"].is_member_state
    assert COUNTRIES["NLD"].regional_group == RegionalGroup.WESTERN_EUROPEAN_OTHERS


def test_country_names_follow_the_language():
    with translation.override("nl"):
        assert country_name("DEU") == "Duitsland"
        assert COUNTRIES["NLD"].name == "Nederland"
    with translation.override("en"):
        assert country_name("DEU") == "Germany"
    assert country_name("XXX") == "XXX"


@pytest.mark.parametrize(
    ("language", "colombia"),
    [("ar", "كولومبيا"), ("zh-hans", "哥伦比亚"), ("fr", "Colombie"), ("ru", "Колумбия"),
     ("es", "Colombia")],
)  # fmt: skip
def test_country_names_exist_in_every_un_language(language, colombia):
    assert country_name("COL", language) == colombia
    with translation.override(language):
        assert country_name("COL") == colombia


def test_country_choices_are_sorted_by_the_local_name_ignoring_accents():
    with translation.override("en"):
        names = [name for _code, name in country_choices()]
    assert len(names) == len(COUNTRIES)
    assert names.index("Côte d'Ivoire") < names.index("Croatia")
    with translation.override("nl"):
        codes = [code for code, _name in country_choices()]
    # "Duitsland" sorts before "Egypte" in Dutch, "Germany" after "Egypt" in English.
    assert codes.index("DEU") < codes.index("EGY")
