"""Who may open which communication. Every desk view goes through these functions.

A communication is in an officer's scope when it is addressed to a State they
cover (a company's home country counts) or concerns a case in one of their
countries. As with cases, "not yours" and "does not exist" are the same 404.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from vigil.communications.models import Communication, CountryVisit, Reply, ReplyFile
from vigil.core.permissions import Perm, country_scope, has_perm, scope_queryset


def communications_for_user(user: Any) -> QuerySet[Communication]:
    if not has_perm(user, Perm.DRAFT_COMMUNICATIONS):
        return Communication.objects.none()
    scope = country_scope(user)
    if scope is None:
        return Communication.objects.all()
    countries = sorted(scope)
    inside = Communication.objects.filter(
        Q(addressees__country__in=countries) | Q(cases__country__in=countries)
    ).values("pk")
    return Communication.objects.filter(pk__in=inside)


def _get(queryset: QuerySet, pk: Any) -> Any:
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_communication_for_user(user: Any, communication_id: Any) -> Communication:
    return _get(communications_for_user(user), communication_id)


def get_reply_file_for_user(user: Any, file_id: Any) -> ReplyFile:
    reachable = communications_for_user(user).values("pk")
    return _get(
        ReplyFile.objects.select_related("reply").filter(reply__communication__in=reachable),
        file_id,
    )


def get_reply_for_user(user: Any, reply_id: Any) -> Reply:
    reachable = communications_for_user(user).values("pk")
    return _get(Reply.objects.filter(communication__in=reachable), reply_id)


def visits_for_user(user: Any) -> QuerySet[CountryVisit]:
    if not has_perm(user, Perm.DRAFT_COMMUNICATIONS):
        return CountryVisit.objects.none()
    return scope_queryset(CountryVisit.objects.all(), user)


def get_visit_for_user(user: Any, visit_id: Any) -> CountryVisit:
    return _get(visits_for_user(user), visit_id)
