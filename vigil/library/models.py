"""The legal library (resolution para 13): resolutions held as structured
paragraphs, in several languages aligned paragraph by paragraph.

A `Paragraph` is the language-neutral place (the 16th operative paragraph of
A/RES/72/247) to which cases, communications, measures and activity reports link;
each `Version` (a language, marked official, unofficial or machine translation)
holds its own text of every paragraph in a `ParagraphText`. Re-importing a
resolution replaces the texts and keeps the paragraphs, so links survive.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    OFFICIAL = "official", _("Official")
    UNOFFICIAL = "unofficial", _("Unofficial translation")
    MACHINE = "machine", _("Machine translation")


class ParagraphKind(models.TextChoices):
    PREAMBULAR = "preambular", _("Preambular")
    OPERATIVE = "operative", _("Operative")


class Resolution(models.Model):
    symbol = models.CharField(_("symbol"), max_length=50, unique=True)
    title = models.TextField(_("title"))
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-adopted_on", "symbol"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return self.symbol


class Version(models.Model):
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices)
    title = models.TextField(_("title"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "language"], name="one_version_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resolution.symbol} ({self.language})"


class Paragraph(models.Model):
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="paragraphs")
    kind = models.CharField(_("kind"), max_length=20, choices=ParagraphKind.choices)
    position = models.PositiveSmallIntegerField(_("position"))  # 1-based within its kind
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)

    class Meta:
        ordering = ["-kind", "position"]  # preambular first, then operative
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "kind", "position"], name="one_paragraph_per_place"
            )
        ]

    def __str__(self) -> str:
        if self.kind == ParagraphKind.OPERATIVE:
            return _("%(symbol)s, para %(number)s") % {
                "symbol": self.resolution.symbol,
                "number": self.number,
            }
        return _("%(symbol)s, preambular para %(number)s") % {
            "symbol": self.resolution.symbol,
            "number": self.position,
        }


class ParagraphText(models.Model):
    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="texts")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="texts")
    text = models.TextField(_("text"))
    lead_verb = models.CharField(_("lead verb"), max_length=100, blank=True)
    cites = models.JSONField(_("cites"), default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paragraph", "version"], name="one_text_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.paragraph} ({self.version.language})"

    @property
    def after_lead_verb(self) -> str | None:
        """The text after its lead verb, to set the verb apart; None when the text
        does not start with it."""
        if self.lead_verb and self.text.startswith(self.lead_verb):
            return self.text[len(self.lead_verb) :]
        return None


class Footnote(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="footnotes")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.version} {self.number}"
