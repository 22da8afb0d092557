"""The reports room's records: the assessment's narrative written at the desk, and
the reports built in the background. Both came from the stats app; their tables keep
its names (`stats_narrative`, `stats_reportbuild`), so moving them copied nothing."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Narrative(models.Model):
    """A section of a report written in the desk (the assessment's analysis), for
    one report and one period; the build puts it above the numbers."""

    report = models.CharField(max_length=30)
    starts_on = models.DateField()
    ends_on = models.DateField()
    section = models.CharField(max_length=30)
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "stats_narrative"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "starts_on", "ends_on", "section"], name="narrative_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.starts_on}–{self.ends_on}: {self.section}"


class ReportBuild(models.Model):
    """A report built in the background for the person who asked for it, who alone
    may follow it and download it. The file is kept encrypted in the file store."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.CharField(_("report"), max_length=30)
    fmt = models.CharField(_("format"), max_length=5)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    language = models.CharField(_("language"), max_length=10)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_builds"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=20, blank=True)  # "unavailable" or "error"
    # The queue's hold on the job (core/jobs.py): how many times a worker took it, and
    # the token of the one that holds it now.
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    stored_name = models.CharField(max_length=64, blank=True, editable=False)
    filename = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "stats_reportbuild"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report} {self.starts_on}–{self.ends_on} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
