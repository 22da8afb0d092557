"""Letters to States and other actors, as the UN special procedures send them.

An urgent appeal (UA) concerns a violation under way or imminent, an allegation
letter (AL) one that has happened, an other letter (OL) a law, bill or policy. A
communication is drafted, submitted for approval, approved by a coordinator, sent
(and then given its reference, such as "UA NLD 3/2026"), answered or not, followed
up and closed; it stays confidential until a date after sending, then may be
published with its replies. The workflow lives in `communications.services`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigil.cases.models import Case, Tracked
from vigil.cases.vocabularies import BusinessSector
from vigil.core.fields import CountryField
from vigil.core.vocabularies import Theme
from vigil.vault.fields import EncryptedTextField


class CommunicationType(models.TextChoices):
    URGENT_APPEAL = "UA", _("Urgent appeal")
    ALLEGATION_LETTER = "AL", _("Allegation letter")
    OTHER_LETTER = "OL", _("Other letter")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    REPLIED = "replied", _("Reply received")
    NO_REPLY = "no_reply", _("No reply")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


class AddresseeKind(models.TextChoices):
    STATE = "state", _("State")
    BUSINESS = "business", _("Business enterprise")
    OTHER = "other", _("Other non-State actor")


class ReplyType(models.TextChoices):
    SUBSTANTIVE = "substantive", _("Substantive")
    PARTIAL = "partial", _("Partial")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement only")


class Communication(Tracked):
    kind = models.CharField(_("type"), max_length=2, choices=CommunicationType.choices)
    reference = models.CharField(_("reference"), max_length=30, blank=True, editable=False)
    joint = models.BooleanField(_("joint communication"), default=False)
    other_mandates = models.TextField(_("other mandates"), blank=True)
    summary = EncryptedTextField(
        _("summary"),
        help_text=_("One or two sentences, as they will appear in the public record."),
    )
    body = EncryptedTextField(
        _("the facts"),
        blank=True,
        help_text=_(
            "The allegations, as the letter will tell them. Names of defenders who did "
            "not consent are replaced by a description wherever they occur."
        ),
    )
    questions = EncryptedTextField(
        _("questions"),
        blank=True,
        help_text=_("One per line. Leave empty for the usual questions for this type of letter."),
    )
    follow_up_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up to"),
    )
    cases = models.ManyToManyField(Case, related_name="communications", blank=True)
    paragraphs = models.ManyToManyField(
        "library.Paragraph",
        related_name="communications",
        blank=True,
        verbose_name=_("resolution paragraphs"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    confidential_until = models.DateField(_("confidential until"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="one_communication_per_reference",
            )
        ]

    def __str__(self) -> str:
        return self.reference or f"{self.get_kind_display()} #{self.pk}"

    @property
    def themes(self) -> list[Theme]:
        return [Theme(row.theme) for row in self.theme_rows.all()]


class CommunicationTheme(models.Model):
    """One theme of a communication: a row each, so that both databases can filter."""

    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="theme_rows"
    )
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["communication", "theme"], name="theme_once")
        ]
        indexes = [models.Index(fields=["theme"])]

    def __str__(self) -> str:
        return self.theme


class Addressee(models.Model):
    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="addressees"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("addressee"), max_length=20, choices=AddresseeKind.choices)
    country = CountryField(
        _("country"),
        blank=True,
        help_text=_("The State; for a company, its home country."),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    sector = models.CharField(
        _("sector"), max_length=20, choices=BusinessSector.choices, blank=True
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name or self.get_country_display()


class Reply(Tracked):
    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="replies"
    )
    received_on = models.DateField(_("received on"))
    sender = EncryptedTextField(_("from"), max_length=200)  # "Lawyer of ...": it can name
    kind = models.CharField(_("type of reply"), max_length=20, choices=ReplyType.choices)
    assessment = EncryptedTextField(_("assessment"), blank=True)

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{_('Reply')} #{self.pk}"

    @property
    def within_deadline(self) -> bool:
        due = self.communication.reply_due
        return due is None or self.received_on <= due


class ReplyFile(models.Model):
    """The reply itself, or an annex: encrypted on disk like evidence (vault/files.py)."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="files")
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    filename = EncryptedTextField(_("file name"))
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = EncryptedTextField(_("SHA-256"))  # encrypted: see cases.Evidence
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{_('File')} #{self.pk}"


class ReferenceCounter(models.Model):
    """The last number given to letters to a country in a year, whatever their type
    (so AL NLD 2/2026 may be followed by UA NLD 3/2026)."""

    country = models.CharField(max_length=3)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "year"], name="one_counter")]

    def __str__(self) -> str:
        return f"{self.country} {self.last}/{self.year}"


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")
    NO_RESPONSE = "no_response", _("No response")


class CountryVisit(Tracked):
    """A visit by the mandate to a country (resolution para 18)."""

    country = CountryField(_("country"))
    requested_on = models.DateField(_("requested on"))
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.REQUESTED
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    report_symbol = models.CharField(
        _("symbol of the visit report"),
        max_length=50,
        blank=True,
        help_text=_("For example A/HRC/58/53/Add.1"),
    )

    class Meta:
        ordering = ["-requested_on", "pk"]
        verbose_name = _("country visit")
        verbose_name_plural = _("country visits")

    def __str__(self) -> str:
        return f"{self.get_country_display()} ({self.requested_on:%Y})"

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The visit ends before it starts.")
        if self.starts_on and self.requested_on and self.starts_on < self.requested_on:
            errors["starts_on"] = _("The visit starts before it was requested.")
        if self.status in {VisitStatus.SCHEDULED, VisitStatus.DONE} and not self.starts_on:
            errors["starts_on"] = _("A scheduled or completed visit has dates.")
        if self.report_symbol and self.status != VisitStatus.DONE:
            errors["report_symbol"] = _("Only a completed visit has a report.")
        if errors:
            raise ValidationError(errors)
