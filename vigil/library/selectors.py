"""Reads of the legal library, for the public pages and the records' forms."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from vigil.core.permissions import Perm, has_perm
from vigil.library.models import Paragraph, ParagraphKind, Resolution, Version


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
    case_count: int = 0


def rows(resolution: Resolution, versions: list[Version], user: Any) -> list[Row]:
    """Each paragraph with its texts side by side and what has been done under it:
    published communications, and the records the reader may see. The public learns
    only how many cases are linked, never which."""
    from vigil.cases.access import cases_for_user

    paragraphs = (
        resolution.paragraphs.all()
        .prefetch_related("texts", "communications", "cases", "measures", "activities")
        .order_by("-kind", "position")
    )
    reachable_cases = (
        set(cases_for_user(user).values_list("pk", flat=True))
        if has_perm(user, Perm.DOCUMENT_CASES)
        else set()
    )
    result = []
    for paragraph in paragraphs:
        by_version = {t.version_id: t for t in paragraph.texts.all()}
        row = Row(paragraph=paragraph, texts=[by_version.get(v.pk) for v in versions])
        row.communications = [c for c in paragraph.communications.all() if c.published_on]
        linked_cases = list(paragraph.cases.all())
        row.case_count = len(linked_cases)
        row.cases = [c for c in linked_cases if c.pk in reachable_cases]
        row.measures = [m for m in paragraph.measures.all() if m.is_public]
        row.activities = [a for a in paragraph.activities.all() if a.is_public]
        result.append(row)
    return result


def preambular_count(resolution: Resolution) -> int:
    return resolution.paragraphs.filter(kind=ParagraphKind.PREAMBULAR).count()
