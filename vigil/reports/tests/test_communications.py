"""The communications report: what it counts, what it names, and the command."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from vigil.communications import services
from vigil.communications.models import Communication
from vigil.communications.tests.helpers import sent
from vigil.reports import communications as reports
from vigil.reports import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(alice, carol, case):
    """Three letters: two in the first half of 2026 (one answered), one after."""
    first = sent(alice, carol, case, date(2026, 1, 15))
    second = sent(
        alice, carol, case, date(2026, 3, 1),
        addressees=[{"kind": "business", "name": "Minera SA", "country": "CAN"}],
    )  # fmt: skip
    later = sent(alice, carol, case, date(2026, 8, 1))
    services.reply_log(
        actor=alice, communication=Communication.objects.get(pk=first.pk),
        received_on=date(2026, 4, 20), sender="Permanent Mission of Colombia", kind="partial",
    )  # fmt: skip
    return first, second, later


def test_it_counts_the_letters_sent_and_the_replies_received_in_their_periods(period):
    first, second, later = period
    report = reports.build(
        sent_from=date(2026, 1, 1), sent_to=date(2026, 6, 30),
        replies_from=date(2026, 4, 1), replies_to=date(2026, 4, 30),
    )  # fmt: skip
    assert [line.reference for line in report.letters] == [first.reference, second.reference]
    assert dict(report.by_kind)["Urgent appeal"] == 2
    assert dict(report.by_addressee) == {
        "State": 1, "Business enterprise": 1, "Other non-State actor": 0,
    }  # fmt: skip
    assert report.answered == 1
    assert [r.reference for r in report.replies] == [first.reference]
    assert report.replies[0].text() == (
        "Partial reply from Permanent Mission of Colombia, received April 20, 2026 "
        "(after the deadline)"
    )
    # Replies outside their period are not listed under it, though their letter is.
    none = reports.build(
        sent_from=date(2026, 1, 1), sent_to=date(2026, 6, 30),
        replies_from=date(2026, 5, 1), replies_to=date(2026, 5, 31),
    )  # fmt: skip
    assert none.replies == [] and none.letters[0].replies


@pytest.mark.slow  # about 3 s
def test_it_names_only_those_who_consented_to_publication_in_every_format(period):
    for fmt in ("pdf", "docx", "html"):
        built = registry.build(
            "communications", start=date(2026, 1, 1), end=date(2026, 12, 31), fmt=fmt
        )
        if fmt == "pdf":
            text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(built.content)).pages)
            text = " ".join(text.split())
        elif fmt == "docx":
            text = "\n".join(p.text for p in Document(io.BytesIO(built.content)).paragraphs)
        else:
            text = built.content.decode()
        assert "UA COL 1/2026" in text, fmt
        assert "Marta Quispe" in text, fmt
        assert "Rosa" not in text and "Tupac" not in text, fmt


def test_it_warns_when_letters_are_still_confidential(alice, carol, case):
    recent = sent(alice, carol, case, timezone.localdate() - timedelta(days=10))
    report = reports.build(sent_from=recent.sent_on, sent_to=recent.sent_on)
    assert report.confidential == 1
    assert "do not make this report public before" in report.notice


@pytest.mark.slow  # about 2 s
def test_the_command_writes_the_file_with_a_progress_bar_and_audits_it(period, tmp_path):
    output = tmp_path / "report.docx"
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "build_report", "communications", "--from", "2026-01-01", "--to", "2026-06-30",
        "--format", "docx", "--output", str(output), stdout=out, stderr=err,
    )  # fmt: skip
    text = "\n".join(p.text for p in Document(str(output)).paragraphs)
    assert "UA COL 1/2026" in text and "UA COL 3/2026" not in text
    assert len(Document(str(output)).inline_shapes) == 1  # the chart of letters by type
    assert "100%  2/2 communications" in err.getvalue()
    assert str(output) in out.getvalue()
    assert not list(tmp_path.glob("*.partial"))
    from vigil.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="reports.built", object_id="communications").exists()


def test_the_command_refuses_bad_input_and_writes_nothing(tmp_path):
    output = tmp_path / "report.pdf"
    for arguments, message in (
        (["nonsense", "--from", "2026-01-01", "--to", "2026-02-01"], "unknown report"),
        (["communications", "--from", "2026-13-01", "--to", "2026-02-01"], "not a date"),
        (["communications", "--from", "2026-03-01", "--to", "2026-02-01"], "before"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("build_report", *arguments, "--output", str(output))
    assert not output.exists()
