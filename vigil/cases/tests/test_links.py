"""Links inside the case file, within the reader's countries: the acts a source form
offers, and a defender's relatives."""

import pytest
from django.urls import reverse

from vigil.cases import services
from vigil.cases.tests import factories as make

pytestmark = pytest.mark.django_db

HIDDEN = "Someone in Venezuela"


def test_the_source_form_does_not_name_a_victim_from_another_country(client, alice, carol):
    incident = make.incident(carol, country="COL")
    make.act(carol, incident=incident, victim=make.defender(carol, country="VEN", name=HIDDEN))
    make.act(carol, incident=incident, victim=make.defender(carol, name="Ana Example"))
    client.force_login(alice)
    page = client.get(reverse("cases:source_create", args=[incident.pk])).content.decode()
    named = HIDDEN in page
    assert not named and "Ana Example" in page
    assert "a defender in a country you do not cover" in page


def test_the_case_file_shows_only_relatives_the_reader_may_open(client, alice, carol):
    case = make.case(carol, country="COL")
    ana = make.defender(carol, name="Ana Example", case=case)
    services.relation_add(
        actor=carol, defender=ana, relation="family", case=case, kind="person", name=HIDDEN,
        country="VEN",
    )  # fmt: skip
    client.force_login(alice)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    named = HIDDEN in page
    assert not named and "Ana Example" in page
    client.force_login(carol)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert HIDDEN in page and "in countries you do not cover" not in page
