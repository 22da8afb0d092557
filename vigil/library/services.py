"""Storing a parsed resolution. One transaction: an import that fails changes nothing."""

from typing import Any

from django.db import transaction

from vigil.core import audit
from vigil.library.models import (
    Footnote,
    Paragraph,
    ParagraphKind,
    ParagraphText,
    Resolution,
    Version,
)
from vigil.library.parsing import Parsed


@transaction.atomic
def resolution_import(parsed: Parsed, *, actor: Any = None) -> Resolution:
    """Create the resolution, or replace its texts. Its paragraphs are kept (and
    added where a new text has more), so links from records to them survive."""
    resolution, created = Resolution.objects.update_or_create(
        symbol=parsed.symbol,
        defaults={"title": parsed.title, "adopted_on": parsed.adopted_on},
    )
    resolution.versions.all().delete()  # their texts and footnotes go with them
    places: dict[tuple[str, int], Paragraph] = {
        (p.kind, p.position): p for p in resolution.paragraphs.all()
    }

    def place(kind: str, position: int, number: int | None) -> Paragraph:
        paragraph = places.get((kind, position))
        if paragraph is None:
            paragraph = Paragraph.objects.create(
                resolution=resolution, kind=kind, position=position, number=number
            )
            places[(kind, position)] = paragraph
        elif paragraph.number != number and number is not None:
            paragraph.number = number
            paragraph.save(update_fields=["number"])
        return paragraph

    for order, parsed_version in enumerate(parsed.versions):
        version = Version.objects.create(
            resolution=resolution,
            language=parsed_version.language,
            status=parsed_version.status,
            title=parsed_version.title,
            position=order,
        )
        texts = []
        for position, text in enumerate(parsed_version.preambular, start=1):
            cites = (
                parsed_version.preambular_cites[position - 1]
                if position <= len(parsed_version.preambular_cites)
                else []
            )
            texts.append(
                ParagraphText(
                    paragraph=place(ParagraphKind.PREAMBULAR, position, None),
                    version=version,
                    text=text,
                    cites=cites,
                )  # fmt: skip
            )
        for position, operative in enumerate(parsed_version.operative, start=1):
            texts.append(
                ParagraphText(
                    paragraph=place(ParagraphKind.OPERATIVE, position, operative.number),
                    version=version,
                    text=operative.text,
                    lead_verb=operative.lead_verb[:100],
                    cites=operative.cites,
                )  # fmt: skip
            )
        ParagraphText.objects.bulk_create(texts)
        Footnote.objects.bulk_create(
            Footnote(version=version, number=note.number, text=note.text)
            for note in parsed_version.footnotes
        )
    audit.record(
        actor=actor,
        action="library.imported" if created else "library.reimported",
        obj=resolution,
        fields=[v.language for v in parsed.versions],
    )
    return resolution
