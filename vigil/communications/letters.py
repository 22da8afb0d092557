"""The letter a communication becomes, for one addressee or for the public record.

`build` gathers what the letter says into a `Letter`; `as_docx` and `as_pdf` lay
it out. Every output (desk letters, the public page, the communications report)
applies the consent rules of `cases/consent.py`: a defender's name appears only when
the consent for that reader is recorded on the defender; otherwise the person is
described, in the letter and in the text the officer wrote.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vigil.cases.consent import PUBLIC, Withholder, describe, may_name
from vigil.cases.models import Act, Defender
from vigil.cases.selectors import OTHER_COUNTRY
from vigil.cases.vocabularies import ViolationType
from vigil.communications.models import (
    Addressee,
    AddresseeKind,
    Communication,
    CommunicationType,
)
from vigil.core import dates, documents
from vigil.core.vocabularies import country_name

# Para 9 of the resolution concerns arbitrary arrest and detention, and
# criminalisation is how detention of defenders usually begins.
DETENTION = [ViolationType.ARBITRARY_DETENTION, ViolationType.JUDICIAL_HARASSMENT]


# The languages in which the special procedures usually write to States: a letter is
# written in one of them whatever the language of the officer's screen.
LETTER_LANGUAGES = ("en", "fr", "es")


def default_letter_language() -> str:
    """The officer's own language if letters are written in it, English otherwise."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in LETTER_LANGUAGES else "en"


def letter_language_choices() -> list[tuple[str, str]]:
    """Each letter language named in itself ("Français"), as a language switcher does."""
    from django.utils.translation import get_language_info

    return [(code, get_language_info(code)["name_local"]) for code in LETTER_LANGUAGES]


@dataclass
class Person:
    label: str  # the name, or the description
    named: bool
    acts: list[str] = field(default_factory=list)


@dataclass
class Letter:
    language: str
    reference: str
    dated: str
    kind: str
    audience: str
    addressee: list[str]
    salutation: str
    opening: list[str]
    facts: list[str]
    persons: list[Person]
    concern: str
    standards: list[str]
    questions: list[str]
    closing: list[str]
    signature: str
    draft: bool

    @property
    def withheld(self) -> int:
        return sum(1 for person in self.persons if not person.named)

    @property
    def title(self) -> str:
        return {
            CommunicationType.URGENT_APPEAL: _("Urgent appeal"),
            CommunicationType.ALLEGATION_LETTER: _("Allegation letter"),
            CommunicationType.OTHER_LETTER: _("Other letter"),
        }[CommunicationType(self.kind)]

    def text(self) -> str:
        """Everything the letter says, in reading order (for tests and search)."""
        lines = [self.title, self.reference, self.dated, *self.addressee, self.salutation]
        lines += self.opening + self.facts
        for person in self.persons:
            lines += [person.label, *person.acts]
        lines += [self.concern, *self.standards, *self.questions, *self.closing, self.signature]
        return "\n".join(line for line in lines if line)


def _defenders_of(communication: Communication) -> list[Defender]:
    """Everyone the letter may mention: the cases' defenders and their relatives."""
    found: dict[int, Defender] = {}
    for case in communication.cases.all():
        for defender in case.defenders.all():
            found[defender.pk] = defender
            for relation in defender.relations.select_related("relative"):
                found[relation.relative.pk] = relation.relative
    acts = Act.objects.filter(incident__cases__in=communication.cases.all()).select_related(
        "victim"
    )
    for act in acts:
        found.setdefault(act.victim_id, act.victim)
    return sorted(found.values(), key=lambda d: d.pk)


def _persons(
    communication: Communication,
    defenders: list[Defender],
    audience: str,
    hidden: frozenset[int] = frozenset(),
) -> list[Person]:
    acts = (
        Act.objects.filter(incident__cases__in=communication.cases.all())
        .select_related("incident")
        .distinct()
        .order_by("incident__start_date", "pk")
    )
    by_victim: dict[int, list[Act]] = {}
    for act in acts:
        by_victim.setdefault(act.victim_id, []).append(act)
    persons = []
    for defender in defenders:
        if defender.pk in hidden:
            # Neither the name nor the acts (their dates and countries single a
            # person out) of someone the reader may not open.
            persons.append(Person(label=str(OTHER_COUNTRY), named=False))
            continue
        named = may_name(defender, audience)
        person = Person(label=defender.name if named else describe(defender), named=named)
        for act in by_victim.get(defender.pk, []):
            incident = act.incident
            person.acts.append(
                _("%(violation)s, %(when)s, %(country)s")
                % {
                    "violation": ViolationType(act.violation).label,
                    "when": dates.describe(incident.start_date, incident.start_precision),
                    "country": country_name(incident.country),
                }
            )
        if person.acts or communication.kind != CommunicationType.OTHER_LETTER:
            persons.append(person)
    return persons


def _addressee_lines(addressee: Addressee | None) -> list[str]:
    if addressee is None:
        return []
    if addressee.kind == AddresseeKind.STATE:
        return [
            _("Permanent Mission of %(country)s to the United Nations Office at Geneva")
            % {"country": country_name(addressee.country)}
        ]
    lines = [addressee.name]
    if addressee.sector:
        lines.append(addressee.get_sector_display())
    if addressee.country:
        lines.append(country_name(addressee.country))
    return lines


def _opening(communication: Communication, withhold: Withholder) -> list[str]:
    sender = _("Special Rapporteur on the situation of human rights defenders")
    if communication.joint and communication.other_mandates.strip():
        first = _(
            "We have the honour to address you in our capacities as %(sender)s and "
            "%(others)s, pursuant to the resolutions of the Human Rights Council."
        ) % {"sender": sender, "others": ", ".join(withhold(m) for m in mandates(communication))}
    else:
        first = _(
            "I have the honour to address you in my capacity as %(sender)s, pursuant "
            "to the resolutions of the Human Rights Council."
        ) % {"sender": sender}
    purpose = {
        CommunicationType.URGENT_APPEAL: _(
            "In this connection, I would like to bring to your urgent attention "
            "information I have received concerning a situation that is under way or "
            "imminent, and that calls for immediate action to prevent irreparable harm."
        ),
        CommunicationType.ALLEGATION_LETTER: _(
            "In this connection, I would like to bring to your attention information "
            "I have received concerning the events described below."
        ),
        CommunicationType.OTHER_LETTER: _(
            "In this connection, I would like to offer some comments on the law, bill "
            "or policy described below and its effect on the work of human rights "
            "defenders."
        ),
    }[CommunicationType(communication.kind)]
    return [first, purpose]


def mandates(communication: Communication) -> list[str]:
    return [line.strip() for line in communication.other_mandates.splitlines() if line.strip()]


def _standards(communication: Communication, audience: str, defenders: list[Defender]) -> list[str]:
    acts = Act.objects.filter(incident__cases__in=communication.cases.all())
    standards = [
        _(
            "The Declaration on the Right and Responsibility of Individuals, Groups and "
            "Organs of Society to Promote and Protect Universally Recognized Human Rights "
            "and Fundamental Freedoms (General Assembly resolution 53/144), in particular "
            "its articles 1, 2, 5, 6, 9 and 12: everyone has the right to promote and "
            "strive for the protection of human rights, and the State shall take all "
            "necessary measures to protect everyone against any violence, threats, "
            "retaliation or pressure for doing so."
        ),
        _(
            "General Assembly resolution 72/247, paragraph 2, which calls upon all States "
            "to take all measures necessary to ensure the rights and safety of human "
            "rights defenders, and paragraph 7, which strongly condemns the violence "
            "against and the targeting, criminalization, intimidation, torture, "
            "disappearance and killing of human rights defenders."
        ),
    ]
    if acts.filter(reprisal=True).exists():
        standards.append(
            _(
                "Resolution 72/247, paragraph 8, which condemns all acts of intimidation "
                "and reprisal against those who cooperate with the United Nations, its "
                "representatives and mechanisms."
            )
        )
    if acts.filter(violation__in=DETENTION).exists():
        standards.append(
            _(
                "Resolution 72/247, paragraph 9, which calls upon States to put an end to "
                "arbitrary arrest and detention of human rights defenders and urges the "
                "release of those detained for exercising their human rights."
            )
        )
    if any(d.is_woman_defender for d in defenders):
        standards.append(
            _(
                "Resolution 72/247, paragraph 11, on the systemic and structural "
                "discrimination and violence faced by women human rights defenders."
            )
        )
    if communication.kind == CommunicationType.OTHER_LETTER:
        standards.append(
            _(
                "Resolution 72/247, paragraph 4, which urges States to acknowledge the "
                "legitimate role of human rights defenders in their laws and policies, "
                "and to ensure that laws on security and on associations are not misused "
                "against them."
            )
        )
    if audience in {AddresseeKind.BUSINESS, AddresseeKind.OTHER}:
        standards += [
            _(
                "Resolution 72/247, paragraph 12, which urges business enterprises to "
                "respect, promote and strive for the protection of the rights of all "
                "persons, including human rights defenders."
            ),
            _(
                "The Guiding Principles on Business and Human Rights, principles 11 to "
                "24: business enterprises should respect human rights, avoid causing or "
                "contributing to adverse impacts, carry out human rights due diligence "
                "and provide for remediation where they have caused harm."
            ),
        ]
    elif communication.addressees.exclude(kind=AddresseeKind.STATE).exists():
        standards.append(
            _(
                "The Guiding Principles on Business and Human Rights, principles 1 to 10: "
                "the State duty to protect against human rights abuse by business "
                "enterprises within its territory or jurisdiction."
            )
        )
    return standards


def default_questions(kind: str, audience: str) -> list[str]:
    """The questions the special procedures usually ask, by type and addressee."""
    if audience in {AddresseeKind.BUSINESS, AddresseeKind.OTHER}:
        return [
            _(
                "Please provide any additional information and comment you may have on the "
                "above allegations."
            ),
            _(
                "Please describe the human rights due diligence your company has undertaken to "
                "identify, prevent and address adverse impacts on human rights defenders."
            ),
            _(
                "Please explain what steps have been taken to prevent further harm and to "
                "provide remedy to those affected."
            ),
            _(
                "Please indicate how your company engages with the defenders and communities "
                "affected by its operations."
            ),
        ]
    questions = [
        _(
            "Please provide any additional information and comment you may have on the above "
            "allegations."
        ),
    ]
    if kind == CommunicationType.OTHER_LETTER:
        questions += [
            _(
                "Please explain how the law, bill or policy is compatible with your "
                "Government's obligations under international human rights law."
            ),
            _(
                "Please indicate whether human rights defenders and civil society were "
                "consulted in its preparation."
            ),
        ]
    else:
        questions += [
            _(
                "Please provide information on the factual and legal grounds for the measures "
                "taken against the persons concerned, and explain how they are compatible with "
                "international human rights law."
            ),
            _(
                "Please provide information on any investigation into the allegations, and on "
                "its results."
            ),
            _(
                "Please indicate what measures have been taken to guarantee the physical and "
                "psychological integrity of the persons concerned and of their families."
            ),
            _(
                "Please indicate what measures have been taken to ensure that human rights "
                "defenders can carry out their legitimate work in a safe and enabling "
                "environment, without fear of threats or reprisals."
            ),
        ]
    return questions


def build(
    communication: Communication,
    *,
    addressee: Addressee | None = None,
    public: bool = False,
    language: str | None = None,
    reader: Any = None,
) -> Letter:
    """The letter to `addressee` (the first one when None), or, with `public`, the
    text that may be published. Names follow the consent for that reader.

    With `reader` (a member of staff reading or downloading the letter at the desk),
    the people that reader may not open (a defender of another country, linked to a
    case of theirs) are neither named nor described: the letter would otherwise show
    what the case file withholds from them."""
    if addressee is None:
        addressee = communication.addressees.order_by("position", "pk").first()
    audience = PUBLIC if public else (addressee.kind if addressee else AddresseeKind.STATE)
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        defenders = _defenders_of(communication)
        hidden = _hidden_from(reader, defenders)
        withhold = Withholder(defenders, audience, hidden)
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", communication.body) if p.strip()]
        custom = [q.strip() for q in communication.questions.splitlines() if q.strip()]
        questions = [withhold(q) for q in custom] or default_questions(communication.kind, audience)
        on: date = communication.sent_on or timezone.localdate()
        salutation = (
            _("Excellency,")
            if addressee and addressee.kind == AddresseeKind.STATE
            else _("Dear Sir or Madam,")
        )
        concern = {
            CommunicationType.URGENT_APPEAL: _(
                "Without prejudging the accuracy of these allegations, I express grave "
                "concern for the physical and psychological integrity of the persons "
                "concerned, and urge that all necessary measures be taken to protect them "
                "and to prevent the alleged violations from continuing or recurring."
            ),
            CommunicationType.ALLEGATION_LETTER: _(
                "Without prejudging the accuracy of these allegations, I express serious "
                "concern that the persons concerned appear to have been targeted for "
                "their legitimate work in defence of human rights."
            ),
            CommunicationType.OTHER_LETTER: _(
                "I am concerned that the law, bill or policy described above may restrict "
                "the legitimate work of human rights defenders, and I would welcome the "
                "opportunity to discuss it with your Government."
            ),
        }[CommunicationType(communication.kind)]
        closing = [
            _(
                "I would be grateful for your observations within 60 days. After that "
                "time, this communication and any reply received will be made public on "
                "the communications page, and may be included in the report presented "
                "to the Human Rights Council."
            ),
            _("Please accept the assurances of my highest consideration."),
        ]
        return Letter(
            language=translation.get_language(),
            reference=communication.reference or _("Draft, not yet sent"),
            dated=date_format(on, "DATE_FORMAT"),
            kind=communication.kind,
            audience=audience,
            addressee=[] if public else _addressee_lines(addressee),
            salutation=salutation,
            opening=_opening(communication, withhold),
            facts=[withhold(p) for p in paragraphs],
            persons=_persons(communication, defenders, audience, hidden),
            concern=concern,
            standards=_standards(communication, audience, defenders),
            questions=questions,
            closing=closing,
            signature=_("Special Rapporteur on the situation of human rights defenders"),
            draft=not communication.reference,
        )


def _hidden_from(reader: Any, defenders: list[Defender]) -> frozenset[int]:
    """The ids of `defenders` whom `reader` may not open (none without a reader)."""
    if reader is None:
        return frozenset()
    from vigil.cases.access import defenders_for_user

    ids = [d.pk for d in defenders]
    reachable = set(defenders_for_user(reader).filter(pk__in=ids).values_list("pk", flat=True))
    return frozenset(ids) - reachable


def public_withholder(communication: Communication) -> Withholder:
    """Withholds, in any text about `communication`, the names of those who did not
    consent to publication: for the public page, the search index and reports."""
    return Withholder(_defenders_of(communication), PUBLIC)


def public_summary(communication: Communication) -> str:
    """The summary as it may be published: names without consent withheld."""
    return public_withholder(communication)(communication.summary)


def headings() -> dict[str, str]:
    return {
        "facts": _("The information received"),
        "persons": _("The persons concerned"),
        "standards": _("Applicable international human rights standards"),
        "questions": _("In connection with the above, please provide the following:"),
    }


def as_pdf(letter: Letter) -> bytes:
    with translation.override(letter.language):
        return documents.render_pdf(
            "communications/letter_pdf.html",
            {"letter": letter, "headings": headings()},
            stylesheet="css/letter.css",
        )


def as_docx(letter: Letter) -> bytes:
    """The letter as a Word document, for the desk to adjust before it is signed."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    with translation.override(letter.language):
        titles = headings()
        document = Document()
        style = document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(11.5)
        reference = document.add_paragraph()
        reference.add_run(_("Reference: %(ref)s") % {"ref": letter.reference}).bold = True
        dated = documents.paragraph(document, letter.dated)
        dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        documents.heading(document, letter.title, level=1)
        for line in letter.addressee:
            documents.paragraph(document, line)
        documents.paragraph(document, letter.salutation)
        for paragraph in letter.opening:
            documents.paragraph(document, paragraph)
        if letter.facts:
            documents.heading(document, titles["facts"], level=2)
            for paragraph in letter.facts:
                documents.paragraph(document, paragraph)
        if letter.persons:
            documents.heading(document, titles["persons"], level=2)
            for person in letter.persons:
                documents.paragraph(document, person.label, style="List Bullet")
                for act in person.acts:
                    documents.paragraph(document, act, style="List Bullet 2")
        documents.paragraph(document, letter.concern)
        documents.heading(document, titles["standards"], level=2)
        for standard in letter.standards:
            documents.paragraph(document, standard)
        documents.heading(document, titles["questions"], level=2)
        for question in letter.questions:
            documents.paragraph(document, question, style="List Number")
        for paragraph in letter.closing:
            documents.paragraph(document, paragraph)
        documents.paragraph(document, letter.signature).runs[0].italic = True
        output = io.BytesIO()
        document.save(output)
        return output.getvalue()
