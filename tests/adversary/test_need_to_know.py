"""Need-to-know against an insider: an officer who covers Colombia (Alice) tries to
reach records of countries she does not cover, through the import, the API and the
links between records. Each test is one attack from issue 15 and fails on the code
as it was before the fix.

Failure messages give ids and counts, never names or narratives.
"""

import io
import json
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vigil.cases import services as case_services
from vigil.cases.models import Act, Source
from vigil.cases.tests import factories as make
from vigil.exchange import exporter, jobs
from vigil.exchange.models import ExternalRef, ImportJob

pytestmark = pytest.mark.django_db

SECRET_NAME = "Leyla Example"  # a defender in Azerbaijan, whom Alice must never read
SECRET_TITLE = "Detention of the lawyer"


@pytest.fixture
def azerbaijan(carol):
    """A case in Azerbaijan that the coordinator documented and exported, so that its
    records have external ids (`vigil-incident-N`, `vigil-defender-N`)."""
    case = make.case(carol, country="AZE", title="Lawyers' collegium")
    leyla = make.defender(carol, country="AZE", name=SECRET_NAME)
    case_services.case_add_defender(actor=carol, case=case, defender=leyla)
    incident = make.incident(carol, country="AZE", case=case, title=SECRET_TITLE)
    act = make.act(carol, incident=incident, victim=leyla)
    case_services.evidence_add(
        actor=carol, incident=incident, content=b"%PDF-1.4 statement", filename="statement.pdf"
    )
    exporter.rows(carol)  # registers the external ids, as a coordinator's export does
    return {"case": case, "defender": leyla, "incident": incident, "act": act}


def external_id(kind: str, record) -> str:
    return ExternalRef.objects.get(kind=kind, object_id=record.pk).external_id


def upload(client, user, data: dict) -> ImportJob:
    """Alice's upload at the desk, imported as the background thread would."""
    client.force_login(user)
    raw = {"defenders": [], "incidents": [], "acts": [], "sources": [], **data}
    file = SimpleUploadedFile("records.json", json.dumps(raw).encode(), "application/json")
    response = client.post(reverse("exchange:import"), {"file": file})
    assert response.status_code == 302
    job = ImportJob.objects.filter(requested_by=user).order_by("-created_at").first()
    jobs.run(job.pk)
    job.refresh_from_db()
    return job


def problems(job: ImportJob) -> list[list]:
    return json.loads(job.problems) if job.problems else []


# --- Import -----------------------------------------------------------------------------


def test_an_officer_cannot_move_an_incident_into_their_country_by_import(client, alice, azerbaijan):
    incident = azerbaijan["incident"]
    version = incident.version
    job = upload(client, alice, {"incidents": [{
        "external_id": external_id("incidents", incident), "title": "Mine now",
        "narrative": "Overwritten.", "start_date": "2025-01-01", "country": "COL",
    }]})  # fmt: skip
    incident.refresh_from_db()
    assert (incident.country, incident.version) == ("AZE", version), f"incident #{incident.pk}"
    untouched = incident.title == SECRET_TITLE  # compared apart: no title in a failure
    assert untouched, f"incident #{incident.pk} overwritten"
    # Refused as for any id of Vigil's own form that names nothing she may open,
    # whether or not it names a record elsewhere.
    assert not job.imported and job.created == 0 and job.updated == 0
    evidence = incident.evidence.get()
    answer = client.get(reverse("cases:evidence_download", args=[evidence.pk]))
    assert answer.status_code == 404
    assert client.get(reverse("cases:incident_edit", args=[incident.pk])).status_code == 404


def test_an_officer_cannot_move_a_defender_into_their_country_by_import(client, alice, azerbaijan):
    leyla = azerbaijan["defender"]
    job = upload(client, alice, {"defenders": [{
        "external_id": external_id("defenders", leyla), "kind": "person",
        "name": "Someone else", "country": "COL",
    }]})  # fmt: skip
    leyla.refresh_from_db()
    assert (leyla.country, leyla.version) == ("AZE", 1), f"defender #{leyla.pk}"
    untouched = leyla.name == SECRET_NAME
    assert untouched, f"defender #{leyla.pk} overwritten"
    assert not job.imported and job.created == 0 and job.updated == 0
    assert client.get(reverse("cases:defender_edit", args=[leyla.pk])).status_code == 404
    export = client.get(reverse("exchange:export", args=["json"]) + "?identities=1")
    named = SECRET_NAME in export.content.decode()
    assert not named, "the export holds the Azerbaijani defender's name"


def test_an_officer_cannot_attach_a_source_to_an_incident_outside_their_countries_by_import(
    client, alice, azerbaijan
):
    incident, act = azerbaijan["incident"], azerbaijan["act"]
    job = upload(client, alice, {"sources": [{
        "external_id": "s-alice", "incident": external_id("incidents", incident),
        "name": "A friendly source", "kind": "ngo", "reliability": "reliable",
        "acts": external_id("acts", act),
    }]})  # fmt: skip
    assert not job.imported
    assert not Source.objects.exists(), f"{Source.objects.count()} sources attached"
    assert [(p[0], p[2]) for p in problems(job)] == [("source", "incident"), ("source", "acts")]


def test_an_officer_cannot_record_acts_on_incidents_or_victims_outside_their_countries(
    client, alice, azerbaijan
):
    incident, leyla = azerbaijan["incident"], azerbaijan["defender"]
    job = upload(client, alice, {
        "defenders": [{"external_id": "d-alice", "kind": "person", "name": "A", "country": "COL"}],
        "incidents": [{"external_id": "i-alice", "title": "T", "narrative": "N",
                       "start_date": "2025-01-01", "country": "COL"}],
        "acts": [
            {"external_id": "a1", "incident": external_id("incidents", incident),
             "victim": "d-alice", "violation": "threats"},
            {"external_id": "a2", "incident": "i-alice",
             "victim": external_id("defenders", leyla), "violation": "threats"},
        ],
    })  # fmt: skip
    assert not job.imported
    assert Act.objects.count() == 1, f"{Act.objects.count()} acts"
    assert [(p[0], p[1], p[2]) for p in problems(job)] == [
        ("act", 1, "incident"),
        ("act", 2, "victim"),
    ]


def test_an_import_cannot_probe_which_external_ids_exist_outside_ones_countries(
    client, alice, azerbaijan
):
    real = external_id("incidents", azerbaijan["incident"])
    unused = "vigil-incident-999999"
    assert not ExternalRef.objects.filter(external_id=unused).exists()

    def answer(incident_ref: str) -> list[str]:
        job = upload(client, alice, {
            "defenders": [{"external_id": "d1", "kind": "person", "name": "A", "country": "COL"}],
            "acts": [{"external_id": "a1", "incident": incident_ref, "victim": "d1",
                      "violation": "threats"}],
        })  # fmt: skip
        return [re.sub(re.escape(incident_ref), "ID", p[3]) for p in problems(job)]

    assert answer(real) == answer(unused)
    assert answer(real) == ["no valid incident with external id ID"]


# --- Links between records --------------------------------------------------------------


class _Forms(HTMLParser):
    """The fields of each form with method=post in a page, as a browser sends them
    untouched: what the person sees is what goes back."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self.data: dict[str, list[str]] | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post":
            self.data = {}
            self.forms.append(self.data)
        if self.data is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.data.setdefault(self.select, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.data.setdefault(name, []).append("")

    def handle_data(self, data: str) -> None:
        if self.textarea and self.data is not None:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.data = None


def form_as_served(page: str) -> dict[str, list[str]]:
    """The page's record form (its largest form), as served."""
    parser = _Forms()
    parser.feed(page)
    data = max(parser.forms, key=len)
    for name, values in data.items():  # a textarea starts with a newline Django adds
        data[name] = [v[1:] if v.startswith("\n") else v for v in values]
    return data


def errors_of(response) -> list[str]:
    return re.findall(r'class="errorlist[^>]*>(.*?)</ul>', response.content.decode())


def sent_letter(carol, *, to: str, cases=(), kind: str = "OL"):
    from vigil.communications import services as letters
    from vigil.communications.models import Status

    letter = letters.communication_create(
        actor=carol, kind=kind, summary="About the law.",
        addressees=[{"kind": "state", "country": to}], cases=list(cases),
    )  # fmt: skip
    for step in (Status.SUBMITTED, Status.APPROVED, Status.SENT):
        letter.refresh_from_db()
        letters.communication_move(
            actor=carol, communication=letter, to=step, version=letter.version,
            on=date(2026, 1, 5) if step == Status.SENT else None,
        )  # fmt: skip
    letter.refresh_from_db()
    return letter


@pytest.fixture
def colombian_measure(carol):
    """A Colombian measure that a coordinator linked to a letter to Hungary, a case in
    Azerbaijan and a case in Colombia."""
    from vigil.measures import services as measures

    to_hungary = sent_letter(carol, to="HUN")
    in_azerbaijan = make.case(carol, country="AZE", title="Lawyers' collegium")
    in_colombia = make.case(carol, country="COL", title="River committee")
    measure = measures.measure_create(
        actor=carol, country="COL", kind="bill", title="Foreign funding bill",
        effect="restrictive", status="parliament", status_on=date(2025, 2, 1),
        communications=[to_hungary], cases=[in_azerbaijan, in_colombia],
    )  # fmt: skip
    return {
        "measure": measure, "letter": to_hungary, "foreign_case": in_azerbaijan,
        "own_case": in_colombia,
    }  # fmt: skip


def test_an_officer_does_not_see_a_measures_links_to_letters_and_cases_of_other_countries(
    client, alice, colombian_measure
):
    measure, letter = colombian_measure["measure"], colombian_measure["letter"]
    foreign, own = colombian_measure["foreign_case"], colombian_measure["own_case"]
    client.force_login(alice)
    for url in (
        reverse("measures:detail", args=[measure.pk]),
        reverse("measures:edit", args=[measure.pk]),
    ):
        page = client.get(url).content.decode()
        assert letter.reference not in page, f"{url} names the letter to Hungary"
        assert reverse("communications:detail", args=[letter.pk]) not in page, url
        assert foreign.reference not in page, f"{url} names the case in Azerbaijan"
        assert own.reference in page, f"{url} lost the case in Colombia"


def test_an_officer_saving_a_measure_keeps_the_links_she_cannot_see(
    client, alice, colombian_measure
):
    measure = colombian_measure["measure"]
    client.force_login(alice)
    page = client.get(reverse("measures:edit", args=[measure.pk])).content.decode()
    data = form_as_served(page)
    data["title"] = ["Foreign funding bill (amended)"]
    response = client.post(reverse("measures:edit", args=[measure.pk]), data)
    assert response.status_code == 302, errors_of(response)
    measure.refresh_from_db()
    assert measure.title == "Foreign funding bill (amended)"
    assert list(measure.communications.values_list("pk", flat=True)) == [
        colombian_measure["letter"].pk
    ]
    assert set(measure.cases.values_list("pk", flat=True)) == {
        colombian_measure["foreign_case"].pk, colombian_measure["own_case"].pk,
    }  # fmt: skip


def test_an_officer_does_not_see_measures_or_follow_ups_of_other_countries_on_a_letter(
    client, alice, carol
):
    from vigil.communications import services as letters
    from vigil.measures import services as measures

    own_case = make.case(carol, country="COL")
    letter = sent_letter(carol, to="COL", cases=[own_case], kind="UA")
    hungarian = measures.measure_create(
        actor=carol, country="HUN", kind="law", title="Hungarian sovereignty law",
        effect="restrictive", status="in_force", status_on=date(2024, 1, 1),
        communications=[letter],
    )  # fmt: skip
    follow_up = letters.follow_up_draft(actor=carol, communication=letter)
    foreign_case = make.case(carol, country="AZE")
    letters.communication_update(
        actor=carol, communication=follow_up, version=follow_up.version,
        cases=[own_case, foreign_case],
    )  # fmt: skip
    client.force_login(alice)
    page = client.get(reverse("communications:detail", args=[letter.pk])).content.decode()
    assert reverse("measures:detail", args=[hungarian.pk]) not in page
    assert "Hungarian sovereignty law" not in page
    assert reverse("communications:detail", args=[follow_up.pk]) not in page


def test_an_api_token_does_not_list_linked_records_of_other_countries(client, alice, carol):
    from vigil.api import tokens

    case = make.case(carol, country="COL")
    own = make.incident(carol, country="COL", case=case)
    foreign = make.incident(carol, country="VEN", case=case)
    leyla = make.defender(carol, country="AZE", name=SECRET_NAME)
    case_services.case_add_defender(actor=carol, case=case, defender=leyla)
    elsewhere = make.case(carol, country="AZE")
    elsewhere.incidents.add(own)
    _token, plaintext = tokens.issue(actor=alice, user=alice, name="sync", scopes=["read:cases"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    read = client.get(f"/api/v1/cases/{case.pk}", **headers).json()
    assert (read["incident_ids"], read["defender_ids"]) == ([own.pk], [])
    listed = client.get("/api/v1/cases", **headers).json()["items"]
    assert [(c["id"], c["incident_ids"], c["defender_ids"]) for c in listed] == [
        (case.pk, [own.pk], [])
    ]
    assert client.get(f"/api/v1/incidents/{own.pk}", **headers).json()["case_ids"] == [case.pk]
    listed = client.get("/api/v1/incidents", **headers).json()["items"]
    assert [(i["id"], i["case_ids"]) for i in listed] == [(own.pk, [case.pk])]
    assert foreign.pk not in {i["id"] for i in listed}


def test_an_officer_does_not_see_incidents_or_defenders_of_other_countries_in_a_case_file(
    client, alice, carol
):
    case = make.case(carol, country="COL")
    own = make.incident(carol, country="COL", case=case, title="Raid in Bogota")
    make.incident(carol, country="VEN", case=case, title=SECRET_TITLE)
    leyla = make.defender(carol, country="VEN", name=SECRET_NAME)
    case_services.case_add_defender(actor=carol, case=case, defender=leyla)
    make.act(carol, incident=own, victim=leyla)  # a Venezuelan attacked in Colombia
    client.force_login(alice)
    for url in (
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:case_pdf", args=[case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text_of(response)
        leaks = [secret for secret in (SECRET_NAME, SECRET_TITLE) if secret in text]
        assert not leaks, f"{url}: {len(leaks)} records of Venezuela shown"
        assert "Raid in Bogota" in text, url
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "in countries you do not cover" in page


def _text_of(response) -> str:
    if response["Content-Type"].startswith("application/pdf"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(response.content))
        return " ".join(page.extract_text() for page in reader.pages)
    if "wordprocessingml" in response["Content-Type"]:
        from docx import Document

        document = Document(io.BytesIO(response.content))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += [cell.text for row in table.rows for cell in row.cells]
        return "\n".join(parts)
    return response.content.decode()


def test_an_officer_editing_an_act_keeps_its_victim_from_another_country(client, alice, carol):
    incident = make.incident(carol, country="COL")
    leyla = make.defender(carol, country="VEN", name=SECRET_NAME)
    act = make.act(carol, incident=incident, victim=leyla)
    client.force_login(alice)
    page = client.get(reverse("cases:act_edit", args=[act.pk])).content.decode()
    named = SECRET_NAME in page
    assert not named, f"the form for act #{act.pk} names the Venezuelan victim"
    data = form_as_served(page)
    data["laws_invoked"] = ["Article 1"]
    response = client.post(reverse("cases:act_edit", args=[act.pk]), data)
    assert response.status_code == 302, errors_of(response)
    act.refresh_from_db()
    assert (act.victim_id, act.laws_invoked) == (leyla.pk, "Article 1")


def test_an_officers_export_does_not_link_to_a_case_of_another_country(client, alice, carol):
    incident = make.incident(carol, country="COL")
    foreign = make.case(carol, country="AZE")
    foreign.incidents.add(incident)
    client.force_login(alice)
    rows = json.loads(client.get(reverse("exchange:export", args=["json"])).content)
    assert [row["url"] for row in rows["incidents"]] == [
        reverse("cases:incident_edit", args=[incident.pk])
    ]


def test_an_officer_does_not_learn_the_case_a_report_became_in_another_country(
    client, alice, carol
):
    from vigil.intake import services as intake_services

    receipt = intake_services.submission_create(
        form_token=intake_services.new_form_token(), language="es",
        what_happened="Armed men came to the farm.", country="COL",
    )  # fmt: skip
    elsewhere = make.case(carol, country="AZE", title=SECRET_TITLE)
    intake_services.submission_to_case(
        actor=carol, submission=receipt.submission, title="Report", case=elsewhere
    )
    client.force_login(alice)
    page = client.get(reverse("intake:detail", args=[receipt.submission.pk]))
    assert page.status_code == 200  # the report is hers: it came from Colombia
    text = page.content.decode()
    assert elsewhere.reference not in text
    assert reverse("cases:case_detail", args=[elsewhere.pk]) not in text
    assert "Taken up in a case in a country you do not cover." in text


def test_an_officer_does_not_read_in_a_letter_the_defender_a_case_file_hides_from_her(
    client, alice, carol
):
    """The case file shows a Venezuelan defender of a Colombian case to Alice only as
    'a defender in a country you do not cover'; the letter about that case, which she
    may open (it goes to Colombia and concerns a Colombian case), names her, on the
    desk page and in the DOCX and PDF she downloads."""
    from vigil.communications.tests.helpers import draft

    # Found by the outside review of this work: the letter's persons and its text
    # read every defender of the case, unfiltered.
    case = make.case(carol, country="COL")
    incident = make.incident(carol, country="COL", case=case)
    leyla = make.defender(carol, country="VEN", name=SECRET_NAME, consent_share_state=True)
    case_services.case_add_defender(actor=carol, case=case, defender=leyla)
    make.act(carol, incident=incident, victim=leyla)
    letter = draft(carol, case, summary="About the raid.", body="The office was raided.")
    addressee = letter.addressees.first()
    client.force_login(alice)
    case_page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert SECRET_NAME not in case_page  # the case file hides her, as it should
    leaks = []
    for url in (
        reverse("communications:detail", args=[letter.pk]),
        reverse("communications:letter", args=[letter.pk, addressee.pk, "docx"]),
        reverse("communications:letter", args=[letter.pk, addressee.pk, "pdf"]),
    ):
        response = client.get(url)
        if response.status_code == 200 and SECRET_NAME in _text_of(response):
            leaks.append(url)
    assert not leaks, f"{len(leaks)} views of letter #{letter.pk} name defender #{leyla.pk}"


def test_an_officer_cannot_break_a_coordinators_export_by_importing_under_its_ids(
    client, alice, carol
):
    """External ids now resolve within the importer's scope, so Alice may create a
    Colombian incident under `vigil-incident-N`, the id a coordinator's export gave an
    Azerbaijani incident (ids are sequential, so she can take every one of them). The
    coordinator's next export names two incidents by the same id, and importing it
    back (the round trip docs/import-export.md promises) is refused as ambiguous: one
    officer stops the whole desk's bulk exchange. Found by the outside review of
    this work; ids of Vigil's own form now name only records the importer may open."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from vigil.exchange import exporter, importer, jobs
    from vigil.exchange.models import ImportJob

    incident = make.incident(carol, country="AZE", title=SECRET_TITLE)
    exported = exporter.rows(carol)
    taken = [row["external_id"] for row in exported["incidents"]]
    assert taken

    client.force_login(alice)
    squat = {
        "defenders": [], "acts": [], "sources": [],
        "incidents": [
            {"external_id": external, "title": "x", "narrative": "x",
             "start_date": "2025-01-01", "country": "COL"}
            for external in taken
        ],
    }  # fmt: skip
    file = SimpleUploadedFile("records.json", json.dumps(squat).encode(), "application/json")
    client.post(reverse("exchange:import"), {"file": file})
    jobs.run(ImportJob.objects.get(requested_by=alice).pk)

    job = ImportJob.objects.get(requested_by=alice)
    assert not job.imported and job.created == 0
    again = exporter.rows(carol)
    ids = [row["external_id"] for row in again["incidents"]]
    assert len(ids) == len(set(ids)), (
        f"the coordinator's export names {len(ids) - len(set(ids))} ids twice "
        f"(incident #{incident.pk})"
    )
    # And an id of that form that names nothing yet is refused to her just the same,
    # so the refusal tells her nothing about which exist.
    unused = {
        **squat,
        "incidents": [{**squat["incidents"][0], "external_id": "vigil-incident-99999"}],
    }
    report = importer.check(alice, unused)
    assert [p.column for p in report.problems] == ["external_id"]
