"""Who may open which communication. Every desk view goes through these functions.

A letter follows its countries: the country of its first addressee (the one in
its reference, "UA COL 3/2026"; a company's home country counts) and the country
of every case it concerns. A case officer opens it only when they cover all of
them, because the letter tells the facts of each case it names: covering the
State it is addressed to is not enough to read about a case in a country one
does not cover. A letter whose first addressee has no country (reference "OTH")
follows its cases alone. As with cases, "not yours" and "does not exist" are the
same 404.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from vigil.communications.models import (
    Addressee,
    Communication,
    CountryVisit,
    ReplyFile,
)
from vigil.core.permissions import Perm, country_scope, has_perm, in_scope, scope_queryset


def communications_for_user(user: Any) -> QuerySet[Communication]:
    if not has_perm(user, Perm.DRAFT_COMMUNICATIONS):
        return Communication.objects.none()
    scope = country_scope(user)
    if scope is None:
        return Communication.objects.all()
    countries = sorted(scope)
    first_country = Subquery(
        Addressee.objects.filter(communication=OuterRef("pk"))
        .order_by("position", "pk")
        .values("country")[:1]
    )
    about_elsewhere = Communication.cases.through.objects.exclude(
        case__country__in=countries
    ).values("communication_id")
    inside = (
        Communication.objects.annotate(letter_country=Coalesce(first_country, Value("")))
        .filter(
            Q(letter_country__in=countries) | Q(letter_country="", cases__country__in=countries)
        )
        .exclude(pk__in=about_elsewhere)
        .values("pk")
    )
    return Communication.objects.filter(pk__in=inside)


def within_reach(user: Any, *, addressees: list[dict[str, Any]], cases: Iterable[Any]) -> bool:
    """Whether `user` could open a letter with these addressees and cases: checked
    before a draft is saved, so that nobody writes a letter they then cannot open."""
    if country_scope(user) is None:
        return True
    countries = {case.country for case in cases}
    first = addressees[0].get("country", "") if addressees else ""
    if first:
        countries.add(first)
    return bool(countries) and all(in_scope(user, country) for country in countries)


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


def visits_for_user(user: Any) -> QuerySet[CountryVisit]:
    if not has_perm(user, Perm.DRAFT_COMMUNICATIONS):
        return CountryVisit.objects.none()
    return scope_queryset(CountryVisit.objects.all(), user)


def get_visit_for_user(user: Any, visit_id: Any) -> CountryVisit:
    return _get(visits_for_user(user), visit_id)
