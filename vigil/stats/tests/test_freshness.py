"""A filter that leaves many acts (a large desk's broad filter): the counts are cached
until a record changes; when counting is slow, the page shows the last counts, says
when they were made, and a task of the queue recounts (the `records` fixture of
conftest.py). The whole desk and narrow filters are counted exactly on every read
(test_exact_counts.py); here every view takes the cached way, as at that size."""

import pytest

from vigil.cases import services
from vigil.cases.selectors import CaseFilter
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import ViolationType
from vigil.stats import freshness
from vigil.stats.tests.builders import counted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def many_acts(monkeypatch):
    """Every filter leaves "many" acts, and no view is the whole desk's."""
    monkeypatch.setattr(freshness, "COUNT_NOW_BELOW", 0)
    monkeypatch.setattr(freshness, "whole_desk", lambda user, filters: False)


def test_the_counts_are_cached_until_a_record_changes(
    dave, carol, records, django_assert_max_num_queries
):
    before = freshness.dashboard(dave, CaseFilter())
    # Unchanged records: only the version check runs (one query, triggers.py).
    with django_assert_max_num_queries(2):
        again = freshness.dashboard(dave, CaseFilter())
    assert counted(again["flags"]) == counted(before["flags"])
    # A new act is counted at once.
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    assert counted(freshness.dashboard(dave, CaseFilter())["flags"])["all"] == (6, 4, 2)
    # So is a changed record: A is no longer a journalist.
    a = records["a"]
    a.refresh_from_db()
    services.defender_update(actor=carol, defender=a, version=a.version, is_journalist=False)
    assert "journalist" not in counted(freshness.dashboard(dave, CaseFilter())["victim_category"])


def test_the_schedule_recounts_what_was_read_once_the_records_change(
    dave, carol, records, django_assert_max_num_queries
):
    freshness.dashboard(dave, CaseFilter())  # read: remembered, and counted
    assert freshness.refresh() == 0  # nothing changed since
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    assert freshness.refresh() == 1
    assert freshness.refresh() == 0  # the same records: nothing to count again
    # The reader finds the exact numbers waiting: only the version check runs.
    with django_assert_max_num_queries(2):
        flags = freshness.dashboard(dave, CaseFilter())["flags"]
    assert counted(flags)["all"] == (6, 4, 2)


def test_the_scheduled_recount_forgets_a_reader_no_longer_active(dave, carol, records):
    freshness.dashboard(dave, CaseFilter())
    dave.is_active = False
    dave.save(update_fields=["is_active"])
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    assert freshness.refresh() == 0


def test_the_scheduled_recount_never_files_a_wider_scope_under_a_narrower_ones_counts(
    alice, carol, records
):
    """Counts are shared by readers of one scope: had Alice's new countries been counted
    under her old scope's key, another officer of Colombia and the Philippines would
    be shown Kenya's numbers."""
    freshness.dashboard(alice, CaseFilter())
    (digest,) = freshness.cache.get(freshness.WATCHED)
    before = freshness.cache.get(f"vigil:stats:latest:{digest}")
    alice.countries = ["COL", "KEN", "PHL"]
    alice.save(update_fields=["countries"])
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    assert freshness.refresh() == 0
    assert freshness.cache.get(f"vigil:stats:latest:{digest}")["version"] == before["version"]


def test_a_queued_recount_never_files_a_wider_scope_under_a_narrower_ones_counts(
    alice, carol, records
):
    freshness.dashboard(alice, CaseFilter())
    (digest,) = freshness.cache.get(freshness.WATCHED)
    criteria = freshness.cache.get(freshness.WATCHED)[digest]["criteria"]
    before = freshness.cache.get(f"vigil:stats:latest:{digest}")
    # Widened while her recount waited in the queue.
    alice.countries = ["COL", "KEN", "PHL"]
    alice.save(update_fields=["countries"])
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    freshness.recount(alice.pk, criteria, freshness.BREAKDOWNS, digest)
    assert freshness.cache.get(f"vigil:stats:latest:{digest}")["version"] == before["version"]


def test_one_reader_trying_many_filters_keeps_at_most_ten_places_for_the_schedule(
    dave, carol, records
):
    freshness.dashboard(carol, CaseFilter())
    for country in ("COL", "KEN", "PHL", "GTM", "MEX", "HND", "BRA", "IND", "NGA", "EGY", "TUR"):
        freshness.dashboard(dave, CaseFilter(country=country))
    watched = freshness.cache.get(freshness.WATCHED).values()
    assert sum(entry["user"] == dave.pk for entry in watched) == freshness.WATCH_PER_READER
    assert sum(entry["user"] == carol.pk for entry in watched) == 1  # not pushed out


def test_a_scheduled_recount_past_its_budget_stops_and_the_next_run_goes_on(
    dave, carol, records, monkeypatch
):
    freshness.dashboard(dave, CaseFilter())
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    monkeypatch.setattr(freshness, "REFRESH_BUDGET", -1.0)
    assert freshness.refresh() == 0
    monkeypatch.setattr(freshness, "REFRESH_BUDGET", 30.0)
    assert freshness.refresh() == 1


def test_when_counting_is_slow_the_page_shows_the_last_counts_and_asks_for_a_recount(
    client, dave, carol, records, monkeypatch, django_capture_on_commit_callbacks
):
    """The logic, on both databases: here the recount's thread is only asked for (the
    test's transaction never commits), and the test counts in its place."""
    from django.urls import reverse

    client.force_login(dave)
    # A large desk's first view of a filter: a notice now, a count asked for.
    monkeypatch.setattr(freshness, "BACKGROUND_ABOVE", 0)
    with django_capture_on_commit_callbacks() as asked:
        page = client.get(reverse("stats:dashboard")).content.decode()
    assert "The figures for these filters are being counted" in page
    assert 'http-equiv="refresh"' in page and 'id="h-violation"' not in page
    assert len(asked) == 1
    freshness.breakdown(dave, CaseFilter(), "flags")  # counts now, as the thread would
    freshness.counts(dave, CaseFilter(), freshness.BREAKDOWNS, allow_stale=False)
    monkeypatch.setattr(freshness, "BACKGROUND_ABOVE", 10**9)

    monkeypatch.setattr(freshness, "SYNC_SECONDS", -1)  # every count counts as slow
    first = freshness.dashboard_counted(dave, CaseFilter())[1]
    assert not first.stale and not first.pending
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    with django_capture_on_commit_callbacks() as asked:
        breakdowns, state = freshness.dashboard_counted(dave, CaseFilter())
    assert state.stale and state.counted_at == first.counted_at
    assert counted_flags(breakdowns) == (5, 4, 2)  # the counts from before the change
    assert len(asked) == 1  # a recount asked for
    notice = "Records have changed since, and new figures are being counted"
    assert notice in client.get(reverse("stats:dashboard")).content.decode()
    # An export, which carries no notice, is always exact.
    exported = freshness.breakdown(dave, CaseFilter(), "flags")
    assert counted(exported)["all"] == (6, 4, 2)


@pytest.mark.django_db(transaction=True)
def test_the_recount_runs_as_a_task_and_its_counts_replace_the_last_ones(
    client, dave, carol, records, monkeypatch
):
    from django.urls import reverse

    monkeypatch.setattr(freshness, "BACKGROUND_ABOVE", 0)
    client.force_login(dave)
    assert "being counted" in client.get(reverse("stats:dashboard")).content.decode()
    wait_for_recount(dave)
    monkeypatch.setattr(freshness, "BACKGROUND_ABOVE", 10**9)
    monkeypatch.setattr(freshness, "SYNC_SECONDS", -1)
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    breakdowns, state = freshness.dashboard_counted(dave, CaseFilter())
    assert counted_flags(breakdowns) == (5, 4, 2) and state.stale
    assert counted_flags(wait_for_recount(dave)) == (6, 4, 2)
    notice = "Records have changed since"
    assert notice not in client.get(reverse("stats:dashboard")).content.decode()


def wait_for_recount(user, seconds=30):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        breakdowns, state = freshness.dashboard_counted(user, CaseFilter())
        if not state.stale and not state.pending:
            return breakdowns
        time.sleep(0.1)
    raise AssertionError("the recount did not finish")


def counted_flags(breakdowns):
    return counted(breakdowns["flags"])["all"]
