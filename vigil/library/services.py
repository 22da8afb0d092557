"""Storing a parsed resolution. One transaction: an import that fails changes nothing."""

from typing import Any

from django.db import models, transaction

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
    # Records cite "paragraph 15": an operative paragraph keeps its row by its
    # number, so a corrected text that adds or drops a paragraph does not move
    # links onto other words. Preambular paragraphs have no number: by position.
    preambular = {
        p.position: p for p in resolution.paragraphs.filter(kind=ParagraphKind.PREAMBULAR)
    }
    operative = {p.number: p for p in resolution.paragraphs.filter(kind=ParagraphKind.OPERATIVE)}
    numbers = list(dict.fromkeys(o.number for v in parsed.versions for o in v.operative))
    # Positions follow the new numbering; paragraphs the new text no longer has
    # (and their links) are kept, after the others. Two passes: positions are unique.
    Paragraph.objects.filter(resolution=resolution, kind=ParagraphKind.OPERATIVE).update(
        position=models.F("position") + 10000
    )
    for position, number in enumerate(numbers, start=1):
        if number in operative:
            operative[number].position = position
            operative[number].save(update_fields=["position"])
        else:
            operative[number] = Paragraph.objects.create(
                resolution=resolution, kind=ParagraphKind.OPERATIVE, position=position,
                number=number,
            )  # fmt: skip
    for extra, paragraph in enumerate(
        (p for n, p in sorted(operative.items()) if n not in numbers), start=len(numbers) + 1
    ):
        paragraph.position = extra
        paragraph.save(update_fields=["position"])

    def place_preambular(position: int) -> Paragraph:
        if position not in preambular:
            preambular[position] = Paragraph.objects.create(
                resolution=resolution, kind=ParagraphKind.PREAMBULAR, position=position
            )
        return preambular[position]

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
                    paragraph=place_preambular(position),
                    version=version,
                    text=text,
                    cites=cites,
                )  # fmt: skip
            )
        for paragraph_read in parsed_version.operative:
            texts.append(
                ParagraphText(
                    paragraph=operative[paragraph_read.number],
                    version=version,
                    text=paragraph_read.text,
                    lead_verb=paragraph_read.lead_verb[:100],
                    cites=paragraph_read.cites,
                )
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
