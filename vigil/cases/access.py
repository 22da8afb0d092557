"""Who may open which case record. Every view goes through these functions.

The answer for "does not exist" and "exists but is not yours" is the same 404, so
that an officer cannot learn that a case exists in a country they do not cover.
Case records are for the roles that document cases (case officers within their
countries, coordinators everywhere); analysts work from de-identified statistics
and never open a record.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from vigil.cases.models import Act, Case, Defender, Evidence, Incident, Source
from vigil.core.permissions import Perm, has_perm, scope_queryset


def _can_document(user: Any) -> bool:
    return has_perm(user, Perm.DOCUMENT_CASES)


def cases_for_user(user: Any) -> QuerySet[Case]:
    if not _can_document(user):
        return Case.objects.none()
    return scope_queryset(Case.objects.all(), user)


def incidents_for_user(user: Any) -> QuerySet[Incident]:
    if not _can_document(user):
        return Incident.objects.none()
    return scope_queryset(Incident.objects.all(), user)


def defenders_for_user(user: Any) -> QuerySet[Defender]:
    if not _can_document(user):
        return Defender.objects.none()
    return scope_queryset(Defender.objects.all(), user)


def acts_for_user(user: Any) -> QuerySet[Act]:
    """Acts follow their incident's country."""
    if not _can_document(user):
        return Act.objects.none()
    return scope_queryset(Act.objects.all(), user, field="incident__country")


def sources_for_user(user: Any) -> QuerySet[Source]:
    """Sources follow their incident's country."""
    if not _can_document(user):
        return Source.objects.none()
    return scope_queryset(Source.objects.all(), user, field="incident__country")


def _get(queryset: QuerySet, pk: Any) -> Any:
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_case_for_user(user: Any, case_id: Any) -> Case:
    """The case if `user` may work on it; 404 otherwise (missing or not theirs)."""
    return _get(cases_for_user(user), case_id)


def get_incident_for_user(user: Any, incident_id: Any) -> Incident:
    return _get(incidents_for_user(user), incident_id)


def get_defender_for_user(user: Any, defender_id: Any) -> Defender:
    return _get(defenders_for_user(user), defender_id)


def get_act_for_user(user: Any, act_id: Any) -> Act:
    """An act is reached through its incident's country."""
    return _get(acts_for_user(user).select_related("incident"), act_id)


def get_evidence_for_user(user: Any, evidence_id: Any) -> Evidence:
    if not _can_document(user):
        raise Http404
    evidence = scope_queryset(Evidence.objects.all(), user, field="incident__country")
    return _get(evidence, evidence_id)


def get_source_for_user(user: Any, source_id: Any) -> Source:
    return _get(sources_for_user(user), source_id)
