"""Operations that migrations share.

A column that turns from plain text into an `EncryptedTextField` needs its existing
values sealed in the same migration, or reading them would fail. The values are
read and written with plain SQL (the historical model would try to decrypt them);
`vigil.vault.encryption` is imported because sealing is the whole point, and its
interface is kept stable for that reason.
"""

from collections.abc import Callable
from typing import Any


def seal_existing(app_label: str, model_name: str, *columns: str) -> Callable[[Any, Any], None]:
    """A RunPython function that encrypts the plain values in `columns`."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        from vigil.vault import encryption

        model = apps.get_model(app_label, model_name)
        connection = schema_editor.connection
        quote = connection.ops.quote_name
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        where = {c: f"{model._meta.db_table}.{c}" for c in columns}
        names = ", ".join(quote(c) for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {names} FROM {table}")  # noqa: S608
            rows = cursor.fetchall()
            for key, *values in rows:
                sealed = {
                    column: encryption.encrypt(value, where=where[column])
                    for column, value in zip(columns, values, strict=True)
                    if value and not encryption.readable(value.encode(), where=where[column])
                }
                if sealed:
                    sets = ", ".join(f"{quote(c)} = %s" for c in sealed)
                    cursor.execute(
                        f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                        [*sealed.values(), key],
                    )

    return forwards
