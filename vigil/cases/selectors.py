"""Reads of case records, always within what the reader may see.

`CaseFilter` is the one description of "which records": the case list uses it,
and the statistics will take the same object, so that a number on a chart links
to the list of the records behind it.
"""

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.core.paginator import Page
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from vigil.cases.access import cases_for_user, defenders_for_user, incidents_for_user
from vigil.cases.models import (
    FOCUS_GROUP_FIELDS,
    VICTIM_CATEGORY_FIELDS,
    Act,
    Case,
    DefenderName,
    DefenderRelation,
    Evidence,
)
from vigil.cases.services import NAME_INDEX
from vigil.cases.vocabularies import STATE_PERPETRATORS, CaseStatus, FocusGroup, PerpetratorCategory
from vigil.core import audit
from vigil.core.links import visible
from vigil.core.paging import CappedPaginator
from vigil.core.permissions import Perm, has_perm
from vigil.core.selectors import Figure
from vigil.core.vocabularies import REGIONAL_GROUP_OF
from vigil.stats.sdg16101.categories import SdgCategory, VictimCategory, violation_types_in
from vigil.vault import index, search


@dataclass(frozen=True)
class CaseFilter:
    """Which records to show. Empty fields do not filter.

    Act-level criteria (violation, category, victim, perpetrator, reprisal,
    verification, dates) must all hold for the same act: "killings, verified"
    means verified killings, not a case with a killing and some verified act.
    """

    text: str = ""  # words of a title or narrative, or a defender's full name
    country: str = ""
    region: str = ""
    status: str = ""
    violation: str = ""
    sdg_category: str = ""
    victim_category: str = ""
    focus_group: str = ""
    women_defenders: bool = False
    sex: str = ""
    perpetrator: str = ""
    business_related: bool = False
    reprisal: bool = False
    verification: str = ""
    date_from: date | None = None
    date_to: date | None = None
    assigned_to: int | None = None

    def is_empty(self) -> bool:
        return all(not getattr(self, f.name) for f in fields(self))

    def acts(self) -> QuerySet[Act] | None:
        """The acts that meet the act-level criteria, or None when there are none."""
        q = self.act_conditions()
        return None if q is None else Act.objects.filter(q)

    def spans_many(self) -> bool:
        """Whether a criterion looks through a relation an act has many of (its
        perpetrators): filtering on it directly would repeat an act's rows."""
        return bool(self.perpetrator or self.business_related)

    def act_conditions(self) -> Q | None:
        """The act-level criteria as one condition on acts, or None."""
        q = Q()
        if self.violation:
            q &= Q(violation=self.violation)
        if self.sdg_category:
            q &= Q(violation__in=violation_types_in(SdgCategory(self.sdg_category)))
        if self.victim_category:
            q &= Q(
                **{f"victim__{VICTIM_CATEGORY_FIELDS[VictimCategory(self.victim_category)]}": True}
            )
        if self.focus_group:
            q &= Q(**{f"victim__{FOCUS_GROUP_FIELDS[FocusGroup(self.focus_group)]}": True})
        if self.women_defenders:
            q &= Q(victim__kind="person", victim__sex_gender="woman")
        if self.sex:
            q &= Q(victim__kind="person", victim__sex_gender=self.sex)
        if self.perpetrator == "state":
            q &= Q(perpetrators__category__in=[c.value for c in STATE_PERPETRATORS])
        elif self.perpetrator:
            q &= Q(perpetrators__category=PerpetratorCategory(self.perpetrator))
        if self.business_related:
            q &= Q(perpetrators__category=PerpetratorCategory.BUSINESS) | Q(
                victim__focus_business=True
            )
        if self.reprisal:
            q &= Q(reprisal=True)
        if self.verification:
            q &= Q(verification=self.verification)
        if self.date_from:
            q &= Q(incident__start_date__gte=self.date_from)
        if self.date_to:
            q &= Q(incident__start_date__lte=self.date_to)
        if not q:
            return None
        return q


def case_list(user: Any, filters: CaseFilter = CaseFilter()) -> QuerySet[Case]:
    """The cases `user` may see that meet `filters`, most recently changed first."""
    cases = cases_for_user(user)
    if filters.country:
        cases = cases.filter(country=filters.country)
    if filters.region:
        members = [code for code, group in REGIONAL_GROUP_OF.items() if group == filters.region]
        cases = cases.filter(country__in=members)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.assigned_to:
        cases = cases.filter(officers__pk=filters.assigned_to)
    if filters.text.strip():
        cases = cases.filter(_text_matches(filters.text))
    acts = filters.acts()
    if acts is not None:
        # The cases of the matching acts, gathered once (not tested case by case).
        cases = cases.filter(pk__in=acts.values("incident__cases"))
    return cases.order_by("-updated_at", "-pk")


PAGE_SIZE = 50
LIST_COLUMNS = ["reference", "title", "country", "status", "priority", "updated_at"]


def case_page(user: Any, filters: CaseFilter, number: Any = 1) -> Page:
    """One page of the case list, with only the columns the list shows."""
    cases = case_list(user, filters).only(*LIST_COLUMNS)
    return CappedPaginator(cases, PAGE_SIZE).get_page(number)


def _text_matches(text: str) -> Q:
    """Cases whose title, or an incident's title, narrative or place, holds every
    word of `text`; or one of whose defenders is named exactly `text`.

    The matching case ids are gathered once, as a UNION of the three ways to
    match, rather than tested case by case: both engines then read each index
    once, whatever the number of cases.
    """
    case_defenders = Case.defenders.through._meta.db_table
    case_incidents = Case.incidents.through._meta.db_table
    names = DefenderName._meta.db_table
    # Table names come from the models, values are bound parameters.
    parts = [
        f"SELECT cd.case_id FROM {case_defenders} cd "  # noqa: S608
        f"JOIN {names} n ON n.defender_id = cd.defender_id WHERE n.digest = %s"
    ]
    params: list[Any] = [index.blind_index(text, purpose=NAME_INDEX)]
    in_title = search.matching_ids(kind="cases.case", query=text)
    if in_title is not None:
        parts.append(in_title.sql)
        params.extend(in_title.params)
    in_incident = search.matching_ids(kind="cases.incident", query=text)
    if in_incident is not None:
        parts.append(
            f"SELECT ci.case_id FROM {case_incidents} ci "  # noqa: S608
            f"WHERE ci.incident_id IN ({in_incident.sql})"
        )
        params.extend(in_incident.params)
    return Q(pk__in=RawSQL(" UNION ".join(parts), params))  # noqa: S611


# In place of the name of a defender the reader may not open.
OTHER_COUNTRY = _("a defender in a country you do not cover")


def case_file(user: Any, case: Case, *, exported: bool = False) -> dict[str, Any]:
    """Everything the case file shows, read once; the reading (or the export to a
    document that leaves the system) is audited."""
    # A case is opened by its country; each incident and defender in it is shown only
    # to a reader who may open that record itself (its own country), as everywhere
    # links are shown (core/links.py). The victim of an act in a shown incident who
    # lives in a country the reader does not cover is shown without a name.
    seen = defenders_for_user(user)
    incidents = (
        visible(case.incidents.all(), incidents_for_user(user))
        .order_by("start_date")
        .prefetch_related(
            Prefetch(
                "acts",
                queryset=Act.objects.select_related("victim").prefetch_related(
                    "perpetrators", "sources"
                ),
            ),
            "sources",
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "pk")),
        )
    )
    defenders = (
        visible(case.defenders.all(), seen)
        .order_by("pk")
        .prefetch_related(
            Prefetch(
                "relations",
                queryset=DefenderRelation.objects.filter(
                    relative__in=seen.values("pk")
                ).select_related("relative"),
            ),
            Prefetch(
                "related_to",
                queryset=DefenderRelation.objects.filter(
                    defender__in=seen.values("pk")
                ).select_related("defender"),
            ),
        )
    )
    incidents, defenders = list(incidents), list(defenders)
    victims = {act.victim_id for incident in incidents for act in incident.acts.all()}
    named = set(seen.filter(pk__in=victims).values_list("pk", flat=True))
    for incident in incidents:
        for act in incident.acts.all():
            act.victim_label = act.victim.name if act.victim_id in named else OTHER_COUNTRY
    hidden = case.incidents.count() + case.defenders.count() - len(incidents) - len(defenders)
    audit.record(
        actor=user,
        action="cases.case_exported" if exported else "cases.case_viewed",
        obj=case,
        fields=["title", "defenders.name", "incidents.narrative"],
    )
    return {
        "case": case,
        "incidents": incidents,
        "defenders": defenders,
        "hidden_records": hidden > 0,
        "officers": list(case.officers.order_by("username")),
        "notes": list(case.notes.select_related("author")),
        "tasks": list(case.tasks.select_related("assignee")),
        "events": list(case.events.select_related("actor")[:200]),
    }


def dashboard_figures(user: Any) -> list[Figure]:
    """The case figures on the desk's dashboard, within the viewer's scope."""
    if not has_perm(user, Perm.DOCUMENT_CASES):
        return []
    cases = cases_for_user(user).exclude(status=CaseStatus.CLOSED)
    return [
        Figure(label=str(_("Open cases")), value=cases.count()),
        Figure(
            label=str(_("Open cases assigned to you")),
            value=cases.filter(officers=user).count(),
        ),
    ]
