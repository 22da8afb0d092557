"""The compilation of activity reports: how it groups and counts the accepted
reports, and the command that writes it."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from docx import Document

from vigil.activities.models import ReviewState
from vigil.activities.tests.test_activities import review, submit
from vigil.reports import compilation

pytestmark = pytest.mark.django_db


def test_the_compilation_groups_accepted_reports_by_stakeholder_and_region(sam, alice):
    accepted = [
        submit(sam, stakeholder_type="nhri", countries=["COL"]),
        submit(sam, stakeholder_type="nhri", countries=["KEN"], title="Kenya workshop"),
        submit(sam, stakeholder_type="civil_society", countries=["COL", "KEN"], title="Joint"),
        submit(sam, stakeholder_type="state", countries=["NLD"], starts_on=date(2026, 6, 30)),
    ]
    for report in accepted:
        review(alice, report, ReviewState.ACCEPTED)
    submit(sam, title="Still waiting")  # not accepted: not compiled
    outside = submit(sam, title="Last year", starts_on=date(2025, 5, 1))
    review(alice, outside, ReviewState.ACCEPTED)

    result = compilation.build(start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert result.total == 4
    table = {label: (counts, total) for label, counts, total in result.table}
    regions = result.regions
    nhri, _total = table["National human rights institution"]
    assert nhri[regions.index("Latin American and Caribbean Group")] == 1
    assert nhri[regions.index("African Group")] == 1
    civil, _total = table["Civil society"]
    assert civil[regions.index("Several regions or global")] == 1
    assert table["State"][1] == 1
    assert result.totals[regions.index("Western European and Others Group")] == 1
    titles = [e.title for g in result.groups for _r, entries in g.regions for e in entries]
    assert "Still waiting" not in titles and "Last year" not in titles


def test_build_report_compilation_writes_a_document_with_a_progress_bar(sam, alice, tmp_path):
    review(alice, submit(sam), ReviewState.ACCEPTED)
    output = tmp_path / "compilation.docx"
    err = io.StringIO()
    call_command(
        "build_report", "compilation", "--from", "2026-01-01", "--to", "2026-12-31",
        "--format", "docx", "--output", str(output), stdout=io.StringIO(), stderr=err,
    )  # fmt: skip
    text = "\n".join(p.text for p in Document(str(output)).paragraphs)
    assert "Training for community leaders" in text
    assert "Latin American and Caribbean Group" in text
    assert "100%  1/1 compilation" in err.getvalue()
    assert len(Document(str(output)).inline_shapes) == 1  # the chart by stakeholder type
