"""What the vault keeps in the database: keys of its own, wrapped under the
encryption keys, and the keyed word hashes of the search index. Both tables were
made by `core` and keep their names (the seals of wrapped keys are bound to them)."""

from django.db import models

from vigil.vault.fields import EncryptedTextField


class SearchEntry(models.Model):
    """The keyed word hashes of one record, for full-text search (see vault/search.py).

    PostgreSQL indexes `tokens` with GIN, SQLite with an FTS5 table kept in step by
    triggers; both were made by core's migration 0004, when the table was core's.
    """

    kind = models.CharField(max_length=50)
    object_id = models.PositiveBigIntegerField()
    tokens = models.TextField()

    class Meta:
        db_table = "core_searchentry"  # made by core; the search SQL names it
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_search_entry")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id}"


class WrappedKey(models.Model):
    """A key of Vigil's own, kept in the database encrypted under the encryption keys
    ("wrapped"). The blind-index key lives here: it must outlive every rotation of
    the encryption keys, or no name already indexed could be found again. Someone
    with the database but not the keys reads only a sealed value; `rotate_keys`
    re-wraps it under the newest key like every other encrypted value."""

    purpose = models.CharField(max_length=50, unique=True)
    key = EncryptedTextField()  # 32 random bytes, URL-safe base64

    class Meta:
        db_table = "core_wrappedkey"  # made by core; its seals name this table

    def __str__(self) -> str:
        return self.purpose
