"""The annual, assessment and reprisals reports on records built by hand: what they
count, what they name, their charts, read back from PDF, DOCX and HTML."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from docx import Document
from pypdf import PdfReader

from vigil.activities import services as activities
from vigil.activities.models import ActivityReport
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import ViolationType
from vigil.communications import services as communications
from vigil.communications.models import Communication, CountryVisit
from vigil.communications.tests.helpers import sent
from vigil.measures import services as measures
from vigil.reports import registry
from vigil.reports.models import Narrative

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 6, 30)


def text_of(content: bytes, fmt: str) -> str:
    if fmt == "pdf":
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    elif fmt == "docx":
        document = Document(io.BytesIO(content))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
        text = "\n".join(parts)
    else:
        text = re.sub(r"<[^>]+>", " ", content.decode())
    return " ".join(text.split())


def charts_in(content: bytes, fmt: str) -> int:
    if fmt == "docx":
        return len(Document(io.BytesIO(content)).inline_shapes)
    if fmt == "html":
        return content.decode().count("<svg")
    return len(re.findall(rb"/Subtype\s*/Form", content))  # WeasyPrint draws SVG as forms


def build(name, fmt):
    return registry.build(name, start=START, end=END, fmt=fmt).content


@pytest.fixture
def reprisals(carol):
    named = make.defender(carol, name="Marta Quispe", sex_gender="woman", consent_publish=True)
    unnamed = make.defender(carol, name="Rosa Tupac", sex_gender="woman", consent_share_state=True)
    bystander = make.defender(carol, name="Lucía Mamani", consent_publish=True)
    case = make.case(carol, title="River committee")
    for victim, on, reprisal in (
        (named, date(2026, 2, 10), True),
        (unnamed, date(2026, 3, 5), True),
        (unnamed, date(2025, 11, 1), True),  # before the period
        (bystander, date(2026, 3, 5), False),  # not a reprisal
    ):
        incident = make.incident(carol, case=case, start_date=on)
        make.act(
            carol, incident=incident, victim=victim, violation=ViolationType.THREATS,
            reprisal=reprisal, reprisal_body="special_procedures" if reprisal else "",
            perpetrators=[{"category": "police"}],
        )  # fmt: skip
    return case


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
@pytest.mark.slow  # about 1 s
def test_the_reprisals_report_names_only_those_who_consented(reprisals, fmt):
    content = build("reprisals", fmt)
    text = text_of(content, fmt)
    assert "2 acts of reprisal against 2 people and organisations were recorded." in text
    assert "Marta Quispe" in text
    assert "a woman human rights defender from Colombia" in text
    for withheld in ("Rosa", "Tupac", "Lucía", "Mamani"):
        assert withheld not in text
    assert "UN special procedures" in text and "State: police" in text
    assert "February 2026" in text and "November 2025" not in text
    assert charts_in(content, fmt) >= 1


@pytest.fixture
def letters(alice, carol):
    case = make.case(alice, title="River committee")
    victim = make.defender(alice, name="Marta Quispe")
    make.act(alice, incident=make.incident(alice, case=case), victim=victim)
    first = sent(alice, carol, case, date(2026, 1, 15), themes=["women"])
    second = sent(
        alice, carol, case, date(2026, 3, 1), kind="AL",
        addressees=[{"kind": "business", "name": "Minera SA", "country": "CAN"}],
    )  # fmt: skip
    later = sent(alice, carol, case, date(2026, 8, 1))
    communications.reply_log(
        actor=alice, communication=Communication.objects.get(pk=first.pk),
        received_on=date(2026, 2, 20), sender="Permanent Mission of Colombia", kind="partial",
    )  # fmt: skip
    CountryVisit.objects.create(
        country="HND", requested_on=date(2025, 10, 1), status="done",
        starts_on=date(2026, 4, 6), ends_on=date(2026, 4, 15), report_symbol="A/HRC/61/99",
    )  # fmt: skip
    return first, second, later


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
@pytest.mark.slow  # about 3 s
def test_the_annual_annex_counts_letters_replies_visits_and_themes(letters, fmt):
    first, second, later = letters
    content = build("annual", fmt)
    text = text_of(content, fmt)
    assert (
        "2 communications were sent in the period: 1 urgent appeals, 1 allegation letters "
        "and 0 other letters. 1 have received a reply."
    ) in text
    assert first.reference in text and second.reference in text
    assert later.reference not in text
    assert "Minera SA" in text and "Honduras" in text and "A/HRC/61/99" in text
    assert "Women defenders" in text
    assert "Marta" not in text  # no name in an annex of counts and references
    assert charts_in(content, fmt) >= 3  # by type, replies, themes


def test_the_annual_annex_leaves_out_every_letter_still_confidential(alice, carol):
    case = make.case(alice)
    make.act(alice, incident=make.incident(alice, case=case), victim=make.defender(alice))
    recent = sent(alice, carol, case, date(2026, 11, 20))  # confidential for 60 days
    content = registry.build("annual", start=START, end=date(2026, 11, 28), fmt="html").content
    text = text_of(content, "html")
    # Not even counted: the annex may be published, and analysts build it too.
    assert "0 communications were sent in the period" in text
    assert "Letters still confidential on the day this report was built are not counted" in text
    assert recent.reference not in text and "Colombia" not in text


@pytest.fixture
def assessment(alice, carol, sam):
    measures.measure_create(
        actor=alice, country="COL", kind="bill", title="Foreign funding bill",
        effect="restrictive", status="parliament", status_on=date(2026, 2, 1),
    )  # fmt: skip
    measures.measure_create(
        actor=alice, country="COL", kind="bill", title="An old protection law",
        effect="enabling", status="adopted", status_on=date(2020, 2, 1),
    )  # fmt: skip
    report = activities.report_submit(
        actor=sam, stakeholder="Defensoría del Pueblo", stakeholder_type="nhri",
        title="Training for community leaders", kind="training", starts_on=date(2026, 3, 10),
        level_local=True, description="Two days with forty leaders.", countries=["COL"],
    )  # fmt: skip
    report = ActivityReport.objects.get(pk=report.pk)
    activities.report_review(
        actor=alice, report=report, version=report.version, decision="accepted"
    )
    victim = make.defender(alice, name="Marta Quispe")
    make.act(
        alice, incident=make.incident(alice, start_date=date(2026, 3, 1)), victim=victim,
        violation=ViolationType.KILLING,
    )  # fmt: skip
    Narrative.objects.create(
        report="assessment", starts_on=START, ends_on=END, section="challenges",
        text="Funding laws are spreading across the region.",
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
@pytest.mark.slow  # about 4 s
def test_the_assessment_puts_the_desks_narrative_above_the_numbers(assessment, fmt):
    content = build("assessment", fmt)
    text = text_of(content, fmt)
    sections = [
        "Introduction", "Trends in attacks and reprisals", "Enabling and restrictive measures",
        "Good practices", "Challenges", "Conclusions and recommendations",
    ]  # fmt: skip
    positions = [text.index(s) for s in sections]
    assert positions == sorted(positions)
    challenges = text.index("Challenges", positions[3] + 1)
    assert text.index("Funding laws are spreading across the region.") > challenges
    assert "Foreign funding bill" in text and "An old protection law" not in text
    assert "Training for community leaders" in text and "Two days with forty leaders." in text
    assert "Killing" in text and "Marta" not in text
    assert charts_in(content, fmt) >= 4  # years, categories, regions, measures, reports


@pytest.mark.slow  # about 1 s
def test_the_command_builds_every_kind_with_a_progress_bar(reprisals, tmp_path):
    for name in ("annual", "assessment", "reprisals"):
        output = tmp_path / f"{name}.docx"
        errors = io.StringIO()
        call_command(
            "build_report", name, "--from", "2026-01-01", "--to", "2026-06-30",
            "--format", "docx", "--output", str(output), stderr=errors, stdout=io.StringIO(),
        )  # fmt: skip
        assert "100%" in errors.getvalue()
        assert Document(str(output)).paragraphs[0].text.endswith("June 30, 2026")
