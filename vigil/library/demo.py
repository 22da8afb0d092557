"""The demo library: resolution 72/247 itself (English, and an unofficial Dutch
machine translation), with the demo cases and letters linked to the paragraphs
they concern."""

from pathlib import Path
from random import Random
from typing import Any

from vigil.cases.models import Act, Case
from vigil.cases.vocabularies import ViolationType
from vigil.communications.models import Communication
from vigil.library import parsing, services
from vigil.library.models import Paragraph, ParagraphKind

DATASET = "library"
SEED = 72249
SEED_RESOLUTION = Path(__file__).resolve().parent / "data" / "A-RES-72-247.en-nl.txt"

# Which operative paragraphs of 72/247 a record concerns, by what it is about.
PARA_PROTECT = 2  # safety of defenders
PARA_VIOLENCE = 7  # violence, criminalisation, killings
PARA_REPRISALS = 8
PARA_DETENTION = 9
PARA_WOMEN = 11
PARA_BUSINESS = 12


def paragraph(number: int) -> Paragraph:
    return Paragraph.objects.get(
        resolution__symbol="A/RES/72/247", kind=ParagraphKind.OPERATIVE, number=number
    )


def load(*, fake: Any, stdout: Any) -> None:
    random = Random(SEED)  # noqa: S311 - a repeatable demo, not a secret
    parsed = parsing.parse(SEED_RESOLUTION.read_text(encoding="utf-8"), statuses={"nl": "machine"})
    services.resolution_import(parsed)
    by_number = {n: paragraph(n) for n in range(1, 21)}
    for case in Case.objects.filter(incidents__acts__isnull=False).distinct()[:300]:
        if random.random() > 0.4:
            continue
        acts = Act.objects.filter(incident__cases=case)
        chosen = {PARA_VIOLENCE}
        if acts.filter(reprisal=True).exists():
            chosen.add(PARA_REPRISALS)
        if acts.filter(violation=ViolationType.ARBITRARY_DETENTION).exists():
            chosen.add(PARA_DETENTION)
        if case.defenders.filter(sex_gender="woman", kind="person").exists():
            chosen.add(PARA_WOMEN)
        if acts.filter(perpetrators__category="business").exists():
            chosen.add(PARA_BUSINESS)
        case.paragraphs.set([by_number[n] for n in chosen])
    for letter in Communication.objects.all():
        chosen = {PARA_PROTECT} if letter.kind != "OL" else {4}
        if letter.addressees.filter(kind="business").exists():
            chosen.add(PARA_BUSINESS)
        letter.paragraphs.set([by_number[n] for n in chosen])
    stdout.write(f"  {parsed.symbol}: {', '.join(v.language for v in parsed.versions)}")
