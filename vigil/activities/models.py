"""Activity reports (resolution paras 14-15): what States, national human rights
institutions, OHCHR, other UN entities, regional organisations, civil society and
business did to make the Declaration known. A stakeholder account submits them;
the desk accepts them, returns them with a comment, or rejects them; accepted ones
go into the compilation for the high-level meeting."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from vigil.cases.models import Tracked
from vigil.core.fields import CountryField
from vigil.vault.fields import EncryptedTextField


class StakeholderType(models.TextChoices):
    STATE = "state", _("State")
    NHRI = "nhri", _("National human rights institution")
    OHCHR = "ohchr", _("OHCHR")
    UN_ENTITY = "un_entity", _("Other UN entity")
    REGIONAL = "regional", _("Regional organisation")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    BUSINESS = "business", _("Business")


class ActivityKind(models.TextChoices):
    EVENT = "event", _("Event")
    CAMPAIGN = "campaign", _("Campaign")
    TRAINING = "training", _("Training")
    PUBLICATION = "publication", _("Publication")
    TRANSLATION = "translation", _("Translation of the Declaration")
    STATEMENT = "statement", _("Public statement")


class Level(models.TextChoices):
    LOCAL = "local", _("Local")
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    INTERNATIONAL = "international", _("International")


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned with a comment")
    REJECTED = "rejected", _("Rejected")


LEVEL_FIELDS = {
    Level.LOCAL: "level_local",
    Level.NATIONAL: "level_national",
    Level.REGIONAL: "level_regional",
    Level.INTERNATIONAL: "level_international",
}


class ActivityReport(Tracked):
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_reports"
    )
    stakeholder = models.CharField(_("reporting organisation"), max_length=200)
    stakeholder_type = models.CharField(
        _("type of stakeholder"), max_length=20, choices=StakeholderType.choices
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind of activity"), max_length=20, choices=ActivityKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    # One column per level, so that both databases can filter and count them.
    level_local = models.BooleanField(Level.LOCAL.label, default=False)
    level_national = models.BooleanField(Level.NATIONAL.label, default=False)
    level_regional = models.BooleanField(Level.REGIONAL.label, default=False)
    level_international = models.BooleanField(Level.INTERNATIONAL.label, default=False)
    languages = models.CharField(
        _("languages"), max_length=200, blank=True, help_text=_("For example: Spanish, Quechua")
    )
    audience = models.CharField(_("audience"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    links = models.TextField(_("links"), blank=True, help_text=_("One per line."))
    paragraphs = models.ManyToManyField(
        "library.Paragraph", related_name="activities", blank=True,
        verbose_name=_("resolution paragraphs"),
    )  # fmt: skip
    state = models.CharField(
        _("review"), max_length=20, choices=ReviewState.choices, default=ReviewState.SUBMITTED
    )
    review_comment = models.TextField(_("comment from the desk"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        indexes = [models.Index(fields=["state", "starts_on"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The activity ends before it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return self.state == ReviewState.ACCEPTED

    @property
    def levels(self) -> list[Level]:
        return [level for level, field in LEVEL_FIELDS.items() if getattr(self, field)]

    @property
    def country_codes(self) -> list[str]:
        return [row.country for row in self.country_rows.all()]

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class ActivityCountry(models.Model):
    report = models.ForeignKey(
        ActivityReport, on_delete=models.CASCADE, related_name="country_rows"
    )
    country = CountryField(_("country"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "country"], name="activity_country_once")
        ]
        indexes = [models.Index(fields=["country"])]

    def __str__(self) -> str:
        return self.country


class ActivityFile(models.Model):
    """A programme, a photo, a publication: encrypted on disk like every file."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="files")
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    filename = EncryptedTextField(_("file name"))
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = EncryptedTextField(_("SHA-256"))  # encrypted: see cases.Evidence

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{_('File')} #{self.pk}"
