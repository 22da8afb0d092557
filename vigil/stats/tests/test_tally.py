"""The tallies (stats/tally.py) hold exactly what the slow way counts (counting.py's
COUNTERS over every act), on generated records and after every kind of change: new
records, edits of a defender, an incident, an act and its perpetrators, links of
cases to incidents, a merge of two defenders, deletions, writes that send no signal
(a queryset's update), and a bulk import."""

from datetime import date
from random import Random

import pytest
from django.utils import timezone

from vigil.cases import services
from vigil.cases.models import Act, Case, Defender, Incident, Source
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import PerpetratorCategory, ViolationType
from vigil.exchange import importer
from vigil.stats import tally
from vigil.stats.counting import COUNTERS
from vigil.stats.sdg16101 import counting as sdg16101

pytestmark = pytest.mark.django_db

COUNTRIES = ["COL", "MEX", "PHL", "KEN", "RUS", "FRA"]


def slow_way():
    acts = Act.objects.all()
    return {name: count(acts) for name, count in COUNTERS.items()}


def assert_exact():
    assert tally.counts() == slow_way()
    for year in range(2017, 2026):  # the 16.10.1 table of each year, from the cells
        start, end = date(year, 1, 1), date(year, 12, 31)
        assert shown(sdg16101.table_of_cells(start, end, tally.sdg_cells(year))) == shown(
            sdg16101.table(start, end)
        ), year


def sdg_totals(year):
    return [n for cell, n in tally.sdg_cells(year).items() if cell.endswith("|total")]


def shown(table):
    return (
        [(row.key, row.cells) for row in table.rows],
        [(row.key, row.cells) for row in table.countries],
    )


def verify(carol, acts, random, *, reliabilities=("reliable", "usually_reliable", "doubtful")):
    """Sources for some acts, and those acts marked verified on two of them (some
    rated doubtful: verified, but not as 16.10.1 counts it)."""
    for act in acts:
        if random.random() < 0.4:
            continue
        for n in range(2):
            make.source(carol, incident=act.incident, acts=[act], name=f"S{act.pk}-{n}",
                        reliability=random.choice(reliabilities))  # fmt: skip
        act.refresh_from_db()
        services.act_set_verification(
            actor=carol, act=act, version=act.version, verification="verified",
            independent_sources=2,
        )  # fmt: skip


def generated(carol, seed=7, incidents=30):
    random = Random(seed)  # noqa: S311 - fictional data
    violations = [v.value for v in ViolationType]
    perpetrators = [p.value for p in PerpetratorCategory]
    defenders = [
        make.defender(
            carol,
            name=f"Person {n}",
            country=random.choice(COUNTRIES),
            kind=random.choice(["person", "person", "organisation"]),
            sex_gender=random.choice(["woman", "man", "unknown", "non_binary"]),
            is_journalist=random.random() < 0.3,
            is_trade_unionist=random.random() < 0.2,
            is_hrd=random.random() < 0.8,
            focus_business=random.random() < 0.3,
            focus_environment=random.random() < 0.3,
        )  # fmt: skip
        for n in range(15)
    ]
    cases = [make.case(carol, title=f"Case {n}") for n in range(6)]
    made = []
    for n in range(incidents):
        incident = make.incident(
            carol, title=f"Incident {n}", country=random.choice(COUNTRIES),
            start_date=timezone.localdate().replace(year=2019 + n % 6, day=1),
            case=random.choice([*cases, None]),
        )  # fmt: skip
        for _ in range(random.choice([1, 1, 2, 3])):
            make.act(
                carol, incident=incident, victim=random.choice(defenders),
                violation=random.choice(violations), reprisal=random.random() < 0.2,
                perpetrators=[
                    {"category": c} for c in random.sample(perpetrators, random.choice([0, 1, 2]))
                ],
            )  # fmt: skip
        made.append(incident)
    verify(carol, list(Act.objects.all()), random)
    return defenders, made, cases


def test_the_tallies_equal_the_slow_count_after_every_kind_of_change(carol):
    defenders, incidents, cases = generated(carol)
    assert tally.settle() > 0
    assert_exact()
    cases_counted = sum(n for y in range(2019, 2025) for n in sdg_totals(y))
    assert cases_counted > 5  # some acts count in 16.10.1, and some do not
    assert cases_counted < Act.objects.filter(verification="verified").count()
    assert tally.settle() == 0  # nothing changed since

    # A defender's sex, categories and focus change: every act against them moves.
    person = next(d for d in defenders if d.acts.exists() and d.kind == "person")
    services.defender_update(
        actor=carol, defender=person, version=person.version, sex_gender="non_binary",
        is_journalist=not person.is_journalist, focus_business=not person.focus_business,
    )  # fmt: skip
    assert_exact()

    # An incident moves to another country and year.
    incident = next(i for i in incidents if i.acts.exists())
    services.incident_update(
        actor=carol, incident=incident, version=incident.version, country="KEN",
        start_date=incident.start_date.replace(year=2018),
    )  # fmt: skip
    assert_exact()

    # An act's violation and perpetrators change.
    act = Act.objects.filter(incident__cases__isnull=False).first()
    services.act_update(
        actor=carol, act=act, version=act.version, violation="killing", reprisal=True,
        perpetrators=[{"category": "police"}, {"category": "business"}],
    )  # fmt: skip
    assert_exact()

    # Cases gain and lose incidents; a case is deleted.
    cases[0].incidents.add(*incidents[:5])
    cases[1].incidents.remove(*cases[1].incidents.all()[:1])
    assert_exact()
    Case.objects.filter(pk=cases[2].pk).delete()
    assert_exact()

    # Two defenders merged: the duplicate's acts go to the survivor, in one update
    # that sends no signal, and the duplicate is deleted.
    survivor, duplicate = [d for d in defenders if d.acts.exists()][:2]
    Act.objects.filter(victim=duplicate).update(victim=survivor)
    Defender.objects.filter(pk=duplicate.pk).delete()
    assert_exact()

    # What decides whether 16.10.1 counts an act: a source rated doubtful (an update
    # that sends no signal), a source unlinked, an act no longer verified.
    counted = Act.objects.filter(verification="verified", sources__reliability="reliable")
    source = counted.first().sources.filter(reliability="reliable").first()
    Source.objects.filter(pk=source.pk).update(reliability="doubtful")
    assert_exact()
    act = Act.objects.filter(verification="verified", sources__isnull=False).last()
    act.sources.remove(act.sources.first())
    assert_exact()
    act = Act.objects.filter(verification="verified").first()
    services.act_set_verification(
        actor=carol, act=act, version=act.version, verification="under_review",
        independent_sources=0,
    )  # fmt: skip
    assert_exact()

    # Deletions: one act, then a whole incident with its acts.
    Act.objects.filter(pk=Act.objects.order_by("pk").first().pk).delete()
    Incident.objects.filter(pk=incidents[-1].pk).delete()
    assert_exact()


def test_a_bulk_import_and_a_failed_one_leave_the_tallies_exact(carol):
    generated(carol, seed=3, incidents=8)
    assert_exact()
    raw = {
        "defenders": [
            {"external_id": f"d{n}", "kind": "person", "name": f"P{n}", "country": "MEX",
             "sex_gender": "woman", "victim_categories": "journalist"}
            for n in range(20)
        ],
        "incidents": [
            {"external_id": f"i{n}", "title": f"T{n}", "narrative": "N",
             "start_date": "2024-02-01", "country": "MEX"}
            for n in range(20)
        ],
        "acts": [
            {"external_id": f"a{n}", "incident": f"i{n}", "victim": f"d{n % 7}",
             "violation": "threats", "perpetrators": "business"}
            for n in range(20)
        ],
        "sources": [],
    }  # fmt: skip
    broken = {**raw, "acts": [*raw["acts"], {"external_id": "bad", "incident": "i1",
                                             "victim": "d1", "violation": "flying"}]}  # fmt: skip
    assert not importer.run(carol, broken).imported
    assert_exact()
    assert importer.run(carol, raw).imported
    assert_exact()
    counted = tally.counts()
    assert counted["country"]["MEX"][0] >= 20
    assert counted["victim_category"]["journalist"][1] >= 7


def test_a_rebuild_from_the_records_equals_the_slow_count_and_settling_after_it(carol):
    defenders, incidents, cases = generated(carol, seed=11, incidents=20)
    assert tally.rebuild() > 0  # every change noted so far, forgotten once counted
    assert not tally.Change.objects.exists()
    assert_exact()
    Act.objects.filter(pk=Act.objects.order_by("-pk").first().pk).delete()
    cases[0].incidents.add(*incidents[-3:])
    assert_exact()  # the changes since, settled one by one
    tally.Tally.objects.all().delete()  # a damaged tally is made again whole
    tally.rebuild()
    assert_exact()


@pytest.mark.django_db(transaction=True)
def test_settling_a_large_backlog_rebuilds_in_a_transaction_of_its_own(carol, monkeypatch):
    generated(carol, seed=5, incidents=12)
    monkeypatch.setattr(tally, "REBUILD_ABOVE", 10)
    rebuilt = []
    monkeypatch.setattr(tally, "rebuild", lambda real=tally.rebuild: rebuilt.append(1) or real())
    assert tally.settle() > 10
    assert rebuilt and not tally.Change.objects.exists()
    assert_exact()


def test_the_16_10_1_cells_follow_a_change_of_the_minimum_of_sources(carol, settings):
    generated(carol, seed=9, incidents=20)
    assert_exact()
    settings.SDG_MIN_SOURCES = 1  # fewer needed: more acts count
    assert tally.sdg_cells(2024) is None  # counted with the old rule: not shown
    assert_exact()  # settling made them again with the new one
    settings.SDG_MIN_SOURCES = 2
    assert_exact()


def test_counting_a_few_acts_from_their_buckets_equals_counters_for_every_filter(carol, dave):
    """tally.count, the way a narrow filter is counted (freshness.py), against
    COUNTERS over the same acts, for filters of every kind, including those whose
    join repeats an act (a case status held by two cases of one incident) or looks
    through an act's perpetrators."""
    from vigil.cases.selectors import CaseFilter
    from vigil.stats.selectors import filtered_acts

    defenders, incidents, cases = generated(carol, seed=13, incidents=40)
    services.case_update(actor=carol, case=cases[0], version=cases[0].version, status="active")
    services.case_update(actor=carol, case=cases[1], version=cases[1].version, status="active")
    cases[1].incidents.add(*cases[0].incidents.all()[:3])  # incidents of two active cases
    filters = [
        CaseFilter(),
        CaseFilter(country="COL"),
        CaseFilter(country="MEX", date_from=date(2021, 1, 1), date_to=date(2021, 12, 31)),
        CaseFilter(region="latin_american_caribbean", violation="killing"),
        CaseFilter(status="active"),
        CaseFilter(perpetrator="state"),
        CaseFilter(perpetrator="business", reprisal=True),
        CaseFilter(business_related=True),
        CaseFilter(victim_category="journalist", sex="woman"),
        CaseFilter(focus_group="environment", verification="verified"),
        CaseFilter(sdg_category="other_harmful_acts", women_defenders=True),
    ]
    repeated = filtered_acts(dave, CaseFilter(status="active"))
    assert repeated.count() > repeated.distinct().count()  # the join repeats acts
    checked = 0
    for f in filters:
        acts = filtered_acts(dave, f)
        expected = {name: count(acts) for name, count in COUNTERS.items()}
        assert tally.count(acts) == expected, f
        checked += expected["flags"]["all"][0] > 0
    assert checked >= 8  # most filters leave acts to count
