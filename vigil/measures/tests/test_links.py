"""A measure's links to letters and cases, within the editor's countries."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from vigil.cases.tests import factories as make
from vigil.measures import services

pytestmark = pytest.mark.django_db


def test_it_refuses_a_link_to_a_case_the_editor_cannot_open(alice, bob):
    kenyan = make.case(bob, country="KEN")
    with pytest.raises(PermissionDenied):
        services.measure_create(
            actor=alice, country="COL", kind="law", title="Law", effect="enabling",
            status="in_force", status_on=date(2024, 1, 1), cases=[kenyan],
        )  # fmt: skip


def test_an_editor_who_sees_every_link_may_remove_any(alice, carol):
    own, other = make.case(carol, country="COL"), make.case(carol, country="KEN")
    measure = services.measure_create(
        actor=carol, country="COL", kind="law", title="Law", effect="enabling",
        status="in_force", status_on=date(2024, 1, 1), cases=[own, other],
    )  # fmt: skip
    measure = services.measure_update(actor=alice, measure=measure, version=1, cases=[])
    assert list(measure.cases.all()) == [other]  # Alice cannot see the Kenyan case
    measure = services.measure_update(actor=carol, measure=measure, version=2, cases=[])
    assert not measure.cases.exists()
