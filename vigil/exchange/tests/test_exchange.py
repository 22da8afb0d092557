"""Import and export: a round trip through an empty database, a bad row among a
thousand that stops the whole import and is named, --skip-invalid with the rejected
rows written beside the input, a second import that changes nothing, and the
importer's countries and role."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from vigil.cases import services
from vigil.cases.models import Act, Case, Defender, Incident, Source
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import ViolationType
from vigil.core.models import AuditEntry
from vigil.exchange import exporter, importer
from vigil.exchange.models import ExternalRef

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(carol):
    case = make.case(carol, title="River committee")
    marta = make.defender(
        carol, name="Marta Quispe", sex_gender="woman", is_journalist=True,
        focus_environment=True, contact="+57 300 000", consent_publish=True,
    )  # fmt: skip
    group = make.defender(carol, name="Colectivo", kind="group", country="PER")
    first = make.incident(carol, case=case, title="Raid", narrative="Police raided the office.")
    second = make.incident(carol, country="PER", title="Threats", start_precision="month")
    detained = make.act(
        carol, incident=first, victim=marta, violation=ViolationType.ARBITRARY_DETENTION,
        perpetrators=[{"category": "police"}, {"category": "business"}], reprisal=True,
        reprisal_body="ohchr", charges="rebellion", rights_affected=["liberty"],
    )  # fmt: skip
    make.act(carol, incident=second, victim=group, violation=ViolationType.THREATS)
    make.source(carol, incident=first, acts=[detained], name="A neighbour")
    detained.refresh_from_db()
    services.act_set_verification(
        actor=carol, act=detained, version=detained.version, verification="verified",
        independent_sources=1,
    )  # fmt: skip
    return case


def without_links(data):
    return {
        kind: [{k: v for k, v in row.items() if k != "url"} for row in rows]
        for kind, rows in data.items()
    }


def empty_the_database():
    Source.objects.all().delete()
    Act.objects.all().delete()
    Case.objects.all().delete()
    Incident.objects.all().delete()
    Defender.objects.all().delete()
    ExternalRef.objects.all().delete()


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_export_import_into_an_empty_database_export_again_is_identical(
    records, carol, tmp_path, suffix
):
    first = tmp_path / f"first{suffix}"
    call_command(
        "export_records", str(first), "--as", "carol", "--identities", stdout=io.StringIO()
    )
    before = exporter.rows(carol, identities=True)
    assert {k: len(v) for k, v in before.items()} == {
        "defenders": 2,
        "incidents": 2,
        "acts": 2,
        "sources": 1,
    }
    assert before["acts"][0]["url"] == f"/desk/cases/{records.pk}/"  # a link back to its record
    empty_the_database()
    out = io.StringIO()
    call_command("import_records", str(first), "--as", "carol", stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "7 created, 0 updated, 0 unchanged, 0 rejected"
    after = exporter.rows(carol, identities=True)
    assert without_links(after) == without_links(before)
    verified = Act.objects.get(violation="arbitrary_detention")
    assert verified.verification == "verified" and verified.charges == "rebellion"
    assert {p.category for p in verified.perpetrators.all()} == {"police", "business"}


def test_importing_the_same_file_again_changes_nothing(records, carol, tmp_path):
    path = tmp_path / "records.json"
    call_command("export_records", str(path), "--as", "carol", "--identities", stdout=io.StringIO())
    versions = sorted(Act.objects.values_list("pk", "version"))
    entries = AuditEntry.objects.count()
    out = io.StringIO()
    call_command("import_records", str(path), "--as", "carol", stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "0 created, 0 updated, 7 unchanged, 0 rejected"
    assert sorted(Act.objects.values_list("pk", "version")) == versions
    assert AuditEntry.objects.count() == entries
    # A changed row updates its record, and only that one.
    data = json.loads(path.read_text())
    data["defenders"][0]["occupation"] = "river guardian"
    path.write_text(json.dumps(data))
    out = io.StringIO()
    call_command("import_records", str(path), "--as", "carol", stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "0 created, 1 updated, 6 unchanged, 0 rejected"
    assert Defender.objects.order_by("pk").first().occupation == "river guardian"  # rows follow ids


def thousand_rows(bad_row: int, each: int = 250) -> str:
    """250 (or `each`) defenders, incidents, acts and sources (1,000 rows); act row
    `bad_row` has a violation that does not exist."""
    output = io.StringIO()
    from vigil.exchange.layout import csv_header

    writer = csv.DictWriter(output, fieldnames=csv_header()[:-1], extrasaction="ignore")
    writer.writeheader()
    for n in range(1, each + 1):
        writer.writerow(
            {
                "record": "defender",
                "external_id": f"d{n}",
                "kind": "person",
                "name": f"Person {n}",
                "country": "COL",
            }
        )
    for n in range(1, each + 1):
        writer.writerow(
            {
                "record": "incident",
                "external_id": f"i{n}",
                "title": f"Incident {n}",
                "narrative": "Threats by telephone.",
                "start_date": "2025-03-01",
                "country": "COL",
            }
        )
    for n in range(1, each + 1):
        violation = "flying" if n == bad_row else "threats"
        writer.writerow(
            {
                "record": "act",
                "external_id": f"a{n}",
                "incident": f"i{n}",
                "victim": f"d{n}",
                "violation": violation,
                "perpetrators": "police;business",
            }
        )
    for n in range(1, each + 1):
        writer.writerow(
            {
                "record": "source",
                "external_id": f"s{n}",
                "incident": f"i{n}",
                "name": f"Source {n}",
                "kind": "ngo",
                "acts": f"a{n}",
            }
        )
    return output.getvalue()


@pytest.mark.slow  # a thousand rows
def test_one_bad_row_in_a_thousand_imports_nothing_and_is_named(carol, tmp_path):
    path = tmp_path / "thousand.csv"
    path.write_text(thousand_rows(bad_row=137), encoding="utf-8")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="2 of 1000 rows are not valid: nothing was imported"):
        call_command(
            "import_records", str(path), "--as", "carol", stderr=errors, stdout=io.StringIO()
        )
    assert "act row 137, column violation: flying is not one of:" in errors.getvalue()
    assert "source row 137, column acts: no valid act with external id a137" in errors.getvalue()
    assert Defender.objects.count() == Incident.objects.count() == Act.objects.count() == 0
    assert not ExternalRef.objects.exists()

    out = io.StringIO()
    call_command(
        "import_records", str(path), "--as", "carol", "--skip-invalid", stdout=out,
        stderr=io.StringIO(),
    )  # fmt: skip
    assert out.getvalue().strip() == "998 created, 0 updated, 0 unchanged, 2 rejected"
    assert Act.objects.count() == 249 and Source.objects.count() == 249
    rejected = list(
        csv.DictReader(io.StringIO((tmp_path / "thousand.csv.rejected.csv").read_text("utf-8-sig")))
    )
    assert [(r["record"], r["external_id"]) for r in rejected] == [
        ("act", "a137"),
        ("source", "s137"),
    ]
    assert "violation: flying is not one of" in rejected[0]["problems"]


def test_rows_outside_the_importers_countries_or_role_are_refused(alice, dave):
    raw = {
        "defenders": [{"external_id": "d1", "kind": "person", "name": "A", "country": "KEN"}],
        "incidents": [
            {"external_id": "i1", "title": "T", "narrative": "N", "start_date": "2025-01-01",
             "country": "COL"},
        ],
        "acts": [], "sources": [],
    }  # fmt: skip
    report = importer.run(alice, raw)  # Alice covers Colombia and the Philippines
    assert not report.imported and [str(p) for p in report.problems] == [
        "defender row 1, column country: outside the countries you work on"
    ]
    with pytest.raises(PermissionError):
        importer.run(dave, raw)  # an analyst documents no cases


def test_a_file_that_cannot_be_read_says_why(tmp_path, carol):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(CommandError, match="The file is not JSON"):
        call_command("import_records", str(broken), "--as", "carol")
    csv_file = tmp_path / "no-record.csv"
    csv_file.write_text("external_id,name\nd1,A\n")
    with pytest.raises(CommandError, match="record column"):
        call_command("import_records", str(csv_file), "--as", "carol")
    raw = {"defenders": [{"external_id": "d1", "kind": "person", "name": "A", "country": "COL",
                          "born": "1990", "consent_publish": "maybe"}],
           "incidents": [{"external_id": "i1", "title": "T", "narrative": "N",
                          "start_date": "31/12/2025", "country": "XXX"}],
           "acts": [], "sources": []}  # fmt: skip
    problems = [str(p) for p in importer.check(carol, raw).problems]
    assert problems == [
        "defender row 1, column born: not a column of this kind of record",
        "defender row 1, column consent_publish: not true or false: maybe",
        "incident row 1, column start_date: not a date (YYYY-MM-DD): 31/12/2025",
        "incident row 1, column country: not an ISO 3166-1 alpha-3 country code: XXX",
    ]


def test_a_row_the_records_own_checks_refuse_stops_the_import_too(carol):
    raw = {
        "defenders": [{"external_id": "d1", "kind": "person", "name": "A", "country": "COL"}],
        "incidents": [{"external_id": "i1", "title": "T", "narrative": "N",
                       "start_date": "2025-01-01", "country": "COL"}],
        "acts": [{"external_id": "a1", "incident": "i1", "victim": "d1", "violation": "threats",
                  "reprisal": "false", "reprisal_body": "ohchr"}],
        "sources": [],
    }  # fmt: skip
    report = importer.run(carol, raw)
    assert not report.imported
    assert [(p.kind, p.row, p.column) for p in report.problems] == [("acts", 1, "reprisal")]
    assert not Defender.objects.exists() and not ExternalRef.objects.exists()
    partly = importer.run(carol, raw, skip_invalid=True)
    assert partly.imported and partly.created == 2 and Act.objects.count() == 0


@pytest.mark.slow  # about 23 s
def test_the_desk_checks_an_upload_and_lists_the_problems_by_row(client, carol):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from vigil.exchange import jobs
    from vigil.exchange.models import ImportJob
    from vigil.vault import files

    client.force_login(carol)
    upload = SimpleUploadedFile("thousand.csv", thousand_rows(bad_row=5).encode(), "text/csv")
    response = client.post(reverse("exchange:import"), {"file": upload})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("exchange:import_status", args=[job.pk])
    stored = job.stored_name
    assert b"Person 1" not in files._sealed(stored)  # kept encrypted meanwhile
    jobs.run(job.pk)  # what the background thread does (see the transactional test)
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported: 2 of 1000 rows have problems." in page
    assert "<td>act</td><td>5</td><td>violation</td>" in page
    assert not Defender.objects.exists()
    assert not files.exists(stored)  # the upload is gone once checked

    upload = SimpleUploadedFile("thousand.csv", thousand_rows(bad_row=5).encode(), "text/csv")
    client.post(reverse("exchange:import"), {"file": upload, "skip_invalid": "on"})
    second = ImportJob.objects.exclude(pk=job.pk).get()
    jobs.run(second.pk)
    state = client.get(reverse("exchange:import_progress", args=[second.pk])).json()
    assert state["finished"] and "998 records created" in state["message"]
    assert Act.objects.count() == 249
    assert AuditEntry.objects.filter(action="exchange.imported").count() == 1
    client.force_login(make_user_for_test())
    assert client.get(reverse("exchange:import_status", args=[job.pk])).status_code == 404


def make_user_for_test():
    from conftest import make_user
    from vigil.core.vocabularies import Role

    return make_user("other-officer", Role.COORDINATOR)


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_imported_in_the_background_and_the_page_follows_it(client, carol):
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(carol)
    upload = SimpleUploadedFile("thousand.csv", thousand_rows(bad_row=0).encode(), "text/csv")
    status = client.post(reverse("exchange:import"), {"file": upload})["Location"]
    progress = status + "progress/"
    deadline = time.monotonic() + 120
    while not (state := client.get(progress).json())["finished"]:
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
    assert "1000 records created" in state["message"]
    assert Defender.objects.count() == 250 and Source.objects.count() == 250


def test_the_desk_exports_identities_only_to_those_who_may_see_them(client, alice, records, carol):
    from django.urls import reverse

    client.force_login(carol)
    named = client.get(reverse("exchange:export", args=["json"]) + "?identities=1")
    assert named["Content-Disposition"].endswith('"records.json"')
    assert "Marta Quispe" in named.content.decode()
    plain = client.get(reverse("exchange:export", args=["csv"])).content.decode("utf-8-sig")
    assert "Marta" not in plain and "vigil-defender-" in plain
    client.force_login(alice)  # Colombia and the Philippines: not the Peruvian records
    rows = json.loads(client.get(reverse("exchange:export", args=["json"])).content)
    assert [d["country"] for d in rows["defenders"]] == ["COL"]


def test_the_example_in_the_docs_imports(carol):
    from django.conf import settings

    text = (settings.BASE_DIR / "docs" / "import-export.md").read_text()
    example = text.split("```csv\n", 1)[1].split("```", 1)[0]
    report = importer.run(carol, importer.read_csv(example.encode()))
    assert report.imported and report.created == 4, [str(p) for p in report.problems]
    act = Act.objects.get()
    assert (
        act.violation == "arbitrary_detention" and act.sources.get().name == "Colectivo de Tierras"
    )
