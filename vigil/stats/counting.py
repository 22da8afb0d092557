"""What the statistics count, and how: each breakdown of the acts (by year, 16.10.1
category, violation, regional group, country, victim category, sex, focus group,
perpetrator, and business-related acts and reprisals), labelled in the reader's
language, and the counts of State measures and activity reports. Uncached: the
cached counts the pages read are in freshness.py; which acts a reader may count is
in selectors.py.

Each breakdown takes acts already narrowed to the reader's scope and filters
(`selectors.filtered_acts`) and returns buckets that carry the filter that selects
the records behind them, so that a number on a chart links to those records.

Three measures are counted for every bucket: acts (each violation against each
person or organisation), victims (distinct people and organisations), and cases
(distinct cases the acts belong to).
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from vigil.cases.models import FOCUS_GROUP_FIELDS, VICTIM_CATEGORY_FIELDS, Act
from vigil.cases.vocabularies import (
    STATE_PERPETRATORS,
    DefenderKind,
    FocusGroup,
    PerpetratorCategory,
    SexGender,
    ViolationType,
)
from vigil.core.vocabularies import REGIONAL_GROUP_OF, RegionalGroup, country_name
from vigil.stats import charts
from vigil.stats.sdg16101.categories import SDG_CATEGORY_OF, SdgCategory, VictimCategory


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

    def bars(self) -> list[dict[str, Any]]:
        """Where each bucket's label and bar go in a server-drawn SVG chart."""
        return charts.bars([(b.label, b.acts, str(b.acts), b) for b in self.buckets])

    def line(self) -> dict[str, Any]:
        """A trend line of the acts over the buckets (years), for a server-drawn SVG."""
        return charts.line([(b, b.acts) for b in self.buckets])

    @property
    def height(self) -> int:
        return charts.chart_height(self.buckets)


Counts = tuple[int, int, int]  # acts, victims, cases


def _measures(condition: Q | None = None) -> dict[str, Count]:
    return {
        "n_acts": Count("pk", distinct=True, filter=condition),
        "n_victims": Count("victim", distinct=True, filter=condition),
        "n_cases": Count("incident__cases", distinct=True, filter=condition),
    }


def _grouped(acts: QuerySet[Act], expression: Any) -> dict[str, Counts]:
    """One query: the counts for each value of `expression` (None left out)."""
    rows = acts.annotate(key=expression).values("key").annotate(**_measures())
    return {
        str(row["key"]): (row["n_acts"], row["n_victims"], row["n_cases"])
        for row in rows
        if row["key"] is not None
    }


def _flagged(acts: QuerySet[Act], conditions: dict[str, Q]) -> dict[str, Counts]:
    """One query: the counts of the acts that meet each of several conditions, which
    may overlap (a journalist who is also a trade unionist counts in both)."""
    aggregates = {}
    for index, condition in enumerate(conditions.values()):
        for name, measure in _measures(condition).items():
            aggregates[f"{name}_{index}"] = measure
    row = acts.aggregate(**aggregates)
    return {
        key: (row[f"n_acts_{i}"], row[f"n_victims_{i}"], row[f"n_cases_{i}"])
        for i, key in enumerate(conditions)
    }


def _mapped(path: str, groups: dict[str, list[str]]) -> Case:
    """An SQL expression naming the group each value of `path` belongs to."""
    return Case(
        *(When(**{f"{path}__in": members}, then=Value(key)) for key, members in groups.items()),
        default=Value(None),
        output_field=CharField(),
    )


def _members(mapping: dict[Any, Any]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for member, group in mapping.items():
        groups[group.value].append(getattr(member, "value", member))
    return groups


def _business() -> Q:
    from vigil.cases.models import Perpetrator

    business = Perpetrator.objects.filter(category=PerpetratorCategory.BUSINESS)
    return Q(pk__in=business.values("act_id")) | Q(victim__focus_business=True)


# What each breakdown counts: name -> (acts in scope -> counts per bucket key).
COUNTERS: dict[str, Callable[[QuerySet[Act]], dict[str, Counts]]] = {
    "year": lambda acts: _grouped(acts, ExtractYear("incident__start_date")),
    "sdg_category": lambda acts: _grouped(acts, _mapped("violation", _members(SDG_CATEGORY_OF))),
    "violation": lambda acts: _grouped(acts, F("violation")),
    "region": lambda acts: _grouped(
        acts, _mapped("incident__country", _members(REGIONAL_GROUP_OF))
    ),
    "country": lambda acts: _grouped(acts, F("incident__country")),
    "victim_category": lambda acts: _flagged(
        acts, {c.value: Q(**{f"victim__{f}": True}) for c, f in VICTIM_CATEGORY_FIELDS.items()}
    ),
    "sex": lambda acts: _grouped(
        acts.filter(victim__kind=DefenderKind.PERSON), F("victim__sex_gender")
    ),
    "focus_group": lambda acts: _flagged(
        acts, {g.value: Q(**{f"victim__{f}": True}) for g, f in FOCUS_GROUP_FIELDS.items()}
    ),
    # An act by the police and a company counts once for "State actors" (all
    # branches together) and once for "Business enterprise".
    "perpetrator": lambda acts: _grouped(
        acts,
        Case(
            When(
                perpetrators__category__in=[c.value for c in STATE_PERPETRATORS],
                then=Value("state"),
            ),
            default=F("perpetrators__category"),
            output_field=CharField(),
        ),
    ),
    "flags": lambda acts: _flagged(
        acts,
        {"business": _business(), "reprisal": Q(reprisal=True), "all": Q(pk__isnull=False)},
    ),
}


def labelled(name: str, counts: dict[str, Counts]) -> Breakdown:
    """The buckets of breakdown `name`, labelled in the reader's language, each with
    the filter that selects its records, in the order the dashboard shows them."""
    none = (0, 0, 0)

    def most_first(labels: Callable[[str], str], filter_name: str) -> list[Bucket]:
        keys = sorted(counts, key=lambda k: (-counts[k][0], k))
        return [Bucket(k, labels(k), *counts[k], filters={filter_name: k}) for k in keys]

    def fixed(choices: Any, filter_name: str, *, all_of_them: bool) -> list[Bucket]:
        return [
            Bucket(
                c.value, str(c.label), *counts.get(c.value, none), filters={filter_name: c.value}
            )
            for c in choices
            if all_of_them or c.value in counts
        ]

    if name == "year":
        buckets = [
            Bucket(
                key,
                key,
                *counts[key],
                filters={"date_from": f"{key}-01-01", "date_to": f"{key}-12-31"},
            )
            for key in sorted(counts, key=int)
        ]
    elif name == "sdg_category":
        buckets = fixed(SdgCategory, "sdg_category", all_of_them=True)
    elif name == "violation":
        buckets = most_first(lambda k: str(ViolationType(k).label), "violation")
    elif name == "region":
        buckets = fixed(RegionalGroup, "region", all_of_them=False)
    elif name == "country":
        buckets = most_first(country_name, "country")
    elif name == "victim_category":
        buckets = fixed(VictimCategory, "victim_category", all_of_them=True)
    elif name == "sex":
        buckets = fixed(SexGender, "sex", all_of_them=False)
    elif name == "focus_group":
        buckets = fixed(FocusGroup, "focus_group", all_of_them=True)
    elif name == "perpetrator":
        state = Bucket(
            "state", _("State actors"), *counts.get("state", none), filters={"perpetrator": "state"}
        )
        others = fixed(
            [c for c in PerpetratorCategory if c not in STATE_PERPETRATORS],
            "perpetrator",
            all_of_them=True,
        )
        buckets = [state, *others]
    else:  # flags
        buckets = [
            Bucket(
                "business",
                _("Business-related"),
                *counts["business"],
                filters={"business_related": True},
            ),
            Bucket("reprisal", _("Reprisals"), *counts["reprisal"], filters={"reprisal": True}),
            Bucket("all", _("All acts"), *counts["all"]),
        ]
    return Breakdown(name, name, buckets)


BREAKDOWNS = list(COUNTERS)


# --- Measures and activity reports -----------------------------------------------------


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


def activities_by_stakeholder() -> list[tuple[str, int]]:
    """Accepted activity reports per type of stakeholder."""
    from vigil.activities.models import ActivityReport, ReviewState, StakeholderType

    counts = dict(
        ActivityReport.objects.filter(state=ReviewState.ACCEPTED)
        .values_list("stakeholder_type")
        .annotate(n=Count("pk"))
    )
    return [(str(kind.label), counts.get(kind.value, 0)) for kind in StakeholderType]
