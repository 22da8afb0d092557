"""What keeps the statistics honest underneath: the database triggers are all there
after every migrate and come back when a table is remade (SQLite drops them then);
the records' version changes with every write the statistics depend on, however it
was made, and with nothing else; a reader never waits on a settling nor rebuilds in a
request, and is told when the tallies are behind; and only a reader of statistics
gets the tallies."""

import sqlite3

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from vigil.cases.models import Act, Case, Source
from vigil.cases.selectors import CaseFilter
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import ViolationType
from vigil.core import permissions
from vigil.core.vocabularies import Role
from vigil.stats import freshness, tally, tasks, triggers
from vigil.stats.counting import COUNTERS
from vigil.stats.tests.builders import counted


def every():
    return {t.name for t in triggers.for_vendor(connection.vendor)}


def of_table(table):
    return {t.name for t in triggers.for_vendor(connection.vendor) if t.table == table}


def slow_way():
    acts = Act.objects.all()
    return {name: count(acts) for name, count in COUNTERS.items()}


def drop(names):
    with connection.cursor() as cursor:
        for trigger in triggers.for_vendor(connection.vendor):
            if trigger.name in names:
                on = f" ON {trigger.table}" if connection.vendor == "postgresql" else ""
                cursor.execute(f"DROP TRIGGER {trigger.name}{on}")


@pytest.mark.django_db
def test_every_trigger_is_in_place_after_migrate():
    assert triggers.present(connection) == every()
    assert triggers.ensure(connection) == []  # nothing to put back, nothing noted


@pytest.mark.django_db
def test_writes_made_while_triggers_were_missing_are_counted_once_they_are_back(carol, records):
    tally.settle()
    assert tally.counts() == slow_way()
    lost = of_table("cases_act")
    drop(lost)
    # Unseen: an act moved to another violation, another deleted.
    Act.objects.filter(violation=ViolationType.KILLING).update(violation=ViolationType.THREATS)
    Act.objects.filter(violation=ViolationType.RAID).delete()
    assert tally.counts() != slow_way()  # the tallies went wrong, as they would have
    assert sorted(triggers.ensure(connection)) == sorted(lost)
    assert triggers.present(connection) == every()
    assert tally.counts() == slow_way()


@pytest.mark.django_db(transaction=True)
def test_a_table_remade_by_a_migration_gets_its_triggers_back_from_migrate(carol, records):
    tally.settle()
    if connection.vendor == "sqlite":
        # What every column change of a migration does on SQLite: the table is made
        # again under a new name and renamed, and its triggers are gone.
        with connection.schema_editor() as editor:
            editor._remake_table(Act)
    else:
        drop(of_table("cases_act"))
    assert not of_table("cases_act") & triggers.present(connection)
    Act.objects.filter(violation=ViolationType.KILLING).update(violation=ViolationType.THREATS)
    call_command("migrate", verbosity=0)
    assert triggers.present(connection) == every()
    assert tally.counts() == slow_way()


@pytest.mark.django_db
def test_the_minute_task_puts_back_a_missing_trigger(carol, records):
    drop({"stats_note_cases_perpetrator_insert"})
    tasks.refresh.call_local()
    assert triggers.present(connection) == every()


@pytest.mark.django_db
def test_the_version_changes_with_every_write_the_statistics_see_and_nothing_else(carol, records):
    def changed(write):
        before = freshness.data_version()
        write()
        return freshness.data_version() != before

    act = Act.objects.get(violation=ViolationType.KILLING)
    # Writes that send no signal and bump no version field: a queryset's update, SQL.
    assert changed(lambda: Act.objects.filter(pk=act.pk).update(reprisal=not act.reprisal))
    source = make.source(carol, incident=act.incident, acts=[])
    assert changed(lambda: act.sources.add(source))
    with connection.cursor() as cursor:
        assert changed(
            lambda: cursor.execute(
                "UPDATE cases_source SET reliability = %s WHERE id = %s", ["doubtful", source.pk]
            )
        )
    case = Case.objects.filter(incidents=act.incident).first()
    assert changed(lambda: Case.objects.filter(pk=case.pk).update(status="closed"))
    # Settling moves changes from waiting to settled: the version stays.
    assert not changed(tally.settle)
    # What the statistics do not count changes nothing.
    assert not changed(lambda: Case.objects.filter(pk=case.pk).update(title="Another title"))
    assert not changed(lambda: Source.objects.filter(pk=source.pk).update(name="Renamed"))


@pytest.mark.django_db
def test_a_filtered_cached_count_sees_a_write_that_sent_no_signal(
    dave, carol, records, monkeypatch
):
    monkeypatch.setattr(freshness, "COUNT_NOW_BELOW", 0)  # the cached way, as at scale
    filters = CaseFilter(country="COL")
    before = counted(freshness.breakdown(dave, filters, "violation"))
    Act.objects.filter(incident__country="COL").update(violation=ViolationType.THREATS)
    after = counted(freshness.breakdown(dave, filters, "violation"))
    assert after != before and set(after) == {ViolationType.THREATS.value}


@pytest.mark.django_db
def test_a_reader_never_settles_a_large_backlog_and_is_told_the_counts_are_behind(
    client, dave, carol, records, monkeypatch
):
    client.force_login(dave)
    client.get(reverse("stats:dashboard"))  # settled
    before = counted(freshness.dashboard(dave, CaseFilter())["flags"])["all"]
    monkeypatch.setattr(tally, "SETTLE_IN_REQUEST", 0)
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    breakdowns, state = freshness.dashboard_counted(dave, CaseFilter())
    assert state.stale and counted(breakdowns["flags"])["all"] == before
    assert tally.Change.objects.exists()  # left for the task
    page = client.get(reverse("stats:dashboard")).content.decode()
    assert "Records have changed since" in page
    # An export is exact or nothing: counted from the acts themselves.
    exported = counted(freshness.breakdown(dave, CaseFilter(), "flags"))["all"]
    assert exported == (before[0] + 1, before[1], before[2])
    tasks.refresh.call_local()  # the minute's settling
    breakdowns, state = freshness.dashboard_counted(dave, CaseFilter())
    assert not state.stale and counted(breakdowns["flags"])["all"] == exported


@pytest.mark.django_db(transaction=True)
def test_a_reader_does_not_wait_while_another_settling_holds_the_lock(dave, carol, records):
    tally.settle()
    before = counted(freshness.dashboard(dave, CaseFilter())["flags"])["all"]
    make.act(carol, incident=records["i4"], victim=records["a"], violation=ViolationType.THREATS)
    holder = _hold_the_settling_lock()
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET lock_timeout = '5s'")  # a wait fails the test, not hangs
        breakdowns, state = freshness.dashboard_counted(dave, CaseFilter())
        assert state.stale and counted(breakdowns["flags"])["all"] == before
    finally:
        holder.rollback()
        holder.close()
    breakdowns, state = freshness.dashboard_counted(dave, CaseFilter())
    assert not state.stale and counted(breakdowns["flags"])["all"][0] == before[0] + 1


def _hold_the_settling_lock():
    """Another process's settling, as the database sees it."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        other = psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
            password=db["PASSWORD"] or None,
        )  # fmt: skip
        other.execute("SELECT pg_advisory_xact_lock(%s)", [tally._LOCK])
        return other
    other = sqlite3.connect(db["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


@pytest.mark.django_db
def test_a_role_that_sees_every_country_but_not_statistics_gets_no_tallies(
    erin, dave, records, monkeypatch
):
    assert counted(freshness.dashboard(dave, CaseFilter())["flags"])["all"][0] > 0
    # Should a role ever see every country without the right to statistics (an
    # administrator here), the tallies must not reach it.
    monkeypatch.setattr(permissions, "ALL_COUNTRY_ROLES", {Role.ADMINISTRATOR, Role.ANALYST})
    assert permissions.country_scope(erin) is None
    assert not freshness.whole_desk(erin, CaseFilter())
    flags = counted(freshness.dashboard(erin, CaseFilter())["flags"])
    assert flags.get("all", (0, 0, 0)) == (0, 0, 0)


def test_updates_are_noted_for_every_column_the_statistics_read():
    """triggers.COUNTED against what tally.act_buckets reads: a column left out would
    let an update change a count unnoted."""
    from vigil.cases.models import FOCUS_GROUP_FIELDS, VICTIM_CATEGORY_FIELDS

    tables = {"": "cases_act", "incident": "cases_incident", "victim": "cases_defender"}
    read = set()
    for path in tally._ACT_COLUMNS:
        *relation, column = path.split("__")
        if column != "pk":
            read.add((tables["__".join(relation)], column))
    read |= {
        ("cases_defender", f)
        for f in [*VICTIM_CATEGORY_FIELDS.values(), *FOCUS_GROUP_FIELDS.values()]
    }
    read |= {("cases_act", "incident_id"), ("cases_act", "victim_id"), ("cases_defender", "kind")}
    read |= {("cases_perpetrator", "category"), ("cases_perpetrator", "act_id")}
    noted = {(table, column) for table, columns in triggers.COUNTED.items() for column in columns}
    assert read <= noted, read - noted
