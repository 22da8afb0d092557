"""What the statistics pages read: the acts a reader may count (their scope) and
those that meet the page's filters. What is counted from them is counting.py's; how
fresh the counts are, freshness.py's.
"""

from typing import Any

from django.db.models import QuerySet

from vigil.cases.models import Act
from vigil.cases.selectors import CaseFilter
from vigil.core.permissions import Perm, has_perm, scope_queryset
from vigil.core.vocabularies import REGIONAL_GROUP_OF


def acts_in_scope(user: Any) -> QuerySet[Act]:
    """The acts whose numbers `user` may see: statistics are by the country of the
    incident (officers: theirs; coordinators and analysts: all)."""
    if not has_perm(user, Perm.VIEW_STATISTICS):
        return Act.objects.none()
    return scope_queryset(Act.objects.all(), user, field="incident__country")


def filtered_acts(user: Any, filters: CaseFilter) -> QuerySet[Act]:
    """The acts in scope that meet `filters` (its words are ignored: statistics never
    search names)."""
    acts = acts_in_scope(user)
    if filters.country:
        acts = acts.filter(incident__country=filters.country)
    if filters.region:
        members = [c for c, g in REGIONAL_GROUP_OF.items() if g == filters.region]
        acts = acts.filter(incident__country__in=members)
    if filters.status:
        acts = acts.filter(incident__cases__status=filters.status)
    criteria = filters.act_conditions()
    if criteria is not None and filters.spans_many():
        acts = acts.filter(pk__in=Act.objects.filter(criteria).values("pk"))
    elif criteria is not None:
        # Straight on the acts: a subquery of every matching act in the database (all
        # of a year's, say) cost more than the counting at a million acts.
        acts = acts.filter(criteria)
    return acts
