"""The dashboard's counts over every record, kept exact as the records change
(tally.py): which records changed since the last settling (`Change`, written by
database triggers), which buckets each act, victim and case is in (`Membership`), and
the counts per bucket (`Tally`). All three are derived from the case records and
made again from them: backups leave them out."""

from typing import Any

from django.db import models


class RandomMark(models.Func):
    """A random whole number below 2**31, drawn by the database (a column's default):
    small enough that SQLite adds up billions of them without overflowing."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        if connection.vendor == "postgresql":
            return "(floor(random() * 2147483648))::bigint", []
        return "(random() & 2147483647)", []


class Change(models.Model):
    """A record that changed since the counts were last settled: written by the
    database's own triggers (migration 0004), so that no write can bypass it."""

    # a: an act (its buckets, its victim's, its cases'); v: a defender (every act
    # against them); i: an incident (every act of it, and its cases); k: an incident
    # whose cases must be counted again; c: a case (its links to incidents changed).
    kind = models.CharField(max_length=1)
    entity = models.BigIntegerField()
    # Drawn by the database as the change is noted; the sum of every change's mark is
    # part of the records' version (tally.version), so that a database gone back (a
    # restore, a failover) does not repeat a version the cache holds.
    mark = models.BigIntegerField(db_default=RandomMark())

    def __str__(self) -> str:
        return f"{self.kind} {self.entity}"


class Membership(models.Model):
    """The buckets ("dimension:key", space-separated) one act, victim or case is in."""

    kind = models.CharField(max_length=1)  # a, v or c
    entity = models.BigIntegerField()
    buckets = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "entity"], name="one_membership_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.entity}"


class Tally(models.Model):
    """How many acts, victims and cases are in one bucket of one breakdown (or, for
    the `sdg` dimension, one cell of a year's 16.10.1 table: its victims are the
    table's cases)."""

    dimension = models.CharField(max_length=30)
    bucket = models.CharField(max_length=80)
    acts = models.BigIntegerField(default=0)
    victims = models.BigIntegerField(default=0)
    cases = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dimension", "bucket"], name="one_tally_per_bucket")
        ]

    def __str__(self) -> str:
        return f"{self.dimension}:{self.bucket}"


class Settled(models.Model):
    """One row: how many changes have been settled into the tallies since `epoch`
    began, and when the last settling ended. With the changes still waiting, the
    number is a version of the records the statistics count (freshness.py): every
    committed change adds one, and nothing takes one away. A restore empties this
    table, and the next settling begins a new epoch, so no version repeats."""

    epoch = models.CharField(max_length=32)
    changes = models.BigIntegerField(default=0)
    marks = models.BigIntegerField(default=0)  # the sum of the settled changes' marks
    at = models.DateTimeField(null=True)
    # The minimum of sources the 16.10.1 cells were counted with (SDG_MIN_SOURCES):
    # when the setting changes, they are made again (tally.py).
    sdg_minimum = models.PositiveSmallIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.epoch} {self.changes}"
