"""Cases, defenders, incidents, acts and sources, read through the desk's own access
rules (`cases/access.py`): a case officer reads their countries, a coordinator all,
an analyst none. Identity fields (names, contacts, affiliations, titles,
narratives, places, detention places and charges, source names) are null unless
the token has `read:identities` and the user's role may see identities; every
record returned with them is audited like a desk read.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from vigil.api.errors import answers
from vigil.api.paging import page
from vigil.api.security import identities, need
from vigil.cases import access
from vigil.cases.models import Act, Case, CaseStatus, Defender, Incident, Source
from vigil.cases.selectors import CaseFilter, case_list
from vigil.cases.vocabularies import (
    FocusGroup,
    PerpetratorCategory,
    SexGender,
    Verification,
    ViolationType,
)
from vigil.core import audit
from vigil.core.vocabularies import RegionalGroup
from vigil.stats.sdg16101.categories import SdgCategory, VictimCategory

# "state" (every State branch together) or one perpetrator category.
PerpetratorGroup = StrEnum(
    "PerpetratorGroup", {v: v for v in ["state", *(c.value for c in PerpetratorCategory)]}
)

router = Router(tags=["cases"])

LIMIT = Field(50, ge=1, le=200, description="Rows per page (at most 200).")
CURSOR = Field(None, description="The `next_cursor` of the previous page.")


class Ordering(StrEnum):
    NEWEST_CHANGE = "-updated_at"
    OLDEST_CHANGE = "updated_at"
    NEWEST = "-id"
    OLDEST = "id"


class Paging(Schema):
    limit: int = LIMIT
    cursor: str | None = CURSOR
    ordering: Ordering = Field(Ordering.NEWEST_CHANGE, description="The order of the rows.")


class CaseFilters(Paging):
    """The desk's case-list filters, without words: a search for a name belongs in
    no URL, so the API does not take one."""

    country: str | None = Field(
        None, examples=["COL"], pattern="^[A-Z]{3}$", description="ISO 3166-1 alpha-3"
    )
    region: RegionalGroup | None = None
    status: CaseStatus | None = None
    violation: ViolationType | None = None
    sdg_category: SdgCategory | None = None
    victim_category: VictimCategory | None = None
    focus_group: FocusGroup | None = None
    women_defenders: bool = False
    sex: SexGender | None = None
    perpetrator: PerpetratorGroup | None = Field(
        None, description="A perpetrator category, or state for every State branch."
    )
    business_related: bool = False
    reprisal: bool = False
    verification: Verification | None = None
    date_from: date | None = Field(None, examples=["2025-01-01"])
    date_to: date | None = Field(None, examples=["2025-12-31"])

    def case_filter(self) -> CaseFilter:
        values = self.dict(exclude={"limit", "cursor", "ordering"})
        return CaseFilter(**{k: getattr(v, "value", v) for k, v in values.items() if v is not None})


class CaseOut(Schema):
    id: int = Field(examples=[42])
    reference: str = Field(examples=["VGL-2026-0042"])
    title: str | None = Field(description="Identity field: null without read:identities.")
    country: str = Field(examples=["COL"])
    status: str = Field(examples=["open"])
    priority: str = Field(examples=["high"])
    risk: str = Field(examples=["high"])
    incident_ids: list[int]
    defender_ids: list[int]
    created_at: datetime
    updated_at: datetime
    url: str = Field(description="The case file in the desk.", examples=["/desk/cases/42/"])


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


def _audit_identities(request: HttpRequest, records: list[Any], fields: list[str]) -> None:
    for record in records:
        audit.record(actor=request.user, action="api.identities_read", obj=record, fields=fields)


def listing(
    request: HttpRequest, rows: QuerySet, paging: "Paging", serialize: Any,
    identity_fields: list[str] = (),
) -> dict[str, Any]:  # fmt: skip
    """A page of `rows`, each shaped by serialize(record, named); the records returned
    with identities are audited."""
    found, cursor = page(
        rows, ordering=paging.ordering.value, cursor=paging.cursor, limit=paging.limit
    )
    named = bool(identity_fields) and identities(request)
    if named:
        _audit_identities(request, found, list(identity_fields))
    return {"items": [serialize(r, named) for r in found], "next_cursor": cursor}


def single(
    request: HttpRequest, record: Any, serialize: Any, identity_fields: list[str]
) -> dict[str, Any]:
    named = identities(request)
    if named:
        _audit_identities(request, [record], identity_fields)
    return serialize(record, named)


def case_links(user: Any) -> list[Prefetch]:
    """A case's incidents and defenders as `user` may see them: only those they may
    open, as everywhere links are shown (core/links.py)."""
    return [
        Prefetch("incidents", queryset=access.incidents_for_user(user)),
        Prefetch("defenders", queryset=access.defenders_for_user(user)),
    ]


def incident_links(user: Any) -> list[Prefetch]:
    """An incident's cases (and acts, which follow it) as `user` may see them."""
    return [Prefetch("cases", queryset=access.cases_for_user(user)), "acts__perpetrators"]


def _case(case: Case, named: bool) -> dict[str, Any]:
    return {
        "id": case.pk, "reference": case.reference, "title": case.title if named else None,
        "country": case.country, "status": case.status, "priority": case.priority,
        "risk": case.risk, "incident_ids": [i.pk for i in case.incidents.all()],
        "defender_ids": [d.pk for d in case.defenders.all()], "created_at": case.created_at,
        "updated_at": case.updated_at, "url": reverse("cases:case_detail", args=[case.pk]),
    }  # fmt: skip


@router.get("/cases", response=answers(CasePage), summary="List cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """The cases in the token user's countries that meet the filters, most recently
    changed first by default. Needs `read:cases`."""
    need(request, "read:cases")
    rows = case_list(request.user, filters.case_filter()).prefetch_related(
        *case_links(request.user)
    )
    return listing(request, rows, filters, _case, ["title"])


@router.get("/cases/{case_id}", response=answers(CaseOut), summary="Read a case")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """One case; 404 when it does not exist or is outside the user's countries."""
    need(request, "read:cases")
    case = access.get_case_for_user(request.user, case_id)
    prefetch_related_objects([case], *case_links(request.user))
    return single(request, case, _case, ["title"])


# --- Defenders --------------------------------------------------------------------------


class DefenderOut(Schema):
    id: int
    kind: str = Field(examples=["person"])
    name: str | None = Field(description="Identity field.", examples=["Ana Example"])
    aliases: str | None = Field(description="Identity field.")
    contact: str | None = Field(description="Identity field.")
    affiliations: str | None = Field(description="Identity field.")
    sex_gender: str = Field(examples=["woman"])
    age_group: str
    country: str = Field(examples=["COL"])
    occupation: str
    victim_categories: list[str] = Field(examples=[["hrd", "journalist"]])
    focus_groups: list[str] = Field(examples=[["environment"]])
    consent_share_state: bool
    consent_share_business: bool
    consent_publish: bool
    created_at: datetime
    updated_at: datetime


class DefenderPage(Schema):
    items: list[DefenderOut]
    next_cursor: str | None


IDENTITY_OF_DEFENDER = ["name", "aliases", "contact", "affiliations"]


def _defender(defender: Defender, named: bool) -> dict[str, Any]:
    out = {
        "id": defender.pk, "kind": defender.kind, "sex_gender": defender.sex_gender,
        "age_group": defender.age_group, "country": defender.country,
        "occupation": defender.occupation,
        "victim_categories": [c.value for c in defender.victim_categories],
        "focus_groups": [g.value for g in defender.focus_groups],
        "consent_share_state": defender.consent_share_state,
        "consent_share_business": defender.consent_share_business,
        "consent_publish": defender.consent_publish,
        "created_at": defender.created_at, "updated_at": defender.updated_at,
    }  # fmt: skip
    for name in IDENTITY_OF_DEFENDER:
        out[name] = getattr(defender, name) if named else None
    return out


@router.get("/defenders", response=answers(DefenderPage), summary="List defenders")
def list_defenders(
    request: HttpRequest, paging: Query[Paging], country: str | None = None
) -> dict[str, Any]:
    """Defenders (people, organisations, communities) in the user's countries."""
    need(request, "read:cases")
    rows = access.defenders_for_user(request.user)
    if country:
        rows = rows.filter(country=country)
    return listing(request, rows, paging, _defender, IDENTITY_OF_DEFENDER)


@router.get("/defenders/{defender_id}", response=answers(DefenderOut), summary="Read a defender")
def get_defender(request: HttpRequest, defender_id: int) -> dict[str, Any]:
    need(request, "read:cases")
    defender = access.get_defender_for_user(request.user, defender_id)
    return single(request, defender, _defender, IDENTITY_OF_DEFENDER)


# --- Incidents and acts -------------------------------------------------------------------


class PerpetratorOut(Schema):
    category: str = Field(examples=["police"])
    involvement: str = Field(examples=["direct"])
    company_name: str
    company_sector: str
    company_country: str


class ActOut(Schema):
    id: int
    incident_id: int
    victim_id: int
    violation: str = Field(examples=["arbitrary_detention"])
    rights_affected: list[str]
    reprisal: bool
    reprisal_body: str
    detention_start: date | None
    detention_end: date | None
    detention_place: str | None = Field(description="Identity field.")
    charges: str | None = Field(description="Identity field.")
    laws_invoked: str
    verification: str = Field(examples=["verified"])
    independent_sources: int
    perpetrators: list[PerpetratorOut]
    created_at: datetime
    updated_at: datetime


class ActPage(Schema):
    items: list[ActOut]
    next_cursor: str | None


class IncidentOut(Schema):
    id: int
    title: str | None = Field(description="Identity field.")
    narrative: str | None = Field(description="Identity field.")
    place: str | None = Field(description="Identity field.")
    start_date: date | None
    start_precision: str
    end_date: date | None
    end_precision: str
    country: str
    subdivision: str
    online: bool
    case_ids: list[int]
    acts: list[ActOut]
    created_at: datetime
    updated_at: datetime


class IncidentPage(Schema):
    items: list[IncidentOut]
    next_cursor: str | None


def _act(act: Act, named: bool) -> dict[str, Any]:
    return {
        "id": act.pk, "incident_id": act.incident_id, "victim_id": act.victim_id,
        "violation": act.violation, "rights_affected": list(act.rights_affected or []),
        "reprisal": act.reprisal, "reprisal_body": act.reprisal_body,
        "detention_start": act.detention_start, "detention_end": act.detention_end,
        "detention_place": act.detention_place if named else None,
        "charges": act.charges if named else None, "laws_invoked": act.laws_invoked,
        "verification": act.verification, "independent_sources": act.independent_sources,
        "perpetrators": [
            {"category": p.category, "involvement": p.involvement,
             "company_name": p.company_name, "company_sector": p.company_sector,
             "company_country": p.company_country}
            for p in act.perpetrators.all()
        ],
        "created_at": act.created_at, "updated_at": act.updated_at,
    }  # fmt: skip


def _incident(incident: Incident, named: bool) -> dict[str, Any]:
    return {
        "id": incident.pk, "title": incident.title if named else None,
        "narrative": incident.narrative if named else None,
        "place": incident.place if named else None, "start_date": incident.start_date,
        "start_precision": incident.start_precision, "end_date": incident.end_date,
        "end_precision": incident.end_precision, "country": incident.country,
        "subdivision": incident.subdivision, "online": incident.online,
        "case_ids": [c.pk for c in incident.cases.all()],
        "acts": [_act(a, named) for a in incident.acts.all()],
        "created_at": incident.created_at, "updated_at": incident.updated_at,
    }  # fmt: skip


@router.get("/incidents", response=answers(IncidentPage), summary="List incidents with their acts")
def list_incidents(
    request: HttpRequest, paging: Query[Paging], country: str | None = None
) -> dict[str, Any]:
    need(request, "read:cases")
    rows = access.incidents_for_user(request.user).prefetch_related(*incident_links(request.user))
    if country:
        rows = rows.filter(country=country)
    return listing(request, rows, paging, _incident, ["title", "narrative", "place"])


@router.get("/incidents/{incident_id}", response=answers(IncidentOut), summary="Read an incident")
def get_incident(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    need(request, "read:cases")
    incident = access.get_incident_for_user(request.user, incident_id)
    prefetch_related_objects([incident], *incident_links(request.user))
    return single(request, incident, _incident, ["title", "narrative", "place"])


def _acts_for(request: HttpRequest) -> QuerySet[Act]:
    return access.acts_for_user(request.user)


@router.get("/acts", response=answers(ActPage), summary="List acts")
def list_acts(
    request: HttpRequest, paging: Query[Paging], violation: str | None = None,
    verification: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Acts (one violation against one person or organisation) in the user's countries."""
    need(request, "read:cases")
    rows = _acts_for(request).prefetch_related("perpetrators")
    if violation:
        rows = rows.filter(violation=violation)
    if verification:
        rows = rows.filter(verification=verification)
    return listing(request, rows, paging, _act, ["detention_place", "charges"])


@router.get("/acts/{act_id}", response=answers(ActOut), summary="Read an act")
def get_act(request: HttpRequest, act_id: int) -> dict[str, Any]:
    need(request, "read:cases")
    act = access.get_act_for_user(request.user, act_id)
    return single(request, act, _act, ["detention_place", "charges"])


# --- Sources ------------------------------------------------------------------------------


class SourceOut(Schema):
    id: int
    incident_id: int
    name: str | None = Field(description="Identity field: who told us.")
    kind: str = Field(examples=["victim"])
    reported_on: date | None
    language: str
    public: bool
    reliability: str
    act_ids: list[int]
    created_at: datetime
    updated_at: datetime


class SourcePage(Schema):
    items: list[SourceOut]
    next_cursor: str | None


def source_out(s: Source, named: bool) -> dict[str, Any]:
    return {
        "id": s.pk, "incident_id": s.incident_id, "name": s.name if named else None,
        "kind": s.kind, "reported_on": s.reported_on, "language": s.language,
        "public": s.public, "reliability": s.reliability,
        "act_ids": [a.pk for a in s.acts.all()],
        "created_at": s.created_at, "updated_at": s.updated_at,
    }  # fmt: skip


@router.get("/sources", response=answers(SourcePage), summary="List sources")
def list_sources(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    need(request, "read:cases")
    rows = access.sources_for_user(request.user).prefetch_related("acts")
    return listing(request, rows, paging, source_out, ["name"])
