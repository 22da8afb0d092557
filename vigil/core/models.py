from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("The audit trail is append-only.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """One link of the hash-chained audit trail; see `vigil.core.audit`.

    Entries say who did what to which record and which fields changed, never the
    values: the trail is read by auditors who must not learn a defender's name
    from it. Written only through `audit.record()`; never changed or removed
    (the model, its queryset and a database trigger refuse it).
    """

    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    at = models.DateTimeField(_("time"))
    actor_id = models.PositiveBigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    fields = models.JSONField(_("changed fields"), default=list, blank=True)
    prev_hash = models.CharField(_("previous entry's hash"), max_length=64, unique=True)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)
    # The id of the audit key whose HMAC `entry_hash` is; NULL for an entry hashed
    # with plain SHA-256 before the trail was keyed (see core/audit.py). Nullable,
    # not blank: adding a column with a default rebuilds the table on SQLite, which
    # would drop the append-only trigger.
    key_id = models.CharField(  # noqa: DJ001
        _("audit key id"), max_length=16, null=True, blank=True, editable=False
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # An integrity guard, not domain logic: an existing entry is never rewritten.
        if not self._state.adding:
            raise AppendOnlyError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("The audit trail is append-only.")


class DemoDataset(models.Model):
    """Marks a demo dataset as loaded, so that `loaddemo` never adds it twice."""

    name = models.CharField(max_length=100, unique=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
