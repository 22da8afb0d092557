"""core/links.py: what a reader sees of a record's links, and what a save keeps."""

import pytest

from vigil.cases.access import cases_for_user
from vigil.cases.tests import factories as make
from vigil.core.links import hidden, keeping_hidden, visible
from vigil.measures import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(carol):
    from datetime import date

    own, other = make.case(carol, country="COL"), make.case(carol, country="KEN")
    measure = services.measure_create(
        actor=carol, country="COL", kind="law", title="Law", effect="enabling",
        status="in_force", status_on=date(2024, 1, 1), cases=[own, other],
    )  # fmt: skip
    return measure, own, other


def test_it_shows_only_the_links_the_reader_may_open(alice, carol, linked):
    measure, own, other = linked
    assert list(visible(measure.cases.all(), cases_for_user(alice))) == [own]
    assert list(hidden(measure.cases.all(), cases_for_user(alice))) == [other]
    assert set(visible(measure.cases.all(), cases_for_user(carol))) == {own, other}


def test_it_keeps_the_hidden_links_beside_the_editors_choice(alice, carol, linked):
    measure, own, other = linked
    assert keeping_hidden(measure.cases.all(), cases_for_user(alice), []) == [other]
    assert keeping_hidden(measure.cases.all(), cases_for_user(alice), [own]) == [own, other]
    # Whoever sees every link removes any of them.
    assert keeping_hidden(measure.cases.all(), cases_for_user(carol), [own]) == [own]
