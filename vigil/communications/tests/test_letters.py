"""Letters as DOCX and PDF, read back out of the files: layout and consent to names."""

import io
import re
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader

from vigil.cases import consent
from vigil.cases import services as case_services
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import SexGender, ViolationType
from vigil.communications import letters, services
from vigil.communications.models import Communication, Status

pytestmark = pytest.mark.django_db


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squash(text: str) -> str:
    """PDF text comes back with its own line breaks; compare words only."""
    return " ".join(text.split())


@pytest.fixture
def case_with_two_defenders(alice):
    case = make.case(alice)
    consenting = make.defender(
        alice, name="Marta Quispe Huamán", consent_share_state=True, consent_publish=False
    )
    withheld = make.defender(
        alice,
        name="Rosa Elena Tupac",
        aliases="La Rosa",
        sex_gender=SexGender.WOMAN,
        is_journalist=True,
    )
    for defender in (consenting, withheld):
        case_services.case_add_defender(actor=alice, case=case, defender=defender)
    incident = make.incident(alice, case=case, start_date=date(2025, 3, 14))
    make.act(alice, incident=incident, victim=consenting, violation=ViolationType.THREATS)
    make.act(alice, incident=incident, victim=withheld, violation=ViolationType.ARBITRARY_DETENTION)
    return case


def draft(actor, case, **fields):
    values = {
        "kind": "UA",
        "summary": "Threats against Marta Quispe Huamán and Rosa Elena Tupac.",
        "body": (
            "Marta Quispe Huamán and Rosa Elena Tupac lead the river committee.\n\n"
            "On 14 March 2025 police detained Rosa at the office; La Rosa, as she is "
            "known, was held for two days. TUPAC was not charged."
        ),
        "addressees": [{"kind": "state", "country": "COL"}],
        "cases": [case],
        **fields,
    }
    return services.communication_create(actor=actor, **values)


def send(alice, carol, communication, on):
    for step, actor in ((Status.SUBMITTED, alice), (Status.APPROVED, carol)):
        current = Communication.objects.get(pk=communication.pk)
        services.communication_move(
            actor=actor, communication=current, to=step, version=current.version
        )
    current = Communication.objects.get(pk=communication.pk)
    return services.communication_move(
        actor=carol, communication=current, to=Status.SENT, version=current.version, on=on
    )


def test_a_state_letter_names_only_who_consented_to_the_state_in_docx_and_pdf(
    alice, carol, case_with_two_defenders
):
    communication = send(alice, carol, draft(alice, case_with_two_defenders), date(2026, 3, 2))
    letter = letters.build(communication, language="en")
    for text in (docx_text(letters.as_docx(letter)), squash(pdf_text(letters.as_pdf(letter)))):
        assert "UA COL 1/2026" in text
        assert "Urgent appeal" in text
        assert "Permanent Mission of Colombia to the United Nations Office at Geneva" in text
        assert "Excellency," in text
        assert "Marta Quispe Huamán" in text  # consented to the State
        assert "Rosa" not in text and "Tupac" not in text.title()  # neither name nor alias
        assert "a woman journalist from Colombia" in text
        assert "Arbitrary arrest or detention" in text
        assert "53/144" in text  # the Declaration
        assert "72/247, paragraph 9" in text  # detention: para 9
        assert "72/247, paragraph 11" in text  # a woman defender: para 11
        assert "Guiding Principles" not in text  # no company involved
        assert "physical and psychological integrity" in text  # a usual question
        assert "within 60 days" in text


def test_a_company_letter_needs_consent_for_companies_and_cites_the_guiding_principles(
    alice, carol, case_with_two_defenders
):
    communication = draft(
        alice,
        case_with_two_defenders,
        kind="AL",
        addressees=[
            {
                "kind": "business",
                "name": "Minera Andina S.A.",
                "country": "CAN",
                "sector": "extractives",
            }
        ],
    )
    letter = letters.build(communication, language="en")
    for text in (docx_text(letters.as_docx(letter)), squash(pdf_text(letters.as_pdf(letter)))):
        assert "Minera Andina S.A." in text
        assert "Dear Sir or Madam," in text
        assert "Draft, not yet sent" in text
        # Marta consented to the State only, not to the company.
        assert "Marta" not in text and "Quispe" not in text
        assert "Guiding Principles on Business and Human Rights, principles 11" in text
        assert "72/247, paragraph 12" in text
        assert "human rights due diligence" in text
    assert letter.withheld == 2


def test_the_public_text_withholds_every_name_without_consent_to_publish(
    alice, case_with_two_defenders
):
    communication = draft(alice, case_with_two_defenders)
    public = letters.build(communication, public=True, language="en")
    text = public.text() + letters.public_summary(communication)
    assert "Marta" not in text and "Rosa" not in text and "Tupac" not in text
    assert public.addressee == []
    marta = communication.cases.get().defenders.get(consent_share_state=True)
    marta.consent_publish = True
    marta.save()
    assert "Marta Quispe Huamán" in letters.public_summary(communication)


def test_withholding_replaces_full_names_before_their_parts_and_merges_repeats(alice):
    rosa = make.defender(alice, name="Rosa Elena Tupac", aliases="La Rosa")
    withhold = consent.Withholder([rosa], consent.PUBLIC)
    label = "[a human rights defender from Colombia]"
    assert withhold("Rosa Elena Tupac spoke.") == f"{label} spoke."
    assert withhold("ROSA and tupac") == f"{label} and {label}"
    assert withhold("Rosa Tupac") == label  # two parts side by side: one description
    assert withhold("Rosario and Elenaville") == "Rosario and Elenaville"  # whole words only
    assert withhold("La Rosa came") == f"{label} came"


def test_custom_questions_replace_the_usual_ones_and_are_withheld_too(
    alice, case_with_two_defenders
):
    communication = draft(
        alice,
        case_with_two_defenders,
        questions="Where is Rosa Elena Tupac held?\n\nWho ordered it?",
    )
    letter = letters.build(communication, language="en")
    assert letter.questions == [
        "Where is [a woman journalist from Colombia] held?",
        "Who ordered it?",
    ]


def test_an_other_letter_about_a_law_cites_paragraph_4_and_asks_about_compatibility(alice):
    communication = services.communication_create(
        actor=alice,
        kind="OL",
        summary="The draft law on foreign funding of associations.",
        body="The bill would require every association receiving foreign funds to register.",
        addressees=[{"kind": "state", "country": "KEN"}],
    )
    letter = letters.build(communication, language="en")
    text = docx_text(letters.as_docx(letter))
    assert "72/247, paragraph 4" in text
    assert "compatible with your Government's obligations" in text
    assert "The persons concerned" not in text


@pytest.mark.parametrize(
    ("recorded", "written"),
    [
        ("İlknur Yılmaz", "İlknur Yılmaz and Yılmaz"),
        ("Ilknur Demir", "İlknur Demir"),  # recorded without the dot, written with it
        ("Klaus Groß", "Klaus Groß"),
        ("Ana Pérez-Gómez", "Ms Pérez and Ms Gomez"),  # a part of a double name, no accent
        ("Seán O'Brien", "SEAN O'BRIEN"),
    ],
)
@pytest.mark.slow  # about 1 s
def test_names_are_withheld_whatever_their_accents_case_and_hyphens(alice, recorded, written):
    defender = make.defender(alice, name=recorded)
    withheld = consent.Withholder([defender], consent.PUBLIC)(written)
    assert "[a human rights defender from Colombia]" in withheld
    for part in re.split(r"[\W_]+", written):
        if len(part) >= 3 and consent.fold(part) in consent.fold(recorded):
            assert part not in withheld, withheld


def test_text_pasted_with_control_characters_still_makes_a_word_letter(alice):
    communication = services.communication_create(
        actor=alice, kind="AL", summary="Pasted\x0bfrom Word",
        body="First line\x0bsecond line\x07 bell.",
        addressees=[{"kind": "state", "country": "KEN"}],
    )  # fmt: skip
    text = docx_text(letters.as_docx(letters.build(communication, language="en")))
    assert "First line second line  bell." in text
