"""Need-to-know against an insider: an officer who covers Colombia (Alice) tries to
reach records of countries she does not cover, through the import, the API and the
links between records. Each test is one attack from issue 15 and fails on the code
as it was before the fix.

Failure messages give ids and counts, never names or narratives.
"""

import json
import re

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
    # What she imported is a record of her own, as for an id nobody ever used.
    assert job.imported and job.created == 1 and job.updated == 0
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
    assert job.imported and job.created == 1 and job.updated == 0
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
