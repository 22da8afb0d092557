"""An outsider's attack on the statistics' triggers, version and stale reading
(triggers.py, tally.py, freshness.py), kept as regression tests: each hole it found
is closed, and the last tests show what was tried and held.

What it found: the version repeated a value for other records after a restore or a
database gone back under a cache that did not; a reader settled more than its share
when an import committed meanwhile, and one noted change of a victim made it count
every act of theirs; two `ensure()` at once failed; a disabled trigger counted as
present, and TRUNCATE went unnoted; SQLite refused migrations remaking a table a
trigger names; and writes the statistics never count changed the version.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, models, transaction
from django.urls import reverse

from vigil.api import tokens
from vigil.cases.models import Act, Case, Defender, Incident, Source
from vigil.cases.selectors import CaseFilter
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import ViolationType
from vigil.stats import freshness, public, tally, triggers
from vigil.stats.counting import COUNTERS, labelled
from vigil.stats.models import Change
from vigil.stats.tests.builders import counted


def every():
    return {t.name for t in triggers.for_vendor(connection.vendor)}


def slow(name, **where):
    """A breakdown counted from the acts themselves, as COUNTERS counts it."""
    return counted(labelled(name, COUNTERS[name](Act.objects.filter(**where))))


def version_changed_by(write):
    before = freshness.data_version()
    write()
    return freshness.data_version() != before


# --- The version repeats a value for other records -----------------------------------


def _backup(folder, name):
    folder.mkdir(exist_ok=True)
    call_command("backup", str(folder / name), stdout=StringIO(), stderr=StringIO())
    return folder / name


def _restore(archive):
    call_command("restore", str(archive), "--replace", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_restoring_another_backup_never_repeats_the_version_of_the_first(
    carol, dave, records, settings, tmp_path, monkeypatch
):
    """Two backups of the same shape (one act's violation edited between them): each
    restore notes as many changes while loading, and `stats_settled` is emptied by
    both, so both versions read "new:N". The counts cached for the first restore are
    then served for the second, and so is the public release (cached for a day)."""
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setattr(freshness, "COUNT_NOW_BELOW", 0)  # the cached way, as at scale
    colombia = CaseFilter(country="COL")
    first = _backup(tmp_path / "out", "first.backup")
    Act.objects.filter(violation=ViolationType.KILLING).update(violation=ViolationType.TORTURE)
    second = _backup(tmp_path / "out", "second.backup")

    _restore(first)
    version_first, release_first = freshness.data_version(), public._version()
    counted(freshness.breakdown(dave, colombia, "violation"))  # cached under it
    tally.settle()  # the minute's settling in between changes nothing below
    _restore(second)
    assert freshness.data_version() != version_first
    assert public._version() != release_first
    assert counted(freshness.breakdown(dave, colombia, "violation")) == slow(
        "violation", incident__country="COL"
    )


@pytest.mark.django_db
def test_a_database_gone_back_never_repeats_a_version_the_cache_holds(
    carol, dave, records, monkeypatch
):
    """The database goes back (a failover to an asynchronous replica that lacked the
    last commits, a point-in-time recovery) and the shared statistics cache does not.
    The next writes count up to the same number of changes in the same epoch, so the
    counts cached for the lost records are served for other ones."""
    monkeypatch.setattr(freshness, "COUNT_NOW_BELOW", 0)
    colombia = CaseFilter(country="COL")
    tally.settle()
    killing = Act.objects.get(violation=ViolationType.KILLING)
    point = transaction.savepoint()  # what the database goes back to
    Act.objects.filter(pk=killing.pk).update(violation=ViolationType.TORTURE)  # lost
    lost = freshness.data_version()
    counted(freshness.breakdown(dave, colombia, "violation"))  # cached under it
    transaction.savepoint_rollback(point)
    Act.objects.filter(pk=killing.pk).update(violation=ViolationType.ENFORCED_DISAPPEARANCE)
    assert freshness.data_version() != lost
    assert counted(freshness.breakdown(dave, colombia, "violation")) == slow(
        "violation", incident__country="COL"
    )


# --- A reader settles more than it may ----------------------------------------------


@pytest.mark.django_db
def test_a_reader_settles_no_more_than_its_share_when_an_import_commits_meanwhile(
    carol, records, monkeypatch
):
    """The backlog is counted before the settling's lock is taken, and `_settle_all`
    then settles every change it finds, round after round: an import that commits
    between the two is settled in the reader's request, however large."""
    tally.settle()
    monkeypatch.setattr(tally, "SETTLE_IN_REQUEST", 1)
    case = Case.objects.first()
    Case.objects.filter(pk=case.pk).update(status="closed")  # one change: the reader's share
    counted_backlog = tally.backlog

    def an_import_commits_right_after_the_count(limit):
        waiting = counted_backlog(limit)
        Act.objects.update(reprisal=True)  # many changes, noted by the triggers
        return waiting

    monkeypatch.setattr(tally, "backlog", an_import_commits_right_after_the_count)
    settled = tally.settle(wait=False)
    assert settled is None or settled <= tally.SETTLE_IN_REQUEST


@pytest.mark.django_db
def test_one_noted_change_does_not_make_a_reader_count_every_act_of_a_defender(
    carol, records, monkeypatch
):
    """SETTLE_IN_REQUEST bounds the changes, not the work: one change of a defender
    (any column: their contact details) or of an incident stands for every act of
    theirs, and the reader recounts them all in its request (a community or a
    placeholder victim of thousands of acts)."""
    victim = records["a"]
    for _n in range(8):
        make.act(carol, incident=records["i4"], victim=victim, violation=ViolationType.THREATS)
    tally.settle()
    recounted = []
    real = tally.act_buckets

    def spy(ids):
        ids = list(ids)
        recounted.extend(ids)
        return real(ids)

    monkeypatch.setattr(tally, "act_buckets", spy)
    Defender.objects.filter(pk=victim.pk).update(consent_share_state=True)
    # The reader's share: the changes this one write noted (one or two, old and new).
    monkeypatch.setattr(tally, "SETTLE_IN_REQUEST", Change.objects.count())
    tally.current()
    assert len(recounted) <= tally.SETTLE_IN_REQUEST


# --- Triggers put back ---------------------------------------------------------------


def _drop(name):
    trigger = next(t for t in triggers.for_vendor(connection.vendor) if t.name == name)
    on = f" ON {trigger.table}" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {name}{on}")


@pytest.mark.django_db
def test_two_ensures_at_once_do_not_fail(carol, records, monkeypatch):
    """`migrate`'s post_migrate and the minute's task may run `ensure()` together
    (SQLite drops the triggers when a migration remakes a table; the task runs every
    minute on the scheduling host). Each reads what is missing before its
    transaction; the one that comes second creates a trigger that is already there,
    and fails: `migrate` ends in an error, or the minute's settling does not run."""
    _drop("stats_note_cases_perpetrator_insert")
    read_before_the_other_committed = triggers.present(connection)
    assert triggers.ensure(connection)  # the other one puts it back first
    monkeypatch.setattr(triggers, "present", lambda _c: read_before_the_other_committed)
    triggers.ensure(connection)  # this one goes on with what it read


@pytest.mark.django_db
def test_a_disabled_trigger_is_not_taken_for_one_in_place(carol, records):
    """PostgreSQL: a trigger disabled (ALTER TABLE ... DISABLE TRIGGER, by hand or by
    a bulk-loading tool that did not finish) is still in pg_trigger; `present()` reads
    only names, so `ensure()` leaves it off and the version stops following writes."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no disabled triggers")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's pending checks first
        cursor.execute("ALTER TABLE cases_act DISABLE TRIGGER stats_note_cases_act_update")
    triggers.ensure(connection)
    assert version_changed_by(
        lambda: Act.objects.filter(violation=ViolationType.KILLING).update(
            violation=ViolationType.TORTURE
        )
    )


@pytest.mark.django_db
def test_emptying_a_table_the_statistics_count_changes_the_version(carol, records):
    """Writes are noted "however they are written" (docs/statistics.md), but
    PostgreSQL's TRUNCATE fires no INSERT, UPDATE or DELETE trigger (it needs one ON
    TRUNCATE): perpetrators emptied by hand leave the version, the cached counts and
    the tallies as they were. (SQLite has no TRUNCATE: its DELETE fires the row
    triggers, and this test holds there.)"""
    tally.settle()
    emptying = (
        "TRUNCATE cases_perpetrator"
        if connection.vendor == "postgresql"
        else "DELETE FROM cases_perpetrator"
    )

    def empty():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's pending checks
            cursor.execute(emptying)

    assert version_changed_by(empty)
    assert tally.counts()["perpetrator"] == {}


@pytest.mark.django_db(transaction=True)
def test_a_migration_that_alters_the_changes_table_runs_on_sqlite(carol, records):
    """On SQLite, altering a field remakes the table (a new table, the old dropped,
    the new renamed). Every trigger inserts into stats_change, and SQLite refuses the
    rename while a trigger names a table that is not there: "error in trigger
    stats_note_cases_act_insert: no such table: main.stats_change". Any future
    migration of Change fails on the embedded database."""
    migrating()  # as `migrate` does before it runs a migration
    old = Change._meta.get_field("kind")
    new = models.CharField(max_length=2)
    new.set_attributes_from_name("kind")
    new.model = Change
    try:
        with connection.schema_editor() as editor:
            editor.alter_field(Change, old, new)
    finally:
        if connection.vendor == "postgresql":
            with connection.schema_editor() as editor:
                editor.alter_field(Change, new, old)
    call_command("migrate", verbosity=0)
    assert triggers.present(connection) == every()


@pytest.mark.django_db(transaction=True)
def test_a_migration_that_remakes_the_links_of_acts_to_sources_runs_on_sqlite(carol, records):
    """The same for cases_act_sources, which the trigger on cases_source reads:
    "error in trigger stats_note_cases_source_update: no such table:
    main.cases_act_sources"."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL alters a table in place")
    migrating()
    with connection.schema_editor() as editor:
        editor._remake_table(Act.sources.through)
    call_command("migrate", verbosity=0)
    assert triggers.present(connection) == every()


def migrating():
    """What `migrate` signals before it runs a plan of migrations."""
    from django.core.management.sql import emit_pre_migrate_signal
    from django.db.migrations.loader import MigrationLoader

    latest = MigrationLoader(connection).get_migration("stats", "0005_settled")
    emit_pre_migrate_signal(0, False, connection.alias, plan=[(latest, False)])


# --- The version changes with what the statistics never count ------------------------


@pytest.mark.django_db
def test_the_version_stays_when_only_what_the_statistics_never_count_changes(carol, records):
    """docs/statistics.md: "any write the statistics count changes it, and nothing
    else does". The triggers on acts, incidents and defenders fire on every column:
    an edit of an incident's narrative, a defender's contact details or consent, an
    act's rights or charges makes every cached count and the public release be
    counted (and audited) again, and the next reader recount every act concerned."""
    act = Act.objects.get(violation=ViolationType.KILLING)
    tally.settle()
    assert not version_changed_by(lambda: Incident.objects.filter(pk=act.incident_id).update(
        online=True
    ))  # fmt: skip
    assert not version_changed_by(lambda: Defender.objects.filter(pk=act.victim_id).update(
        consent_publish=True
    ))  # fmt: skip
    assert not version_changed_by(lambda: Act.objects.filter(pk=act.pk).update(
        rights_affected=["life"]
    ))  # fmt: skip


# --- Tried, and held ------------------------------------------------------------------


@pytest.mark.django_db
def test_held_deletions_and_cascades_and_verification_change_the_version(carol, records):
    act = Act.objects.get(violation=ViolationType.KILLING)
    source = make.source(carol, incident=act.incident, acts=[act])
    tally.settle()
    assert version_changed_by(lambda: Act.objects.filter(pk=act.pk).update(independent_sources=2))
    assert version_changed_by(lambda: Act.objects.filter(pk=act.pk).update(verification="verified"))
    assert version_changed_by(lambda: Source.objects.filter(pk=source.pk).delete())
    assert version_changed_by(lambda: Case.objects.filter(country="KEN").delete())  # K2's link
    raid = Act.objects.get(violation=ViolationType.RAID)
    assert version_changed_by(lambda: Incident.objects.filter(pk=raid.incident_id).delete())
    assert tally.counts() == {name: count(Act.objects.all()) for name, count in COUNTERS.items()}


@pytest.mark.django_db(transaction=True)
def test_held_migrating_the_tallies_back_and_forth(carol, records):
    tally.settle()
    before = freshness.data_version()
    call_command("migrate", "stats", "0003", verbosity=0)  # post_migrate: no stats_change
    assert triggers.present(connection) == set()
    Act.objects.filter(violation=ViolationType.KILLING).update(violation=ViolationType.TORTURE)
    call_command("migrate", "stats", "0004", verbosity=0)
    assert triggers.present(connection) == every()
    call_command("migrate", verbosity=0)
    assert freshness.data_version() != before
    assert tally.counts() == {name: count(Act.objects.all()) for name, count in COUNTERS.items()}


@pytest.mark.django_db
def test_held_no_whole_desk_tallies_for_an_officer_or_without_the_right(
    client, alice, erin, records
):
    tally.settle()
    assert not freshness.whole_desk(alice, CaseFilter())
    _token, plaintext = tokens.issue(actor=None, user=alice, name="t", scopes=["read:stats"])
    answer = client.get(
        "/api/v1/statistics/breakdowns/country", HTTP_AUTHORIZATION=f"Bearer {plaintext}"
    ).json()
    assert {b["key"] for b in answer["buckets"] if b["acts"]} <= set(alice.countries)
    client.force_login(erin)
    assert client.get(reverse("stats:dashboard")).status_code == 404
