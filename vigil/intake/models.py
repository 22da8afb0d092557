"""Reports sent through the public form, and the messages about them.

A submission keeps what the reporter chose to tell and nothing about how it
arrived: no address, browser or time zone. Everything typed is encrypted at rest.
The reporter is known only by the slow hash of their receipt code.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vigil.core.fields import CountryField
from vigil.vault.fields import EncryptedTextField


class ReporterRelation(models.TextChoices):
    SELF = "self", _("It happened to me")
    COLLEAGUE = "colleague", _("A colleague")
    FAMILY = "family", _("A family member")
    ORGANISATION = "organisation", _("My organisation")
    OTHER = "other", _("Someone else")


class SubmissionStatus(models.TextChoices):
    """What the reporter sees of the desk's work, in plain words."""

    RECEIVED = "received", pgettext_lazy("report status", "Received")
    # Its own context: the same English words are a verification state elsewhere.
    UNDER_REVIEW = "under_review", pgettext_lazy("report status", "Under review")
    TAKEN_UP = "taken_up", _("Taken up")
    CLOSED = "closed", _("Closed")


class Submission(models.Model):
    receipt_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The form's one-time token: a form sent twice makes one report.
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    what_happened = EncryptedTextField(_("What happened"))
    country = CountryField(_("Country"))
    targeted = EncryptedTextField(_("Who was targeted"), blank=True)
    relation = models.CharField(
        _("Your relation to them"), max_length=20, choices=ReporterRelation.choices, blank=True
    )
    when = EncryptedTextField(_("When"), blank=True)
    where = EncryptedTextField(_("Where"), blank=True)
    perpetrators = EncryptedTextField(_("Who did it"), blank=True)
    urgent = models.BooleanField(_("Urgent: someone is in danger now"), default=False)
    consent_share_name = models.BooleanField(
        _("The name may be shared with the State or company concerned"), default=False
    )
    consent_publish = models.BooleanField(_("The case may be made public"), default=False)
    consent_count_by_name = models.BooleanField(
        _("The person may be named in reports"), default=False
    )
    language = models.CharField(max_length=10, editable=False)
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED
    )
    closed_reason = EncryptedTextField(blank=True)
    closed_on = models.DateField(null=True, blank=True, editable=False)  # for retention
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    # The day only: an exact time could be matched with network logs elsewhere.
    received_on = models.DateField(editable=False)
    # Sent while its client was over the hourly limit: taken, but kept out of the
    # triage queue until someone looks at the held reports (docs/intake.md).
    held_as_flood = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["status", "urgent", "received_on"])]

    def __str__(self) -> str:
        return f"{_('Report')} #{self.pk}"


class SubmissionFile(models.Model):
    """A file a reporter attached: encrypted on disk (vault/files.py), never inline."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    filename = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = EncryptedTextField()  # encrypted: see cases.Evidence
    received_on = models.DateField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{_('File')} #{self.pk}"


class SubmissionMessage(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    from_desk = models.BooleanField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = EncryptedTextField()
    sent_on = models.DateField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{_('Message')} #{self.pk}"
