"""The case record, after the HURIDOCS events model.

An incident (event) holds acts; each act is one violation against one victim (a
defender), linked to the perpetrators involved and to the sources that report it. A
case groups incidents and defenders for a team to work on.

Names, contact details, narratives and anything else that could identify a person
are encrypted at rest (`EncryptedTextField`); the rest stays in the clear so that it
can be counted and filtered. Records are changed only through `cases.services`,
which checks the `version` of what the person last saw, so two people editing at
once cannot overwrite each other silently.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.cases.vocabularies import (
    AgeGroup,
    BusinessSector,
    CaseOutcome,
    CaseStatus,
    DefenderKind,
    FocusGroup,
    Involvement,
    PerpetratorCategory,
    Priority,
    RelationType,
    Reliability,
    ReprisalBody,
    RiskLevel,
    SexGender,
    SourceType,
    Verification,
    ViolationType,
)
from vigil.core import dates
from vigil.core.fields import CountryField
from vigil.core.vocabularies import DatePrecision
from vigil.stats.sdg16101.categories import SDG_CATEGORY_OF, SdgCategory, VictimCategory
from vigil.vault.fields import EncryptedTextField


def _not_in_future(errors: dict[str, str], field: str, value: date | None) -> None:
    if value and value > timezone.localdate():
        errors[field] = _("This date is in the future.")


class Tracked(models.Model):
    """Who made a record and when, and the version that optimistic locking checks."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        abstract = True


VICTIM_CATEGORY_FIELDS: dict[VictimCategory, str] = {
    VictimCategory.HUMAN_RIGHTS_DEFENDER: "is_hrd",
    VictimCategory.JOURNALIST: "is_journalist",
    VictimCategory.TRADE_UNIONIST: "is_trade_unionist",
}
FOCUS_GROUP_FIELDS: dict[FocusGroup, str] = {
    FocusGroup.ENVIRONMENT_LAND_INDIGENOUS: "focus_environment",
    FocusGroup.BUSINESS_RELATED: "focus_business",
    FocusGroup.LABOUR: "focus_labour",
    FocusGroup.LGBTI: "focus_lgbti",
    FocusGroup.ANTI_CORRUPTION: "focus_anti_corruption",
    FocusGroup.LAWYERS: "focus_lawyers",
    FocusGroup.OTHER: "focus_other",
}


class Defender(Tracked):
    kind = models.CharField(_("kind"), max_length=20, choices=DefenderKind.choices)
    name = EncryptedTextField(_("name"))
    aliases = EncryptedTextField(
        _("other names"), blank=True, help_text=_("One per line: aliases, former names, spellings.")
    )
    contact = EncryptedTextField(_("contact details"), blank=True)
    sex_gender = models.CharField(
        _("sex and gender"), max_length=20, choices=SexGender.choices, default=SexGender.UNKNOWN
    )
    age_group = models.CharField(
        _("age group"), max_length=20, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    country = CountryField(_("country"))
    occupation = EncryptedTextField(_("occupation"), max_length=200, blank=True)
    # One column per category, so that both databases can filter and count them
    # (SQLite cannot search inside a JSON list). VICTIM_CATEGORY_FIELDS and
    # FOCUS_GROUP_FIELDS map the vocabularies onto them.
    is_hrd = models.BooleanField(VictimCategory.HUMAN_RIGHTS_DEFENDER.label, default=True)
    is_journalist = models.BooleanField(VictimCategory.JOURNALIST.label, default=False)
    is_trade_unionist = models.BooleanField(VictimCategory.TRADE_UNIONIST.label, default=False)
    focus_environment = models.BooleanField(
        FocusGroup.ENVIRONMENT_LAND_INDIGENOUS.label, default=False
    )
    focus_business = models.BooleanField(FocusGroup.BUSINESS_RELATED.label, default=False)
    focus_labour = models.BooleanField(FocusGroup.LABOUR.label, default=False)
    focus_lgbti = models.BooleanField(FocusGroup.LGBTI.label, default=False)
    focus_anti_corruption = models.BooleanField(FocusGroup.ANTI_CORRUPTION.label, default=False)
    focus_lawyers = models.BooleanField(FocusGroup.LAWYERS.label, default=False)
    focus_other = models.BooleanField(FocusGroup.OTHER.label, default=False)
    affiliations = EncryptedTextField(_("affiliations"), blank=True)
    # Consent, recorded from the defender (or whoever may give it for them). Each is
    # off until it is recorded: without it a letter, a publication or a report
    # describes the person without their name (communications.letters enforces it).
    consent_share_state = models.BooleanField(
        _("The name may be shared with the State concerned"), default=False
    )
    consent_share_business = models.BooleanField(
        _("The name may be shared with the company or other non-State actor concerned"),
        default=False,
    )
    consent_publish = models.BooleanField(_("The name may be made public"), default=False)

    class Meta:
        verbose_name = _("defender")
        verbose_name_plural = _("defenders")
        indexes = [models.Index(fields=["country"])]

    def __str__(self) -> str:
        return f"{_('Defender')} #{self.pk}"

    @property
    def is_woman_defender(self) -> bool:
        """Women defenders (para 11) are a derived fact, never a box to tick."""
        return self.kind == DefenderKind.PERSON and self.sex_gender == SexGender.WOMAN

    @property
    def victim_categories(self) -> list[VictimCategory]:
        return [c for c, field in VICTIM_CATEGORY_FIELDS.items() if getattr(self, field)]

    @property
    def focus_groups(self) -> list[FocusGroup]:
        return [g for g, field in FOCUS_GROUP_FIELDS.items() if getattr(self, field)]

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class DefenderName(models.Model):
    """Keyed hashes of a defender's name and aliases, for finding them by exact name."""

    defender = models.ForeignKey(Defender, on_delete=models.CASCADE, related_name="name_digests")
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["defender", "digest"], name="defender_name_once")
        ]

    def __str__(self) -> str:
        return f"#{self.defender_id}: {self.digest[:8]}"


class DefenderRelation(Tracked):
    """A person linked to a defender: family, lawyer, associate (paras 7-8)."""

    defender = models.ForeignKey(Defender, on_delete=models.CASCADE, related_name="relations")
    relative = models.ForeignKey(Defender, on_delete=models.CASCADE, related_name="related_to")
    relation = models.CharField(_("relation"), max_length=20, choices=RelationType.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["defender", "relative", "relation"], name="defender_relation_once"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.relative_id} {self.relation} #{self.defender_id}"


class Incident(Tracked):
    title = EncryptedTextField(_("title"))
    narrative = EncryptedTextField(_("what happened"))
    start_date = models.DateField(_("start date"))
    start_precision = models.CharField(
        _("precision of the start date"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_precision = models.CharField(
        _("precision of the end date"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    country = CountryField(_("country"))
    subdivision = models.CharField(
        _("region or province"), max_length=10, blank=True, help_text=_("ISO 3166-2 code")
    )
    place = EncryptedTextField(_("place"), blank=True)
    online = models.BooleanField(_("happened online"), default=False)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["country", "start_date"])]

    def __str__(self) -> str:
        return f"{_('Incident')} #{self.pk}"

    def clean(self) -> None:
        if self.start_date:
            self.start_date = dates.truncate(self.start_date, self.start_precision)
        if self.end_date:
            self.end_date = dates.truncate(self.end_date, self.end_precision)
        errors: dict[str, str] = {}
        _not_in_future(errors, "start_date", self.start_date)
        _not_in_future(errors, "end_date", self.end_date)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)


class Act(Tracked):
    """One violation against one victim, within an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="acts")
    victim = models.ForeignKey(Defender, on_delete=models.PROTECT, related_name="acts")
    violation = models.CharField(_("violation"), max_length=30, choices=ViolationType.choices)
    rights_affected = models.JSONField(_("rights affected"), default=list, blank=True)
    reprisal = models.BooleanField(
        _("reprisal for cooperating with the UN or a regional body"), default=False
    )
    reprisal_body = models.CharField(
        _("body cooperated with"), max_length=30, choices=ReprisalBody.choices, blank=True
    )
    detention_start = models.DateField(_("deprived of liberty from"), null=True, blank=True)
    detention_end = models.DateField(_("released on"), null=True, blank=True)
    detention_place = EncryptedTextField(_("place of detention"), blank=True)
    charges = EncryptedTextField(_("charges"), blank=True)
    laws_invoked = EncryptedTextField(_("laws invoked"), blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=20,
        choices=Verification.choices,
        default=Verification.REPORTED,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True)
    independent_sources = models.PositiveSmallIntegerField(
        _("independent reliable sources"), default=0
    )
    sources = models.ManyToManyField("Source", related_name="acts", blank=True)

    class Meta:
        verbose_name = _("act")
        verbose_name_plural = _("acts")
        indexes = [
            models.Index(fields=["violation"]),
            models.Index(fields=["verification"]),
        ]

    def __str__(self) -> str:
        return f"{_('Act')} #{self.pk}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_in_future(errors, "detention_start", self.detention_start)
        _not_in_future(errors, "detention_end", self.detention_end)
        if (
            self.detention_start
            and self.detention_end
            and self.detention_end < self.detention_start
        ):
            errors["detention_end"] = _("The release date is before the date of arrest.")
        if self.reprisal_body and not self.reprisal:
            errors["reprisal"] = _(
                "Tick this box when you name the body the defender cooperated with."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def sdg_category(self) -> SdgCategory:
        return SDG_CATEGORY_OF[ViolationType(self.violation)]


class Perpetrator(Tracked):
    act = models.ForeignKey(Act, on_delete=models.CASCADE, related_name="perpetrators")
    category = models.CharField(
        _("perpetrator"), max_length=20, choices=PerpetratorCategory.choices
    )
    involvement = models.CharField(
        _("involvement"), max_length=20, choices=Involvement.choices, default=Involvement.DIRECT
    )
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    company_sector = models.CharField(
        _("sector"), max_length=20, choices=BusinessSector.choices, blank=True
    )
    company_country = CountryField(_("company's home country"), blank=True)

    class Meta:
        verbose_name = _("perpetrator")
        verbose_name_plural = _("perpetrators")

    def __str__(self) -> str:
        return f"{self.category} ({self.involvement})"


class Source(Tracked):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="sources")
    name = EncryptedTextField(_("who or what reported it"))
    kind = models.CharField(_("type"), max_length=20, choices=SourceType.choices)
    reported_on = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    public = models.BooleanField(_("public source"), default=False)
    reliability = models.CharField(
        _("reliability"), max_length=20, choices=Reliability.choices, default=Reliability.UNKNOWN
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return f"{_('Source')} #{self.pk}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_in_future(errors, "reported_on", self.reported_on)
        if errors:
            raise ValidationError(errors)


class Evidence(Tracked):
    """A file that supports an incident: stored encrypted on disk (vault/files.py),
    with the SHA-256 of its content, so that a copy can be proven unchanged. The
    SHA-256 is encrypted too: in the clear, anyone holding a photo could confirm
    from a seized database that it was reported."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence")
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    filename = EncryptedTextField(_("file name"))
    description = EncryptedTextField(_("description"), blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = EncryptedTextField(_("SHA-256"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{_('Evidence')} #{self.pk}"


class CaseCounter(models.Model):
    """The last case number given out in a year (references are VGL-YYYY-NNNNN)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(Tracked):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = EncryptedTextField(_("title"))
    country = CountryField(
        _("country"),
        help_text=_("The country whose desk works on the case; it decides who may see it."),
    )
    incidents = models.ManyToManyField(Incident, related_name="cases", blank=True)
    defenders = models.ManyToManyField(Defender, related_name="cases", blank=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="assigned_cases", blank=True
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    risk = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=CaseOutcome.choices, blank=True)
    paragraphs = models.ManyToManyField(
        "library.Paragraph",
        related_name="cases",
        blank=True,
        verbose_name=_("resolution paragraphs"),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["country", "status"]),
            # The case list shows the most recently changed first.
            models.Index(fields=["-updated_at", "-id"], name="case_recent_first"),
        ]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        if self.status == CaseStatus.CLOSED and not self.outcome:
            raise ValidationError({"outcome": _("Say how the case ended before closing it.")})
        if self.status != CaseStatus.CLOSED and self.outcome:
            raise ValidationError({"outcome": _("Only a closed case has an outcome.")})


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{_('Note')} #{self.pk}"


class CaseTask(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = EncryptedTextField(_("task"))
    due = models.DateField(_("due"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due"]

    def __str__(self) -> str:
        return f"{_('Task')} #{self.pk}"


class CaseEvent(models.Model):
    """One line of a case's timeline. Holds no names: `detail` is a code or a reference."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case opened")
        UPDATED = "updated", _("Case details changed")
        STATUS = "status", _("Status changed")
        OFFICERS = "officers", _("Officers assigned")
        INCIDENT_ADDED = "incident_added", _("Incident added")
        DEFENDER_ADDED = "defender_added", _("Defender added")
        ACT_ADDED = "act_added", _("Act recorded")
        ACT_VERIFIED = "act_verified", _("Verification changed")
        SOURCE_ADDED = "source_added", _("Source added")
        EVIDENCE_ADDED = "evidence_added", _("Evidence added")
        NOTE_ADDED = "note_added", _("Note added")
        TASK_ADDED = "task_added", _("Task added")
        TASK_DONE = "task_done", _("Task done")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.detail}".strip()

    def detail_label(self) -> str:
        """The detail in the reader's language where it is a vocabulary code."""
        vocabulary = {
            self.Kind.STATUS: CaseStatus,
            self.Kind.ACT_ADDED: ViolationType,
            self.Kind.ACT_VERIFIED: Verification,
        }.get(self.kind)
        if vocabulary is not None and self.detail in vocabulary.values:
            return str(vocabulary(self.detail).label)
        return self.detail
