"""External ids within the importer's need-to-know (importer.Scope): what still works
for those who may, and what the new rule does to ordinary files. The attacks
themselves are in tests/adversary/test_need_to_know.py."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from vigil.cases.models import Act, Defender, Incident
from vigil.cases.tests import factories as make
from vigil.exchange import exporter, importer
from vigil.exchange.models import ExternalRef

pytestmark = pytest.mark.django_db


def external_id(kind: str, record) -> str:
    return ExternalRef.objects.get(kind=kind, object_id=record.pk).external_id


def only(**rows):
    return {"defenders": [], "incidents": [], "acts": [], "sources": [], **rows}


def test_it_refuses_a_country_the_officer_does_not_cover_for_a_record_of_theirs(alice, carol):
    incident = make.incident(carol, country="COL")
    exporter.rows(alice)
    raw = only(incidents=[{
        "external_id": external_id("incidents", incident), "title": "T", "narrative": "N",
        "start_date": "2025-01-01", "country": "AZE",
    }])  # fmt: skip
    report = importer.run(alice, raw)
    assert not report.imported
    assert [(p.kind, p.column) for p in report.problems] == [("incidents", "country")]
    incident.refresh_from_db()
    assert incident.country == "COL"


def test_a_coordinator_moves_a_record_between_countries(carol):
    incident = make.incident(carol, country="AZE")
    exporter.rows(carol)
    raw = only(incidents=[{
        "external_id": external_id("incidents", incident), "title": "Raid on the office",
        "narrative": "Moved.", "start_date": "2025-03-14", "country": "GEO",
    }])  # fmt: skip
    report = importer.run(carol, raw)
    assert report.imported and report.updated == 1
    incident.refresh_from_db()
    assert incident.country == "GEO" and Incident.objects.count() == 1


def test_an_officer_re_imports_her_own_export_with_a_victim_from_another_country(alice, carol):
    # A Venezuelan defender attacked in Colombia: Alice sees the act, not the defender.
    victim = make.defender(carol, country="VEN", name="Someone from Venezuela")
    incident = make.incident(carol, country="COL")
    act = make.act(carol, incident=incident, victim=victim)
    data = json.loads(json.dumps(exporter.rows(alice, identities=True)))
    assert [row["victim"] for row in data["acts"]] == [external_id("defenders", victim)]
    assert data["defenders"] == []
    data["acts"][0]["laws_invoked"] = "Article 1"
    report = importer.run(alice, data)
    assert report.imported and report.updated == 1, [str(p) for p in report.problems]
    act.refresh_from_db()
    assert (act.victim_id, act.laws_invoked) == (victim.pk, "Article 1")
    # Her new act may not name that victim: to her, the id is unused.
    data["acts"].append({**data["acts"][0], "external_id": "a-new"})
    report = importer.run(alice, data)
    assert [(p.kind, p.row, p.column) for p in report.problems] == [("acts", 2, "victim")]


def test_the_same_id_in_two_desks_is_two_records_and_a_coordinator_is_told(alice, bob, carol):
    row = {"external_id": "d1", "kind": "person", "name": "A", "country": "COL"}
    assert importer.run(alice, only(defenders=[row])).created == 1
    assert importer.run(bob, only(defenders=[{**row, "country": "KEN"}])).created == 1
    assert sorted(Defender.objects.values_list("country", flat=True)) == ["COL", "KEN"]
    assert importer.run(alice, only(defenders=[row])).unchanged == 1
    report = importer.run(carol, only(defenders=[row]))
    assert not report.imported
    assert [(p.kind, p.column) for p in report.problems] == [("defenders", "external_id")]
    assert "more than one" in report.problems[0].reason


def test_the_command_line_imports_as_the_user_it_names(alice, carol, tmp_path):
    leyla = make.defender(carol, country="AZE", name="Someone in Azerbaijan")
    exporter.rows(carol)
    path = tmp_path / "records.json"
    row = {"external_id": external_id("defenders", leyla), "kind": "person", "name": "Changed",
           "country": "AZE"}  # fmt: skip
    path.write_text(json.dumps(only(defenders=[row])))
    out = io.StringIO()
    call_command("import_records", str(path), "--as", "carol", stdout=out, stderr=io.StringIO())
    assert "0 created, 1 updated" in out.getvalue()
    leyla.refresh_from_db()
    assert leyla.name == "Changed"
    path.write_text(json.dumps(only(defenders=[{**row, "country": "COL", "external_id": "d1"}])))
    out = io.StringIO()
    call_command("import_records", str(path), "--as", "alice", stdout=out, stderr=io.StringIO())
    assert "1 created, 0 updated" in out.getvalue()
    # Under the Azerbaijani defender's own id, Alice's row is refused: an id of
    # Vigil's form names, for her, only a record she may open.
    path.write_text(json.dumps(only(defenders=[{**row, "country": "COL"}])))
    with pytest.raises(CommandError):
        call_command("import_records", str(path), "--as", "alice", stdout=out, stderr=io.StringIO())
    leyla.refresh_from_db()
    assert leyla.country == "AZE"


def test_a_ref_to_a_deleted_record_is_an_unused_id(carol):
    incident = make.incident(carol, country="COL")
    exporter.rows(carol)
    ref = external_id("incidents", incident)
    Incident.objects.filter(pk=incident.pk).delete()  # its ExternalRef stays behind
    raw = only(
        defenders=[{"external_id": "d1", "kind": "person", "name": "A", "country": "COL"}],
        acts=[{"external_id": "a1", "incident": ref, "victim": "d1", "violation": "threats"}],
    )
    report = importer.run(carol, raw)
    assert [(p.kind, p.column) for p in report.problems] == [("acts", "incident")]
    assert not Act.objects.exists()
