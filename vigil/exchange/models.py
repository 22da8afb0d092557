import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigil.vault.fields import EncryptedTextField


class ExternalRef(models.Model):
    """The external id a record was imported (or exported) under, so that the same
    row imported again finds its record instead of making a second one.

    An id is looked up only among the records the importer may open (importer.py):
    two desks may each have a record under the same id (two partners' "d1", or an id
    a desk imported that another desk's record was exported under), and neither
    import reaches the other's. Someone who may open both is told the id is
    ambiguous, never given one of them."""

    kind = models.CharField(max_length=20)  # defenders, incidents, acts, sources
    external_id = models.CharField(max_length=200)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "external_id", "object_id"], name="external_id_once_per_record"
            ),
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} → #{self.object_id}"


class ImportJob(models.Model):
    """An import asked for at the desk, run in the background: the uploaded file is
    kept encrypted until the run is over, and the problems found (which may quote
    cells of the file) are kept encrypted for the person who asked, alone."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being imported")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    filename = models.CharField(max_length=20)  # "upload.csv": the person's name for it is not kept
    stored_name = models.CharField(max_length=64, blank=True)
    skip_invalid = models.BooleanField(default=False)
    language = models.CharField(max_length=10, default="en")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    imported = models.BooleanField(default=False)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    problems = EncryptedTextField(blank=True)  # JSON: [[kind, row, column, reason], ...]
    failure = models.CharField(max_length=300, blank=True)
    # The queue's hold on the job (core/jobs.py): how many times a worker took it, and
    # the token of the one that holds it now.
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state in {self.State.DONE, self.State.FAILED}:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
