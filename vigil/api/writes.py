"""Recording defenders, incidents, acts and sources over the API (`write:cases`),
through the same services as the desk: the records' own checks, encryption, the
search index and the audit trail. The records linked to must be the user's (404
otherwise), and so must the countries written."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.errors import HttpError

from vigil.api.cases import (
    ActOut,
    DefenderOut,
    IncidentOut,
    SourceOut,
    _act,
    _defender,
    _incident,
    router,
)
from vigil.api.errors import ERRORS
from vigil.api.security import identities, need
from vigil.cases import access, services
from vigil.cases.models import FOCUS_GROUP_FIELDS, VICTIM_CATEGORY_FIELDS
from vigil.cases.vocabularies import (
    AgeGroup,
    DefenderKind,
    FocusGroup,
    PerpetratorCategory,
    Reliability,
    ReprisalBody,
    RightAffected,
    SexGender,
    SourceType,
    ViolationType,
)
from vigil.core.permissions import in_scope
from vigil.core.vocabularies import DatePrecision
from vigil.stats.sdg16101.categories import VictimCategory

# The same router as the reads: one path, several methods (GET /defenders, POST /defenders).

COUNTRY = Field(..., pattern="^[A-Z]{3}$", examples=["COL"], description="ISO 3166-1 alpha-3")


def created(ok: Any) -> dict[int, Any]:
    return {201: ok, **ERRORS}


def _refused(error: ValidationError) -> HttpError:
    """The records' own checks, as a 400 naming each field."""
    if hasattr(error, "message_dict"):
        text = "; ".join(
            f"{'' if name == '__all__' else name + ': '}{' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
    else:
        text = " ".join(error.messages)
    return HttpError(400, text)


def _own_country(request: HttpRequest, country: str) -> None:
    if not in_scope(request.user, country):
        raise HttpError(403, _("You do not work on %(country)s.") % {"country": country})


class DefenderIn(Schema):
    kind: DefenderKind = Field(examples=["person"])
    name: str = Field(min_length=1, max_length=500, examples=["Ana Example"])
    aliases: str = ""
    contact: str = ""
    affiliations: str = ""
    country: str = COUNTRY
    sex_gender: SexGender = SexGender.UNKNOWN
    age_group: AgeGroup = AgeGroup.UNKNOWN
    occupation: str = Field("", max_length=200)
    victim_categories: list[VictimCategory] = Field(default=[VictimCategory.HUMAN_RIGHTS_DEFENDER])
    focus_groups: list[FocusGroup] = []
    consent_share_state: bool = False
    consent_share_business: bool = False
    consent_publish: bool = False
    case_id: int | None = Field(None, description="A case of yours to link the defender to.")


@router.post(
    "/defenders", response=created(DefenderOut), summary="Record a defender", tags=["recording"]
)
def create_defender(request: HttpRequest, body: DefenderIn) -> Status:
    """Needs `write:cases`. The answer carries the identity fields only with
    `read:identities` too."""
    need(request, "write:cases")
    _own_country(request, body.country)
    case = access.get_case_for_user(request.user, body.case_id) if body.case_id else None
    fields = body.dict(exclude={"victim_categories", "focus_groups", "case_id"})
    fields = {k: getattr(v, "value", v) for k, v in fields.items()}
    categories, groups = set(body.victim_categories), set(body.focus_groups)
    fields.update({f: c in categories for c, f in VICTIM_CATEGORY_FIELDS.items()})
    fields.update({f: g in groups for g, f in FOCUS_GROUP_FIELDS.items()})
    try:
        defender = services.defender_create(actor=request.user, case=case, **fields)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _defender(defender, identities(request)))


class IncidentIn(Schema):
    title: str = Field(min_length=1, max_length=500, examples=["Raid on the office"])
    narrative: str = Field(min_length=1, examples=["Police raided the office of the collective."])
    start_date: date = Field(examples=["2025-03-14"])
    start_precision: DatePrecision = DatePrecision.DAY
    end_date: date | None = None
    end_precision: DatePrecision = DatePrecision.DAY
    country: str = COUNTRY
    subdivision: str = Field("", max_length=10)
    place: str = ""
    online: bool = False
    case_id: int | None = Field(None, description="A case of yours to add the incident to.")


@router.post(
    "/incidents", response=created(IncidentOut), summary="Record an incident", tags=["recording"]
)
def create_incident(request: HttpRequest, body: IncidentIn) -> Status:
    need(request, "write:cases")
    _own_country(request, body.country)
    case = access.get_case_for_user(request.user, body.case_id) if body.case_id else None
    fields = {k: getattr(v, "value", v) for k, v in body.dict(exclude={"case_id"}).items()}
    try:
        incident = services.incident_create(actor=request.user, case=case, **fields)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _incident(incident, identities(request)))


class ActIn(Schema):
    incident_id: int
    victim_id: int
    violation: ViolationType = Field(examples=["arbitrary_detention"])
    rights_affected: list[RightAffected] = []
    perpetrators: list[PerpetratorCategory] = Field(default=[], examples=[["police"]])
    reprisal: bool = False
    reprisal_body: ReprisalBody | None = None
    detention_start: date | None = None
    detention_end: date | None = None
    detention_place: str = ""
    charges: str = ""
    laws_invoked: str = ""


@router.post("/acts", response=created(ActOut), summary="Record an act", tags=["recording"])
def create_act(request: HttpRequest, body: ActIn) -> Status:
    """One violation against one defender in one incident, both of them yours. An
    act is recorded as reported; verification follows at the desk."""
    need(request, "write:cases")
    incident = access.get_incident_for_user(request.user, body.incident_id)
    victim = access.get_defender_for_user(request.user, body.victim_id)
    fields = body.dict(exclude={"incident_id", "victim_id", "perpetrators"})
    fields["rights_affected"] = sorted({r.value for r in body.rights_affected})
    fields["reprisal_body"] = body.reprisal_body.value if body.reprisal_body else ""
    fields["violation"] = body.violation.value
    try:
        act = services.act_create(
            actor=request.user, incident=incident, victim=victim,
            perpetrators=[{"category": p.value} for p in body.perpetrators], **fields,
        )  # fmt: skip
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _act(act, identities(request)))


class SourceIn(Schema):
    incident_id: int
    name: str = Field(min_length=1, max_length=500, examples=["Colectivo de Tierras"])
    kind: SourceType = Field(examples=["ngo"])
    reported_on: date | None = None
    language: str = Field("", max_length=10, examples=["es"])
    public: bool = False
    reliability: Reliability = Reliability.UNKNOWN
    act_ids: list[int] = Field(default=[], description="Acts of the same incident it reports.")


@router.post("/sources", response=created(SourceOut), summary="Record a source", tags=["recording"])
def create_source(request: HttpRequest, body: SourceIn) -> Status:
    need(request, "write:cases")
    incident = access.get_incident_for_user(request.user, body.incident_id)
    acts = [access.get_act_for_user(request.user, pk) for pk in body.act_ids]
    fields = {
        k: getattr(v, "value", v) for k, v in body.dict(exclude={"incident_id", "act_ids"}).items()
    }
    try:
        source = services.source_create(actor=request.user, incident=incident, acts=acts, **fields)
    except ValidationError as error:
        raise _refused(error) from None
    named = identities(request)
    return Status(201, {
        "id": source.pk, "incident_id": source.incident_id,
        "name": source.name if named else None, "kind": source.kind,
        "reported_on": source.reported_on, "language": source.language,
        "public": source.public, "reliability": source.reliability,
        "act_ids": [a.pk for a in source.acts.all()],
        "created_at": source.created_at, "updated_at": source.updated_at,
    })  # fmt: skip
