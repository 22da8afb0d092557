"""Small builders for case records in tests, going through the services."""

from datetime import date
from typing import Any

from vigil.cases import services
from vigil.cases.models import Act, Case, Defender, Incident, Source
from vigil.cases.vocabularies import DefenderKind, Reliability, SourceType, ViolationType


def defender(
    actor: Any,
    *,
    country: str = "COL",
    name: str = "Ana Example",
    kind: DefenderKind = DefenderKind.PERSON,
    **fields: Any,
) -> Defender:
    return services.defender_create(actor=actor, kind=kind, name=name, country=country, **fields)


def incident(
    actor: Any, *, country: str = "COL", case: Case | None = None, **fields: Any
) -> Incident:
    values = {
        "title": "Raid on the office",
        "narrative": "Police raided the office of the land rights collective.",
        "start_date": date(2025, 3, 14),
        **fields,
    }
    return services.incident_create(actor=actor, country=country, case=case, **values)


def act(
    actor: Any,
    *,
    incident: Incident,
    victim: Defender,
    violation: ViolationType = ViolationType.THREATS,
    **fields: Any,
) -> Act:
    return services.act_create(
        actor=actor, incident=incident, victim=victim, violation=violation, **fields
    )


def source(actor: Any, *, incident: Incident, acts: list[Act], **fields: Any) -> Source:
    values = {
        "name": "Colectivo de Tierras",
        "kind": SourceType.NGO,
        "reliability": Reliability.RELIABLE,
        **fields,
    }
    return services.source_create(actor=actor, incident=incident, acts=acts, **values)


def case(
    actor: Any, *, country: str = "COL", title: str = "Land collective", **fields: Any
) -> Case:
    return services.case_create(actor=actor, title=title, country=country, **fields)
