"""Key rotation: every encrypted value and stored file re-sealed under the newest
key in `VIGIL_ENCRYPTION_KEYS` (`python manage.py rotate_keys`). Values sealed
in the old Fernet format, which carried their encryption time, are re-sealed in the
current format whatever key they are under.

The procedure (README, "Production deployment", and docs/threat-model.md): put a new
key first in the list, keeping the old ones after it; restart; run `rotate_keys`;
when it reports nothing left under an old key, remove that key and restart again.

Resumable by construction: a value already sealed under the newest key is
recognised (its header names that key's id) and skipped, so a run that was
stopped, crashed or lost its database connection is simply run again. Each batch of
rows is one transaction, and a row is rewritten only if its ciphertext is still the
one read (a value saved meanwhile by the desk is already under the newest key).
The blind-index key is one of these values (`vault.WrappedKey`), so indexes keep
working throughout.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, models, transaction

from vigil.vault import encryption, files
from vigil.vault.fields import EncryptedTextField

BATCH = 500


@dataclass
class Rotation:
    values: int = 0  # encrypted values re-sealed
    files: int = 0  # stored files re-sealed
    current: int = 0  # values and files that already were under the newest key
    # What no configured key opens: "table #id column" and "file NAME" (ids and the
    # store's random names only, never a value). Left as it is, and reported.
    unreadable: list[str] = field(default_factory=list)


def encrypted_columns() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Each concrete model with encrypted fields, and their column names."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            field.column
            for field in model._meta.local_fields
            if isinstance(field, EncryptedTextField)
        ]
        if columns:
            yield model, columns


def work() -> int:
    """How many rows and files a rotation looks at (for the progress bar)."""
    rows = sum(model._base_manager.count() for model, _ in encrypted_columns())
    return rows + len(files.names())


def rotate(advance: Callable[[int], None] = lambda n: None) -> Rotation:
    outcome = Rotation()
    for model, columns in encrypted_columns():
        _rotate_table(model, columns, outcome, advance)
    for name in files.names():
        try:
            resealed = files.reseal(name)
        except encryption.DecryptionError:
            outcome.unreadable.append(f"file {name}")
        else:
            outcome.files += resealed
            outcome.current += not resealed
        advance(1)
    encryption.reset_caches()
    return outcome


def leftover() -> int:
    """How many values and files are still under an older key (or under none): read
    again after a rotation, so that "nothing is left" is a fact, not a hope. A value
    saved by a process still running with the old key list while the rotation ran
    would be one; running `rotate_keys` again (after restarting it) takes it in."""
    quote = connection.ops.quote_name
    count = 0
    for model, columns in encrypted_columns():
        table = quote(model._meta.db_table)
        select = f"SELECT {', '.join(quote(c) for c in columns)} FROM {table}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(select)
            while rows := cursor.fetchmany(BATCH):
                count += sum(
                    1 for row in rows for v in row if v and not encryption.is_current(v.encode())
                )
    for name in files.names():
        try:
            with files.open_sealed(name) as sealed:
                token = sealed.read()
        except FileNotFoundError:
            continue
        count += not encryption.is_current(token)
    return count


def _rotate_table(
    model: type[models.Model], columns: list[str], outcome: Rotation, advance: Callable
) -> None:
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    # Table and column names come from the models, values are bound parameters.
    select = (
        f"SELECT {pk}, {', '.join(quote(c) for c in columns)} FROM {table} "  # noqa: S608
        f"WHERE {pk} > %s ORDER BY {pk} LIMIT {BATCH}"
    )
    last = None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            if last is None:
                cursor.execute(select.replace(f"WHERE {pk} > %s ", ""))
            else:
                cursor.execute(select, [last])
            rows = cursor.fetchall()
            for key, *values in rows:
                changes = {}
                for column, value in zip(columns, values, strict=True):
                    if not value:
                        continue
                    token = value.encode()
                    if encryption.is_current(token):
                        outcome.current += 1
                        continue
                    try:
                        changes[column] = (
                            value,
                            encryption.reseal(
                                token, where=f"{model._meta.db_table}.{column}"
                            ).decode(),
                        )
                    except encryption.DecryptionError:
                        outcome.unreadable.append(f"{model._meta.db_table} #{key} {column}")
                if changes:
                    sets = ", ".join(f"{quote(c)} = %s" for c in changes)
                    guards = " AND ".join(f"{quote(c)} = %s" for c in changes)
                    cursor.execute(
                        f"UPDATE {table} SET {sets} WHERE {pk} = %s AND {guards}",  # noqa: S608
                        [new for _, new in changes.values()]
                        + [key]
                        + [old for old, _ in changes.values()],
                    )
                    if cursor.rowcount:
                        outcome.values += len(changes)
            advance(len(rows))
        if len(rows) < BATCH:
            return
        last = rows[-1][0]
