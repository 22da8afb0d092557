"""The case services: validation, optimistic locking, audit and timeline."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from vigil.cases import services
from vigil.cases.models import Act, CaseEvent, Defender, DefenderName, Incident
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import CaseOutcome, CaseStatus, Verification, ViolationType
from vigil.core.models import AuditEntry
from vigil.vault import encryption, index

pytestmark = pytest.mark.django_db


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_identity_fields_and_narratives_are_encrypted_at_rest(alice):
    defender = make.defender(alice, name="Ana María Example", contact="+57 300 000 0000")
    incident = make.incident(alice, narrative="They came at night for Ana María.")
    stored_name = raw_column("cases_defender", "name", defender.pk)
    stored_narrative = raw_column("cases_incident", "narrative", incident.pk)
    assert "Ana" not in stored_name and "Ana" not in stored_narrative
    assert "+57" not in raw_column("cases_defender", "contact", defender.pk)
    assert encryption.decrypt(stored_name, where="cases_defender.name") == "Ana María Example"
    assert Defender.objects.get(pk=defender.pk).name == "Ana María Example"


def test_encrypted_fields_refuse_lookups_that_would_silently_match_nothing(alice):
    with pytest.raises(TypeError, match="blind index"):
        Defender.objects.filter(name="Ana").count()


def test_a_defender_is_found_by_name_and_alias_through_the_keyed_index(alice):
    defender = make.defender(alice, name="José  Pérez", aliases="Pepe\nEl Profe")
    digests = set(DefenderName.objects.filter(defender=defender).values_list("digest", flat=True))
    for spelling in ["jose perez", "JOSÉ PÉREZ", "pepe", "el  profe"]:
        assert index.blind_index(spelling, purpose=services.NAME_INDEX) in digests
    assert len(digests) == 3
    assert all("jose" not in d for d in digests)


def test_changing_a_name_rebuilds_its_index(alice):
    defender = make.defender(alice, name="Old Name", aliases="Alias")
    defender = services.defender_update(
        actor=alice, defender=defender, version=defender.version, name="New Name"
    )
    digests = set(DefenderName.objects.filter(defender=defender).values_list("digest", flat=True))
    hashed = index.blind_index
    assert hashed("new name", purpose=services.NAME_INDEX) in digests
    assert hashed("old name", purpose=services.NAME_INDEX) not in digests
    assert hashed("alias", purpose=services.NAME_INDEX) in digests


def test_the_second_of_two_concurrent_edits_is_refused(alice, carol):
    defender = make.defender(alice)
    seen_by_alice = Defender.objects.get(pk=defender.pk)
    seen_by_carol = Defender.objects.get(pk=defender.pk)
    services.defender_update(
        actor=alice, defender=seen_by_alice, version=seen_by_alice.version, occupation="Lawyer"
    )
    with pytest.raises(services.StaleRecord):
        services.defender_update(
            actor=carol, defender=seen_by_carol, version=seen_by_carol.version, occupation="Teacher"
        )
    assert Defender.objects.get(pk=defender.pk).occupation == "Lawyer"


def test_updates_audit_the_names_of_changed_fields_only(alice):
    defender = make.defender(alice, occupation="Farmer")
    services.defender_update(
        actor=alice, defender=defender, version=1, occupation="Farmer", contact="secret number"
    )
    entry = AuditEntry.objects.filter(action="cases.defender_changed").get()
    assert entry.fields == ["contact"]
    assert "secret" not in str(entry.fields)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"start_date": date(2025, 5, 2), "end_date": date(2025, 5, 1)},
            "end_date",
            "before the start",
        ),
        ({"start_date": timezone.localdate() + timedelta(days=1)}, "start_date", "in the future"),
        ({"country": "XYZ"}, "country", "not a valid choice"),
    ],
)
def test_it_refuses_impossible_incidents_and_says_what_to_fix(alice, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        make.incident(alice, **fields)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Incident.objects.exists()


def test_an_act_cannot_be_verified_without_a_source(alice):
    incident = make.incident(alice)
    act = make.act(alice, incident=incident, victim=make.defender(alice))
    with pytest.raises(ValidationError) as refused:
        services.act_set_verification(
            actor=alice,
            act=act,
            version=act.version,
            verification=Verification.VERIFIED,
            independent_sources=1,
        )
    assert "before a source is linked" in str(refused.value)
    assert Act.objects.get(pk=act.pk).verification == Verification.REPORTED


def test_verifying_records_who_and_when_and_the_case_timeline(alice):
    case = make.case(alice)
    incident = make.incident(alice, case=case)
    act = make.act(alice, incident=incident, victim=make.defender(alice))
    make.source(alice, incident=incident, acts=[act])
    make.source(alice, incident=incident, acts=[act], name="El Diario", kind="media")
    act = Act.objects.get(pk=act.pk)
    act = services.act_set_verification(
        actor=alice,
        act=act,
        version=act.version,
        verification=Verification.VERIFIED,
        independent_sources=2,
    )
    assert (act.verified_by, act.independent_sources) == (alice, 2)
    assert act.verified_at is not None
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[0] == CaseEvent.Kind.ACT_VERIFIED
    assert CaseEvent.Kind.INCIDENT_ADDED in kinds and CaseEvent.Kind.ACT_ADDED in kinds


def test_verification_cannot_claim_more_sources_than_are_linked(alice):
    incident = make.incident(alice)
    act = make.act(alice, incident=incident, victim=make.defender(alice))
    make.source(alice, incident=incident, acts=[act])
    with pytest.raises(ValidationError, match="More independent sources"):
        services.act_set_verification(
            actor=alice,
            act=act,
            version=act.version,
            verification=Verification.VERIFIED,
            independent_sources=2,
        )


def test_an_act_cannot_be_recorded_as_verified_straight_away(alice):
    with pytest.raises(ValidationError, match="then verify it"):
        make.act(
            alice,
            incident=make.incident(alice),
            victim=make.defender(alice),
            verification=Verification.VERIFIED,
        )


def test_detention_dates_must_be_in_order(alice):
    with pytest.raises(ValidationError) as refused:
        make.act(
            alice,
            incident=make.incident(alice),
            victim=make.defender(alice),
            violation=ViolationType.ARBITRARY_DETENTION,
            detention_start=date(2025, 3, 14),
            detention_end=date(2025, 3, 1),
        )
    assert "detention_end" in refused.value.message_dict


def test_cases_get_yearly_references_and_their_creator_as_officer(alice):
    first, second = make.case(alice), make.case(alice)
    year = timezone.localdate().year
    assert first.reference == f"VGL-{year}-00001"
    assert second.reference == f"VGL-{year}-00002"
    assert list(first.officers.all()) == [alice]
    assert first.events.get().kind == CaseEvent.Kind.CREATED


def test_a_case_closes_only_with_an_outcome(alice):
    case = make.case(alice)
    with pytest.raises(ValidationError) as refused:
        services.case_update(actor=alice, case=case, version=case.version, status=CaseStatus.CLOSED)
    assert "outcome" in refused.value.message_dict
    case = services.case_update(
        actor=alice,
        case=case,
        version=case.version,
        status=CaseStatus.CLOSED,
        outcome=CaseOutcome.RELEASED,
    )
    assert case.status == CaseStatus.CLOSED
    assert case.events.first().kind == CaseEvent.Kind.STATUS
    assert case.events.first().detail == "closed"
    assert case.events.first().detail_label() == "Closed"


def test_notes_are_encrypted_and_audited(alice):
    case = make.case(alice)
    note = services.case_add_note(actor=alice, case=case, text="Ana fears for her children.")
    assert "Ana" not in raw_column("cases_casenote", "text", note.pk)
    assert AuditEntry.objects.filter(action="cases.note_added", object_id=str(note.pk)).exists()


def test_a_source_only_supports_acts_of_its_own_incident(alice):
    victim = make.defender(alice)
    first, second = make.incident(alice), make.incident(alice)
    other_act = make.act(alice, incident=second, victim=victim)
    with pytest.raises(ValidationError, match="its own incident"):
        make.source(alice, incident=first, acts=[other_act])


def test_women_defenders_are_derived_not_chosen(alice):
    assert make.defender(alice, sex_gender="woman").is_woman_defender
    assert not make.defender(alice, sex_gender="man").is_woman_defender
    assert not make.defender(alice, kind="organisation", sex_gender="woman").is_woman_defender
