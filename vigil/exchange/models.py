from django.db import models


class ExternalRef(models.Model):
    """The external id a record was imported (or exported) under, so that the same
    row imported again finds its record instead of making a second one."""

    kind = models.CharField(max_length=20)  # defenders, incidents, acts, sources
    external_id = models.CharField(max_length=200)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "external_id"], name="one_record_per_external_id"
            ),
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} → #{self.object_id}"
