"""The dashboard shows exact, current numbers: the whole desk from the tallies
(tally.py), settled on every read, and a narrow filter (a country and a year, an
officer's countries) counted in the request. Neither is cached, so the first read
after a change already counts it, with no notice of staleness. A filter that leaves
many acts keeps the cache and the background recount (test_freshness.py)."""

from datetime import date

import pytest
from django.urls import reverse

from vigil.cases import services
from vigil.cases.models import Act
from vigil.cases.selectors import CaseFilter
from vigil.cases.tests import factories as make
from vigil.stats import freshness
from vigil.stats.counting import BREAKDOWNS, COUNTERS
from vigil.stats.selectors import acts_in_scope

pytestmark = pytest.mark.django_db


def slow_way(user, filters):
    """COUNTERS over the acts in scope that meet the filters, selected the slow way
    (the act-level criteria as a subquery, as the case list selects them)."""
    acts = acts_in_scope(user)
    if filters.country:
        acts = acts.filter(incident__country=filters.country)
    if filters.acts() is not None:
        acts = acts.filter(pk__in=filters.acts().values("pk"))
    return {name: COUNTERS[name](acts) for name in BREAKDOWNS}


@pytest.fixture
def no_version(monkeypatch):
    """Fails a test whose read goes the cached way (which asks for the version)."""

    def asked():
        raise AssertionError("the cached way was taken")

    monkeypatch.setattr(freshness, "data_version", asked)


def test_the_whole_desk_reads_exact_current_counts_with_no_cache(
    client, carol, records, no_version
):
    whole = CaseFilter()
    first = freshness.counts(carol, whole, BREAKDOWNS)
    assert first.counts == slow_way(carol, whole)
    assert not first.stale and not first.pending

    act = Act.objects.filter(violation="killing").get()
    services.act_update(actor=carol, act=act, version=act.version, violation="torture")
    after = freshness.counts(carol, whole, BREAKDOWNS)
    assert after.counts == slow_way(carol, whole) != first.counts
    assert after.counts["violation"]["torture"][0] == first.counts["violation"]["torture"][0] + 1

    client.force_login(carol)
    page = client.get(reverse("stats:dashboard")).content.decode()
    assert "being counted" not in page and "were counted" not in page


def test_a_country_and_a_year_and_an_officers_countries_are_counted_exactly_now(
    carol, alice, records, no_version
):
    one = CaseFilter(country="COL", date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
    before = freshness.counts(carol, one, BREAKDOWNS)
    assert before.counts == slow_way(carol, one)
    assert before.counts["flags"]["all"][0] == 1  # a3, the killing in Colombia in 2025

    incident = make.incident(carol, country="COL", start_date=date(2025, 6, 1))
    make.act(carol, incident=incident, victim=make.defender(carol, name="New"))
    after = freshness.counts(carol, one, BREAKDOWNS)
    assert after.counts == slow_way(carol, one)
    assert after.counts["flags"]["all"][0] == 2

    mine = freshness.counts(alice, CaseFilter(), BREAKDOWNS)  # Colombia and the Philippines
    assert mine.counts == slow_way(alice, CaseFilter())
    assert "KEN" not in mine.counts["country"]

    for narrow in (
        CaseFilter(sex="woman", date_from=date(2024, 1, 1)),
        CaseFilter(perpetrator="state", reprisal=True),
        CaseFilter(business_related=True, country="COL"),
        CaseFilter(victim_category="journalist", violation="torture"),
    ):
        assert freshness.counts(carol, narrow, BREAKDOWNS).counts == slow_way(carol, narrow)


def test_a_filter_that_leaves_many_acts_keeps_the_cache(carol, records, monkeypatch):
    monkeypatch.setattr(freshness, "COUNT_NOW_BELOW", 2)  # "many": two acts or more
    asked = []
    version = freshness.data_version
    monkeypatch.setattr(freshness, "data_version", lambda: asked.append(1) or version())
    broad = CaseFilter(reprisal=True)  # a3 and a5
    counted = freshness.counts(carol, broad, BREAKDOWNS, allow_stale=False)
    assert asked and counted.counts == slow_way(carol, broad)
