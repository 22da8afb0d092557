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
        constraints = [
            models.UniqueConstraint(
                fields=["report", "starts_on", "ends_on", "section"], name="narrative_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.starts_on}–{self.ends_on}: {self.section}"
