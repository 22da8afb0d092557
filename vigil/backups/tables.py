"""The database side of a backup: which tables are walked, in what order, and each
row to and from the archive's JSON records.

**The database as Django sees it, not as one engine stores it**, so that a backup made
on SQLite restores onto PostgreSQL and back. Every concrete model of every installed
app, found through the app registry, in an order that loads (a table after those it
refers to); per table its columns and rows, each value as Django's own serializers
would write it (a field's `value_to_string`, read back with `to_python`), except
datetimes, which keep their microseconds (the audit trail's hashes cover them;
`dumpdata`'s JSON encoder cuts them to milliseconds). Rows are read and written through
the database cursor, not model `save()`, so no signal fires and the append-only audit
model is not asked to change.

**Encrypted columns travel as the ciphertext they are stored as.** Reading them
through the ORM would decrypt them (`EncryptedTextField.from_db_value`), so they are
selected as `Cast(column, TextField())`, which has no decrypting converter, and
inserted again as the same string: nothing is decrypted, nothing re-encrypted, and no
name is ever plain text in memory.

**Not carried**: content types and permissions, which `migrate` makes in every
installation (possibly with other ids: references to them, in the admin log and in
users' and groups' permissions, travel by natural key and are looked up in the
installation restored into), sessions (everyone signs in again), and the statistics'
tallies, made again from the restored records (stats/tally.py).

**Auto-increment counters** are read at the backup and, after a restore has loaded,
reset (`connection.ops.sequence_reset_sql`) and raised to where the source's stood when
that was higher, so no id is ever handed out twice (the audit trail names records by
id).
"""

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from vigil.backups.archive import ArchiveDamaged
from vigil.vault import encryption
from vigil.vault.fields import EncryptedTextField

BATCH = 1000  # rows in one database part

# Content types and permissions are made by `migrate` in every installation, so never
# carried (references to them travel by natural key); sessions are left behind, and
# everyone signs in again.
SKIPPED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# The statistics' tallies are derived from the case records and made again from them:
# the triggers note every restored act (stats/tally.py), and the first settling counts.
DERIVED = ["Change", "Membership", "Tally", "Settled"]
SKIPPED |= {f"stats.{name.lower()}" for name in DERIVED}
BY_NATURAL_KEY = {"contenttypes.contenttype", "auth.permission"}
# Filled by a migration, so present in an empty installation: replaced, not refused.
MADE_BY_MIGRATE = {"vault.wrappedkey"}


def backed_up_models() -> list[type[models.Model]]:
    """Every table Vigil keeps, a table after the ones it refers to. Cycles (a table
    referring to itself or to a later one) do not matter for loading: foreign keys
    are deferred to the commit on both PostgreSQL and SQLite."""
    candidates = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in SKIPPED
    ]
    pending, placed, ordered = list(candidates), set(), []
    while pending:
        ready = [
            model
            for model in pending
            if all(
                target in placed or target is model or target not in candidates
                for target in _targets(model)
            )
        ]
        if not ready:  # a cycle: the rest in their plain order
            ready = pending[:1]
        for model in ready:
            pending.remove(model)
            placed.add(model)
            ordered.append(model)
    return ordered


def _targets(model: type[models.Model]) -> set[type[models.Model]]:
    return {f.related_model for f in model._meta.local_concrete_fields if f.is_relation}


def _natural(field: models.Field) -> str | None:
    """The label of the model a field refers to by natural key, if it does."""
    if field.is_relation and field.related_model._meta.label_lower in BY_NATURAL_KEY:
        return field.related_model._meta.label_lower
    return None


def backed_up_tables() -> list["Table"]:
    """`backed_up_models()`, each as the table it is walked as."""
    return [Table(model) for model in backed_up_models()]


class Table:
    """One model's table: its columns, and its rows as JSON values and back."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.label = model._meta.label_lower
        self.fields = [
            f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)
        ]
        self.columns = [f.attname for f in self.fields]
        self.encrypted = [isinstance(f, EncryptedTextField) for f in self.fields]
        self.counted = isinstance(model._meta.pk, models.AutoField)

    def batches(self, keys: dict[str, dict[Any, list]]) -> Iterator[list[list[Any]]]:
        """The rows in id order, in lists of at most BATCH, as JSON values; `keys`
        are `natural_keys()`."""
        # The Cast has no decrypting converter: the ciphertext comes out as stored.
        selected = [
            Cast(f.attname, output_field=models.TextField()) if encrypted else f.attname
            for f, encrypted in zip(self.fields, self.encrypted, strict=True)
        ]
        rows = self.model._base_manager.order_by("pk").values_list(*selected)
        batch: list[list[Any]] = []
        for row in rows.iterator(chunk_size=BATCH):
            batch.append(
                [self._encode(f, value, keys) for f, value in zip(self.fields, row, strict=True)]
            )
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def _encode(self, field: models.Field, value: Any, keys: dict[str, dict[Any, list]]) -> Any:
        if value is None or isinstance(field, EncryptedTextField):
            return value
        if target := _natural(field):
            return keys[target][value]
        if isinstance(field, models.JSONField) or isinstance(value, str | int | float):
            return value
        # Dates and times (with their microseconds), decimals, UUIDs, bytes: as
        # Django's serializers write them.
        return field.value_to_string(SimpleNamespace(**{field.attname: value}))

    def insert(
        self, columns: list[str], rows: list[list[Any]], lookup: Callable[[str, Any], int]
    ) -> list[str]:
        """Insert `rows` (values for `columns`, which are this table's) as they are;
        `lookup(label, natural key)` gives this installation's id of a content type or
        permission. Returns the places of encrypted values that no configured key
        opens."""
        by_name = {f.attname: f for f in self.fields}
        fields = [by_name[c] for c in columns]
        pk_at = columns.index(self.model._meta.pk.attname)
        unreadable = []
        params = []
        for row in rows:
            if not isinstance(row, list) or len(row) != len(fields):
                raise ArchiveDamaged(_("The backup's records are malformed."))
            values = []
            for f, value in zip(fields, row, strict=True):
                if isinstance(f, EncryptedTextField):
                    if value is not None and not isinstance(value, str):
                        raise ArchiveDamaged(_("The backup's records are malformed."))
                    if value and not encryption.readable(value.encode(), where=f.where()):
                        unreadable.append(f"{self.model._meta.db_table} #{row[pk_at]} {f.column}")
                    values.append(value)
                elif value is None:
                    values.append(None)
                elif target := _natural(f):
                    values.append(lookup(target, value))
                else:
                    values.append(f.get_db_prep_save(f.to_python(value), connection))
            params.append(values)
        quote = connection.ops.quote_name
        # Table and column names come from the models; values are bound parameters.
        sql = (
            f"INSERT INTO {quote(self.model._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        return unreadable


def natural_keys() -> dict[str, dict[Any, list]]:
    """For each model referred to by natural key: id -> natural key."""
    return {
        label: {
            obj.pk: list(obj.natural_key())
            for obj in apps.get_model(label)._base_manager.select_related()
        }
        for label in BY_NATURAL_KEY
    }


def applied_migrations() -> set[tuple[str, str]]:
    """The migrations applied to this database, as (app, name)."""
    return set(MigrationRecorder(connection).applied_migrations())


def flush(tables: list[Table]) -> None:
    """Empty every table the backup fills (and the sessions: everyone signs in again).
    PostgreSQL truncates, which the audit trail's row trigger does not see; SQLite's
    trigger refuses only updates."""
    from django.contrib.sessions.models import Session

    names = [t.model._meta.db_table for t in tables] + [Session._meta.db_table]
    # The statistics' tallies go too: PostgreSQL's truncation fires no trigger, so
    # they would go on counting what was here; the restored acts are noted as they
    # load, and the first settling counts them (stats/tally.py).
    names += [apps.get_model("stats", name)._meta.db_table for name in DERIVED]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still pending from
            # earlier in the transaction: run them now, then defer again for loading.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in connection.ops.sql_flush(no_style(), names):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# --- Auto-increment counters --------------------------------------------------------


def read_counters(tables: list[Table]) -> dict[str, int]:
    """The last id each table's counter handed out (0: none yet)."""
    counters = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            if not table.counted:
                continue
            name, column = table.model._meta.db_table, table.model._meta.pk.column
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(name), column])
                (sequence,) = cursor.fetchone()
                if sequence is None:
                    continue
                # The sequence's name comes from PostgreSQL itself.
                cursor.execute(
                    f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}"  # noqa: S608
                )
                counters[table.label] = cursor.fetchone()[0]
            elif connection.vendor == "sqlite":
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [name])
                row = cursor.fetchone()
                counters[table.label] = row[0] if row else 0
    return counters


def set_counters(tables: list[Table], counters: dict[str, int]) -> None:
    """Each counter at the highest id loaded, or where the source's stood if that was
    higher (records deleted at the end of a table must not have their ids reused)."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables]):
            cursor.execute(statement)
        quote = connection.ops.quote_name
        for table in tables:
            if not table.counted:
                continue
            name, column = table.model._meta.db_table, table.model._meta.pk.column
            top = table.model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0
            used = max(int(counters.get(table.label, 0)), top)
            if connection.vendor == "postgresql" and used > top:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, true)",
                    [quote(name), column, used],
                )
            elif connection.vendor == "sqlite":
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [used, name])
                if not cursor.rowcount and used:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [name, used]
                    )
