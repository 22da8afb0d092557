"""State measures that shape defenders' work (resolution paras 4-6, and the
preamble on the misuse of security and NGO laws): laws, bills, decrees, policies,
programmes, protection mechanisms, focal points, consultative bodies and public
statements, per country, with their status over time, their effect on defenders,
an impact assessment, the recommendations made about them and whether they were
taken up, and the communications and cases concerned.

Measures are public facts about States, so nothing here is encrypted. Staff keep
them; a stakeholder may propose one, which staff then accept or reject.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vigil.cases.models import Case, Tracked
from vigil.communications.models import Communication
from vigil.core.fields import CountryField
from vigil.core.vocabularies import Theme, country_name


class MeasureKind(models.TextChoices):
    LAW = "law", _("Law")
    BILL = "bill", _("Bill")
    DECREE = "decree", _("Decree or regulation")
    POLICY = "policy", _("Policy")
    PROGRAMME = "programme", _("Programme")
    PROTECTION_MECHANISM = "mechanism", _("Protection mechanism")
    FOCAL_POINT = "focal_point", _("Focal point")
    CONSULTATIVE_BODY = "consultative", _("Consultative body")
    PUBLIC_STATEMENT = "statement", _("Public statement")


class MeasureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    BEFORE_PARLIAMENT = "parliament", _("Before parliament")
    ADOPTED = "adopted", _("Adopted")
    IN_FORCE = "in_force", _("In force")
    AMENDED = "amended", _("Amended")
    REPEALED = "repealed", _("Repealed")
    STRUCK_DOWN = "struck_down", _("Struck down")


class Effect(models.TextChoices):
    ENABLING = "enabling", _("Enabling")
    RESTRICTIVE = "restrictive", _("Restrictive")
    MIXED = "mixed", _("Mixed")


class Review(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class RecommendationSource(models.TextChoices):
    NHRI = "nhri", _("National human rights institution")
    SPECIAL_PROCEDURES = "special_procedures", _("UN special procedures")
    TREATY_BODY = "treaty_body", _("UN treaty body")
    UPR = "upr", _("Universal Periodic Review")
    REGIONAL = "regional", _("Regional mechanism")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    OTHER = "other", _("Other")


class Uptake(models.TextChoices):
    UNKNOWN = "unknown", _("Not known")
    NO = "no", _("Not taken up")
    PARTLY = "partly", _("Partly taken up")
    YES = "yes", pgettext_lazy("recommendation", "Taken up")


class Measure(Tracked):
    country = CountryField(_("country"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeasureKind.choices)
    title = models.CharField(_("title"), max_length=300)
    citation = models.CharField(
        _("official reference"), max_length=200, blank=True,
        help_text=_("For example Law 1234 of 2024, or the bill's number."),
    )  # fmt: skip
    description = models.TextField(_("description"), blank=True)
    effect = models.CharField(_("effect on defenders"), max_length=20, choices=Effect.choices)
    impact = models.TextField(
        _("impact assessment"), blank=True,
        help_text=_("How it affects defenders' work, and whom it affects most."),
    )  # fmt: skip
    link = models.URLField(_("link to the text"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.DRAFT
    )
    review = models.CharField(
        _("review"), max_length=20, choices=Review.choices, default=Review.ACCEPTED
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="proposed_measures",
    )  # fmt: skip
    communications = models.ManyToManyField(
        Communication, related_name="measures", blank=True, verbose_name=_("communications")
    )
    cases = models.ManyToManyField(Case, related_name="measures", blank=True)
    paragraphs = models.ManyToManyField(
        "library.Paragraph", related_name="measures", blank=True,
        verbose_name=_("resolution paragraphs"),
    )  # fmt: skip

    class Meta:
        ordering = ["country", "-updated_at"]
        verbose_name = _("State measure")
        verbose_name_plural = _("State measures")
        indexes = [models.Index(fields=["country", "effect"])]

    def __str__(self) -> str:
        return f"{self.title} ({country_name(self.country)})"

    @property
    def is_public(self) -> bool:
        return self.review == Review.ACCEPTED

    @property
    def themes(self) -> list[Theme]:
        return [Theme(row.theme) for row in self.theme_rows.all()]


class MeasureTheme(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="theme_rows")
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["measure", "theme"], name="measure_theme_once")
        ]
        indexes = [models.Index(fields=["theme"])]

    def __str__(self) -> str:
        return self.theme


class StatusChange(models.Model):
    """One step of a measure's life: introduced, before parliament, adopted ..."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(_("status"), max_length=20, choices=MeasureStatus.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.status} {self.on}"


class Recommendation(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="recommendations")
    source = models.CharField(_("made by"), max_length=30, choices=RecommendationSource.choices)
    made_on = models.DateField(_("date"), null=True, blank=True)
    text = models.TextField(_("recommendation"))
    uptake = models.CharField(
        _("taken up"), max_length=10, choices=Uptake.choices, default=Uptake.UNKNOWN
    )

    class Meta:
        ordering = ["made_on", "pk"]

    def __str__(self) -> str:
        return f"{self.source}: {self.text[:40]}"
