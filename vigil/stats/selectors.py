"""Every count the desk and the reports need, from the records, within the
reader's scope, without a name.

Each breakdown takes the case list's filter object (`cases.selectors.CaseFilter`)
and returns buckets that carry the filter that selects the records behind them, so
that a number on a chart links to those records.

Three measures are counted for every bucket: acts (each violation against each
person or organisation), victims (distinct people and organisations), and cases
(distinct cases the acts belong to).
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from vigil.cases.models import FOCUS_GROUP_FIELDS, VICTIM_CATEGORY_FIELDS, Act
from vigil.cases.selectors import CaseFilter
from vigil.core.permissions import Perm, has_perm, scope_queryset
from vigil.core.vocabularies import (
    REGIONAL_GROUP_OF,
    SDG_CATEGORY_OF,
    STATE_PERPETRATORS,
    PerpetratorCategory,
    RegionalGroup,
    SdgCategory,
    SexGender,
    ViolationType,
    country_name,
)


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
    criteria = filters.acts()
    if criteria is not None:
        acts = acts.filter(pk__in=criteria.values("pk"))
    return acts


@dataclass
class Bucket:
    key: str
    label: str
    acts: int = 0
    victims: int = 0
    cases: int = 0
    filters: dict[str, Any] = field(default_factory=dict)  # selects the records behind it


@dataclass
class Breakdown:
    dimension: str
    label: str
    buckets: list[Bucket]

    @property
    def most(self) -> int:
        return max((b.acts for b in self.buckets), default=0)

    BAR = 22  # the height of a row of the chart, in its own units
    LABEL = 190  # the room for the labels, left of the bars
    WIDTH = 250  # the length of the longest bar
    LABEL_CHARS = 28

    def bars(self) -> list[dict[str, Any]]:
        """Where each bucket's label and bar go in a server-drawn SVG chart."""
        most = self.most
        bars = []
        for index, bucket in enumerate(self.buckets):
            width = round(self.WIDTH * bucket.acts / most) if most else 0
            label = bucket.label
            if len(label) > self.LABEL_CHARS:
                label = label[: self.LABEL_CHARS - 1].rstrip() + "…"
            bars.append(
                {
                    "bucket": bucket,
                    "label": label,
                    "y": index * self.BAR,
                    "text_y": index * self.BAR + 13,
                    "x": self.LABEL,
                    "width": width,
                    "text_x": self.LABEL + width + 4,
                }
            )
        return bars

    def line(self, width: int = 480, height: int = 160, margin: int = 24) -> dict[str, Any]:
        """A trend line of the acts over the buckets (years), for a server-drawn SVG."""
        count = len(self.buckets)
        most = self.most or 1
        step = (width - 2 * margin) / max(count - 1, 1)
        points = [
            {
                "bucket": b,
                "x": round(margin + index * step, 1),
                "y": round(height - margin - (height - 2 * margin) * b.acts / most, 1),
            }
            for index, b in enumerate(self.buckets)
        ]
        return {
            "width": width,
            "height": height,
            "baseline": height - margin,
            "points": points,
            "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        }

    @property
    def height(self) -> int:
        return max(len(self.buckets), 1) * self.BAR


def _grouped(acts: QuerySet[Act], expression: Any) -> dict[Any, tuple[int, int, int]]:
    rows = (
        acts.annotate(key=expression)
        .values("key")
        .annotate(
            n_acts=Count("pk", distinct=True),
            n_victims=Count("victim", distinct=True),
            n_cases=Count("incident__cases", distinct=True),
        )
    )
    return {row["key"]: (row["n_acts"], row["n_victims"], row["n_cases"]) for row in rows}


def _counts(acts: QuerySet[Act]) -> tuple[int, int, int]:
    totals = acts.aggregate(
        n_acts=Count("pk", distinct=True),
        n_victims=Count("victim", distinct=True),
        n_cases=Count("incident__cases", distinct=True),
    )
    return totals["n_acts"], totals["n_victims"], totals["n_cases"]


def _bucket(key: str, label: str, counts: tuple[int, int, int], **filters: Any) -> Bucket:
    return Bucket(key, label, *counts, filters=filters)


def by_year(acts: QuerySet[Act]) -> Breakdown:
    grouped = _grouped(acts, ExtractYear("incident__start_date"))
    buckets = [
        _bucket(
            str(year),
            str(year),
            grouped[year],
            date_from=f"{year}-01-01",
            date_to=f"{year}-12-31",
        )  # fmt: skip
        for year in sorted(k for k in grouped if k is not None)
    ]
    return Breakdown("year", "year", buckets)


def by_field(
    acts: QuerySet[Act], path: str, filter_name: str, labels: Callable[[str], str],
    order: list[str] | None = None,
) -> list[Bucket]:  # fmt: skip
    """One bucket per value of `path`, most acts first (or in `order`)."""
    grouped = _grouped(acts, F(path))
    keys = order if order is not None else sorted(grouped, key=lambda k: -grouped[k][0])
    return [
        _bucket(key, labels(key), grouped[key], **{filter_name: key})
        for key in keys
        if key in grouped
    ]


def by_violation(acts: QuerySet[Act]) -> Breakdown:
    buckets = by_field(acts, "violation", "violation", lambda k: str(ViolationType(k).label))
    return Breakdown("violation", "violation", buckets)


def by_category(acts: QuerySet[Act]) -> Breakdown:
    buckets = []
    for category in SdgCategory:
        members = [v.value for v, c in SDG_CATEGORY_OF.items() if c == category]
        counts = _counts(acts.filter(violation__in=members))
        buckets.append(
            _bucket(category.value, str(category.label), counts, sdg_category=category.value)
        )
    return Breakdown("sdg_category", "sdg_category", buckets)


def by_country(acts: QuerySet[Act]) -> Breakdown:
    buckets = by_field(acts, "incident__country", "country", country_name)
    return Breakdown("country", "country", buckets)


def by_region(acts: QuerySet[Act]) -> Breakdown:
    grouped = _grouped(acts, F("incident__country"))
    per_region: dict[str, list[str]] = defaultdict(list)
    for country in grouped:
        group = REGIONAL_GROUP_OF.get(country)
        if group is not None:
            per_region[group.value].append(country)
    buckets = []
    for group in RegionalGroup:
        if per_region.get(group.value):
            counts = _counts(acts.filter(incident__country__in=per_region[group.value]))
            buckets.append(_bucket(group.value, str(group.label), counts, region=group.value))
    return Breakdown("region", "region", buckets)


def by_victim_category(acts: QuerySet[Act]) -> Breakdown:
    buckets = [
        _bucket(
            category.value,
            str(category.label),
            _counts(acts.filter(**{f"victim__{name}": True})),
            victim_category=category.value,
        )  # fmt: skip
        for category, name in VICTIM_CATEGORY_FIELDS.items()
    ]
    return Breakdown("victim_category", "victim_category", buckets)


def by_focus_group(acts: QuerySet[Act]) -> Breakdown:
    buckets = [
        _bucket(
            group.value,
            str(group.label),
            _counts(acts.filter(**{f"victim__{name}": True})),
            focus_group=group.value,
        )  # fmt: skip
        for group, name in FOCUS_GROUP_FIELDS.items()
    ]
    return Breakdown("focus_group", "focus_group", buckets)


def by_sex(acts: QuerySet[Act]) -> Breakdown:
    people = acts.filter(victim__kind="person")
    buckets = by_field(
        people, "victim__sex_gender", "sex", lambda k: str(SexGender(k).label),
        order=[s.value for s in SexGender],
    )  # fmt: skip
    return Breakdown("sex", "sex", buckets)


def by_perpetrator(acts: QuerySet[Act]) -> Breakdown:
    state = [c.value for c in STATE_PERPETRATORS]
    buckets = [
        _bucket(
            "state",
            _("State actors"),
            _counts(acts.filter(perpetrators__category__in=state)),
            perpetrator="state",
        )  # fmt: skip
    ]
    for category in PerpetratorCategory:
        if category in STATE_PERPETRATORS:
            continue
        counts = _counts(acts.filter(perpetrators__category=category))
        buckets.append(
            _bucket(category.value, str(category.label), counts, perpetrator=category.value)
        )
    return Breakdown("perpetrator", "perpetrator", buckets)


def by_flags(acts: QuerySet[Act]) -> Breakdown:
    """Business-related acts (a company involved, or a defender working on business
    and human rights) and reprisals, against all acts."""
    business = Q(perpetrators__category=PerpetratorCategory.BUSINESS) | Q(
        victim__focus_business=True
    )
    buckets = [
        _bucket(
            "business", _("Business-related"), _counts(acts.filter(business)), business_related=True
        ),
        _bucket("reprisal", _("Reprisals"), _counts(acts.filter(reprisal=True)), reprisal=True),
        _bucket("all", _("All acts"), _counts(acts)),
    ]
    return Breakdown("flags", "flags", buckets)


BREAKDOWNS: dict[str, Callable[[QuerySet[Act]], Breakdown]] = {
    "year": by_year,
    "sdg_category": by_category,
    "violation": by_violation,
    "region": by_region,
    "country": by_country,
    "victim_category": by_victim_category,
    "sex": by_sex,
    "focus_group": by_focus_group,
    "perpetrator": by_perpetrator,
    "flags": by_flags,
}


def dashboard(user: Any, filters: CaseFilter) -> dict[str, Breakdown]:
    acts = filtered_acts(user, filters)
    return {name: breakdown(acts) for name, breakdown in BREAKDOWNS.items()}


def breakdown(user: Any, filters: CaseFilter, name: str) -> Breakdown:
    """One of the dashboard's breakdowns, alone (for an export)."""
    return BREAKDOWNS[name](filtered_acts(user, filters))


# --- Measures and activity reports ---------------------------------------------------


def measures_by_effect_and_year() -> list[tuple[int, dict[str, int]]]:
    """Accepted measures by the year of their first recorded step and their effect."""
    from vigil.measures.models import Measure, Review

    counts: dict[int, Counter] = defaultdict(Counter)
    measures = Measure.objects.filter(review=Review.ACCEPTED).prefetch_related("history")
    for measure in measures:
        first = min((step.on for step in measure.history.all()), default=None)
        if first is not None:
            counts[first.year][measure.effect] += 1
    return [(year, dict(counts[year])) for year in sorted(counts)]


def measures_by_theme() -> list[tuple[str, dict[str, int]]]:
    from vigil.core.vocabularies import Theme
    from vigil.measures.models import MeasureTheme, Review

    rows = (
        MeasureTheme.objects.filter(measure__review=Review.ACCEPTED)
        .values("theme", "measure__effect")
        .annotate(n=Count("pk"))
    )
    table: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        table[row["theme"]][row["measure__effect"]] += row["n"]
    return [
        (str(Theme(t).label), dict(table[t]))
        for t in sorted(table, key=lambda t: -sum(table[t].values()))
    ]


def activities_by_level_and_stakeholder() -> list[tuple[str, dict[str, int]]]:
    from vigil.activities.models import LEVEL_FIELDS, ActivityReport, ReviewState, StakeholderType

    reports = ActivityReport.objects.filter(state=ReviewState.ACCEPTED)
    rows = []
    for kind in StakeholderType:
        mine = reports.filter(stakeholder_type=kind)
        rows.append(
            (
                str(kind.label),
                {
                    level.value: mine.filter(**{name: True}).count()
                    for level, name in LEVEL_FIELDS.items()
                },
            )
        )
    return rows
