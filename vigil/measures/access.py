"""Who may open which measure: staff who keep measures, within their countries;
a stakeholder, the measures they proposed. Everything else is a 404."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from vigil.core.permissions import Perm, has_perm, scope_queryset
from vigil.measures.models import Measure


def measures_for_user(user: Any) -> QuerySet[Measure]:
    if has_perm(user, Perm.MANAGE_MEASURES):
        return scope_queryset(Measure.objects.all(), user)
    if has_perm(user, Perm.PROPOSE_MEASURES):
        return Measure.objects.filter(proposed_by=user)
    return Measure.objects.none()


def get_measure_for_user(user: Any, measure_id: Any) -> Measure:
    try:
        return measures_for_user(user).get(pk=int(measure_id))
    except (Measure.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
