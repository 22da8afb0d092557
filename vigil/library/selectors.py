"""Reads of the legal library, for the public pages and the records' forms."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import translation

from vigil.core.permissions import Perm, has_perm
from vigil.library.models import Paragraph, Resolution, Version


def resolutions() -> QuerySet[Resolution]:
    return Resolution.objects.prefetch_related("versions")


def versions_for_reader(resolution: Resolution) -> list[Version]:
    """Every language version, the reader's own language first where the library
    has it, then the official ones, then the rest."""
    language = (translation.get_language() or "en").split("-")[0]
    versions = list(resolution.versions.all())
    return sorted(
        versions,
        key=lambda v: (v.language != language, v.status != "official", v.position),
    )


@dataclass
class Row:
    paragraph: Paragraph
    texts: list[Any]  # one ParagraphText (or None) per version, in the versions' order
    communications: list[Any] = field(default_factory=list)
    measures: list[Any] = field(default_factory=list)
    activities: list[Any] = field(default_factory=list)
    cases: list[Any] = field(default_factory=list)  # only for readers who may open them
    case_count: int | None = None  # the public count, when there is one to tell


def public_case_counts(resolution: Resolution) -> dict[int, int]:
    """Per paragraph, the linked cases the public may count: those with an act
    verified as the statistics define it (stats.sdg16101.counting.verified), and only where
    there are at least the small-count threshold of them. A case an officer has just
    linked, unverified, counts nowhere; a count of 1 to 4 could point at a person, so
    it is not told (nor is a zero: the two look alike)."""
    from vigil.cases.models import Case
    from vigil.stats.sdg16101 import counting
    from vigil.stats.suppression import threshold

    counts = (
        Case.paragraphs.through.objects.filter(
            paragraph__resolution=resolution,
            case__incidents__acts__in=counting.verified(),
        )
        .values("paragraph_id")
        .annotate(n=Count("case_id", distinct=True))
    )
    limit = threshold()
    return {row["paragraph_id"]: row["n"] for row in counts if row["n"] >= limit}


def rows(resolution: Resolution, versions: list[Version], user: Any) -> list[Row]:
    """Each paragraph with its texts side by side and what has been done under it:
    published communications and public measures and activities; cases as references
    for readers who may open cases, only those in their scope and never a count of the
    others; for everyone else, only the public count of verified cases."""
    from vigil.cases.access import cases_for_user

    paragraphs = (
        resolution.paragraphs.all()
        .prefetch_related("texts", "communications", "cases", "measures", "activities")
        .order_by("-kind", "position")
    )
    documents_cases = has_perm(user, Perm.DOCUMENT_CASES)
    reachable_cases = (
        set(cases_for_user(user).values_list("pk", flat=True)) if documents_cases else set()
    )
    counts = {} if documents_cases else public_case_counts(resolution)
    result = []
    for paragraph in paragraphs:
        by_version = {t.version_id: t for t in paragraph.texts.all()}
        row = Row(paragraph=paragraph, texts=[by_version.get(v.pk) for v in versions])
        row.communications = [c for c in paragraph.communications.all() if c.published_on]
        row.cases = [c for c in paragraph.cases.all() if c.pk in reachable_cases]
        row.case_count = counts.get(paragraph.pk)
        row.measures = [m for m in paragraph.measures.all() if m.is_public]
        row.activities = [a for a in paragraph.activities.all() if a.is_public]
        result.append(row)
    return result
