"""Writing many new rows at once, for imports, at the database's own speed.

`insert` writes model instances: each field prepared exactly as Django prepares it
for `save()` (encrypted fields sealed, JSON and dates converted, `auto_now_add`
filled), except the plain columns whose values Django would pass on unchanged. On
PostgreSQL the rows go through `COPY`, with their ids reserved first from the
table's sequence, so every object knows its id before it is written (an audit entry
or a link can name it in the same batch); SQLite, in the same process, takes
Django's `bulk_create`, which returns the ids itself.

`rows` writes plain values into named columns (links, index entries, audit
entries), the ids left to the database.

Nothing here checks anything: the caller validates each object as its service would
(`full_clean` and the service's own rules) before handing it over. Signals are not
sent, exactly as with `bulk_create`.
"""

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

# Fields whose database value is the Python value itself once `full_clean` has
# converted it (Django's own preparation returns it unchanged on both databases).
# Exact classes: a subclass (an encrypted text field) may prepare its value.
_PLAIN = frozenset(
    {
        models.AutoField,
        models.BigAutoField,
        models.BigIntegerField,
        models.BooleanField,
        models.CharField,
        models.DateField,
        models.ForeignKey,
        models.IntegerField,
        models.PositiveBigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.SmallIntegerField,
        models.TextField,
    }
)


@cache
def _plan(model: type[models.Model]) -> tuple[tuple[models.Field, bool, bool], ...]:
    """Each concrete field, whether it needs Django's preparation, and whether its
    `pre_save` does more than read the attribute (auto_now, auto_now_add)."""
    plan = []
    for field in model._meta.concrete_fields:
        stamped = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        plan.append((field, type(field) not in _PLAIN, stamped))
    return tuple(plan)


def insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Write `objects` (new, unsaved instances of `model`) and set their ids."""
    if not objects:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=500)
        return
    meta = model._meta
    plan = _plan(model)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(quote(field.column) for field, _prep, _stamp in plan)
        with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                values = []
                for field, prepare, stamped in plan:
                    value = field.pre_save(obj, True) if stamped else getattr(obj, field.attname)
                    values.append(field.get_db_prep_save(value, connection) if prepare else value)
                copy.write_row(values)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS


def rows(
    model: type[models.Model], columns: Sequence[str], values: Iterable[Sequence[Any]]
) -> None:
    """Write rows of Python values into `columns` of `model`'s table (each prepared
    as its field prepares it, where that does anything); the database numbers them."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(c) for c in columns]
    everything = connection.vendor != "postgresql"  # SQLite: dates and times as text
    prepare = [everything or type(f) not in _PLAIN for f in fields]

    def prepared(row: Sequence[Any]) -> list[Any]:
        return [
            f.get_db_prep_save(v, connection) if p else v
            for f, p, v in zip(fields, prepare, row, strict=True)
        ]

    table = quote(meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(prepared(row))
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - the model's names
                [prepared(row) for row in values],
            )
