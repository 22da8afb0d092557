"""Every breakdown of the dashboard on records built by hand, with cases: acts,
victims and cases counted bucket by bucket, each bucket's filter selecting exactly
its acts, and the cached counts renewed as soon as a record changes."""

from datetime import date

import pytest

from vigil.cases import services
from vigil.cases.selectors import CaseFilter
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import DefenderKind, ViolationType
from vigil.stats import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(carol):
    """Five acts in four incidents; case K1 holds three incidents, K2 one of them too,
    and one incident belongs to no case.

    a1  A torture      2024 COL  police + company   K1
    a2  A threats      2024 COL  police             K1
    a3  B killing      2025 COL  nobody recorded    K1       reprisal
    a4  C raid         2025 KEN  armed group        K1, K2   (C is an organisation)
    a5  D detention    2025 PHL  military           none     reprisal
    """
    k1 = make.case(carol, title="K1")
    k2 = make.case(carol, title="K2", country="KEN")
    a = make.defender(carol, name="A", sex_gender="woman", is_journalist=True, focus_business=True)
    b = make.defender(carol, name="B", sex_gender="man")
    c = make.defender(carol, name="C", kind=DefenderKind.ORGANISATION, focus_environment=True)
    d = make.defender(
        carol, name="D", country="PHL", sex_gender="woman", is_hrd=False, is_trade_unionist=True
    )
    i1 = make.incident(carol, case=k1, start_date=date(2024, 6, 1))
    i2 = make.incident(carol, case=k1, start_date=date(2025, 2, 1))
    i3 = make.incident(carol, case=k1, country="KEN", start_date=date(2025, 3, 1))
    k2.incidents.add(i3)
    i4 = make.incident(carol, country="PHL", start_date=date(2025, 4, 1))

    def act(incident, victim, violation, perpetrators=(), **fields):
        return make.act(
            carol, incident=incident, victim=victim, violation=violation,
            perpetrators=[{"category": p} for p in perpetrators], **fields,
        )  # fmt: skip

    act(i1, a, ViolationType.TORTURE, ["police", "business"])
    act(i1, a, ViolationType.THREATS, ["police"])
    act(i2, b, ViolationType.KILLING, reprisal=True)
    act(i3, c, ViolationType.RAID, ["armed_group"])
    act(i4, d, ViolationType.ARBITRARY_DETENTION, ["military"], reprisal=True)
    return {"a": a, "i4": i4}


# (acts, victims, cases) per bucket; the buckets not listed count nothing.
EXPECTED = {
    "year": {"2024": (2, 1, 1), "2025": (3, 3, 2)},
    "sdg_category": {
        "torture": (1, 1, 1), "other_harmful_acts": (2, 2, 2), "killing": (1, 1, 1),
        "arbitrary_detention": (1, 1, 0),
    },
    "violation": {
        "torture": (1, 1, 1), "threats": (1, 1, 1), "killing": (1, 1, 1), "raid": (1, 1, 2),
        "arbitrary_detention": (1, 1, 0),
    },
    "region": {
        "latin_american_caribbean": (3, 2, 1), "african": (1, 1, 2), "asia_pacific": (1, 1, 0),
    },
    "country": {"COL": (3, 2, 1), "KEN": (1, 1, 2), "PHL": (1, 1, 0)},
    "victim_category": {"hrd": (4, 3, 2), "journalist": (2, 1, 1), "trade_unionist": (1, 1, 0)},
    "sex": {"woman": (3, 2, 1), "man": (1, 1, 1)},  # people only: C is an organisation
    "focus_group": {"business": (2, 1, 1), "environment": (1, 1, 2)},
    "perpetrator": {"state": (3, 2, 1), "business": (1, 1, 1), "armed_group": (1, 1, 2)},
    "flags": {"business": (2, 1, 1), "reprisal": (2, 2, 1), "all": (5, 4, 2)},
}  # fmt: skip


def counted(breakdown):
    return {b.key: (b.acts, b.victims, b.cases) for b in breakdown.buckets if b.acts}


def test_every_breakdown_counts_acts_victims_and_cases(dave, records):
    found = selectors.dashboard(dave, CaseFilter())
    assert set(found) == set(EXPECTED)
    for name, expected in EXPECTED.items():
        assert counted(found[name]) == expected, name


def test_each_bucket_filters_exactly_the_acts_it_counts(dave, records):
    for name, breakdown in selectors.dashboard(dave, CaseFilter()).items():
        for bucket in breakdown.buckets:
            behind = selectors.filtered_acts(dave, CaseFilter(**bucket.filters))
            assert behind.count() == bucket.acts, (name, bucket.key)


def test_the_breakdowns_follow_the_filters_and_the_readers_countries(dave, alice, bob, records):
    africa = selectors.dashboard(dave, CaseFilter(region="african"))
    assert counted(africa["flags"]) == {"all": (1, 1, 2)}
    reprisals = selectors.dashboard(dave, CaseFilter(reprisal=True))
    assert counted(reprisals["country"]) == {"COL": (1, 1, 1), "PHL": (1, 1, 0)}
    # Alice covers Colombia and the Philippines, Bob Kenya (the root conftest).
    assert counted(selectors.dashboard(alice, CaseFilter())["country"]) == {
        "COL": (3, 2, 1), "PHL": (1, 1, 0),
    }  # fmt: skip
    assert counted(selectors.dashboard(bob, CaseFilter())["flags"]) == {"all": (1, 1, 2)}


def test_the_counts_are_cached_until_a_record_changes(
    dave, carol, records, django_assert_max_num_queries
):
    before = selectors.dashboard(dave, CaseFilter())
    # Unchanged records: only the version check runs (six small aggregates).
    with django_assert_max_num_queries(6):
        again = selectors.dashboard(dave, CaseFilter())
    assert counted(again["flags"]) == counted(before["flags"])
    # A new act is counted at once.
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    assert counted(selectors.dashboard(dave, CaseFilter())["flags"])["all"] == (6, 4, 2)
    # So is a changed record: A is no longer a journalist.
    a = records["a"]
    a.refresh_from_db()
    services.defender_update(actor=carol, defender=a, version=a.version, is_journalist=False)
    assert "journalist" not in counted(selectors.dashboard(dave, CaseFilter())["victim_category"])


def test_when_counting_is_slow_the_page_shows_the_last_counts_and_asks_for_a_recount(
    client, dave, carol, records, monkeypatch, django_capture_on_commit_callbacks
):
    """The logic, on both databases: here the recount's thread is only asked for (the
    test's transaction never commits), and the test counts in its place."""
    from django.urls import reverse

    client.force_login(dave)
    # A large desk's first view of a filter: a notice now, a count asked for.
    monkeypatch.setattr(selectors, "BACKGROUND_ABOVE", 0)
    with django_capture_on_commit_callbacks() as asked:
        page = client.get(reverse("stats:dashboard")).content.decode()
    assert "The figures for these filters are being counted" in page
    assert 'http-equiv="refresh"' in page and 'id="h-violation"' not in page
    assert len(asked) == 1
    selectors.breakdown(dave, CaseFilter(), "flags")  # counts now, as the thread would
    selectors.counts(dave, CaseFilter(), selectors.BREAKDOWNS, allow_stale=False)
    monkeypatch.setattr(selectors, "BACKGROUND_ABOVE", 10**9)

    monkeypatch.setattr(selectors, "SYNC_SECONDS", -1)  # every count counts as slow
    first = selectors.dashboard_counted(dave, CaseFilter())[1]
    assert not first.stale and not first.pending
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    with django_capture_on_commit_callbacks() as asked:
        breakdowns, state = selectors.dashboard_counted(dave, CaseFilter())
    assert state.stale and state.counted_at == first.counted_at
    assert counted_flags(breakdowns) == (5, 4, 2)  # the counts from before the change
    assert len(asked) == 1  # a recount asked for
    notice = "Records have changed since, and new figures are being counted"
    assert notice in client.get(reverse("stats:dashboard")).content.decode()
    # An export, which carries no notice, is always exact.
    exported = selectors.breakdown(dave, CaseFilter(), "flags")
    assert counted(exported)["all"] == (6, 4, 2)


@pytest.mark.django_db(transaction=True)
def test_the_recount_runs_in_a_thread_and_its_counts_replace_the_last_ones(
    client, dave, carol, records, monkeypatch
):
    from django.db import connection
    from django.urls import reverse

    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory SQLite test database locks a whole table while the recount "
            "thread reads it, so the test's own writes fail; a SQLite file in WAL mode does "
            "not, and the test before this one covers the logic on SQLite"
        )
    monkeypatch.setattr(selectors, "BACKGROUND_ABOVE", 0)
    client.force_login(dave)
    assert "being counted" in client.get(reverse("stats:dashboard")).content.decode()
    wait_for_recount(dave)
    monkeypatch.setattr(selectors, "BACKGROUND_ABOVE", 10**9)
    monkeypatch.setattr(selectors, "SYNC_SECONDS", -1)
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    breakdowns, state = selectors.dashboard_counted(dave, CaseFilter())
    assert counted_flags(breakdowns) == (5, 4, 2) and state.stale
    assert counted_flags(wait_for_recount(dave)) == (6, 4, 2)
    notice = "Records have changed since"
    assert notice not in client.get(reverse("stats:dashboard")).content.decode()


def wait_for_recount(user, seconds=30):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        breakdowns, state = selectors.dashboard_counted(user, CaseFilter())
        if not state.stale and not state.pending:
            return breakdowns
        time.sleep(0.1)
    raise AssertionError("the recount did not finish")


def counted_flags(breakdowns):
    return counted(breakdowns["flags"])["all"]
