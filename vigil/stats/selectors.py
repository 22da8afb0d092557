"""Every count the desk and the reports need, from the records, within the
reader's scope, without a name.

Each breakdown takes the case list's filter object (`cases.selectors.CaseFilter`)
and returns buckets that carry the filter that selects the records behind them, so
that a number on a chart links to those records.

Three measures are counted for every bucket: acts (each violation against each
person or organisation), victims (distinct people and organisations), and cases
(distinct cases the acts belong to).
"""

import hashlib
import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases.models import FOCUS_GROUP_FIELDS, VICTIM_CATEGORY_FIELDS, Act
from vigil.cases.selectors import CaseFilter
from vigil.cases.vocabularies import (
    STATE_PERPETRATORS,
    DefenderKind,
    FocusGroup,
    PerpetratorCategory,
    SexGender,
    ViolationType,
)
from vigil.core.permissions import Perm, country_scope, has_perm, scope_queryset
from vigil.core.vocabularies import REGIONAL_GROUP_OF, RegionalGroup, country_name
from vigil.stats.sdg16101.categories import SDG_CATEGORY_OF, SdgCategory, VictimCategory


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


BAR = 22  # the height of a row of a bar chart, in its own units
LABEL = 190  # the room for the labels, left of the bars
WIDTH = 250  # the length of the longest bar
LABEL_CHARS = 28


def bars(items: list[tuple[str, int | None, str, Any]]) -> list[dict[str, Any]]:
    """Where the label, bar and value of each item go in a server-drawn SVG chart.

    Each item is (label, value, the value as shown, what the bar stands for). A value
    of None draws no bar, only what is shown (a public chart's hidden "<5")."""
    most = max((value or 0 for _label, value, _shown, _item in items), default=0)
    drawn = []
    for index, (label, value, shown, item) in enumerate(items):
        width = round(WIDTH * (value or 0) / most) if most else 0
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
        drawn.append(
            {
                "bucket": item,
                "title": label,
                "label": short,
                "shown": shown,
                "y": index * BAR,
                "text_y": index * BAR + 13,
                "x": LABEL,
                "width": width,
                "text_x": LABEL + width + 4,
            }
        )
    return drawn


def chart_height(items: list[Any]) -> int:
    return max(len(items), 1) * BAR


logger = logging.getLogger(__name__)


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
        return bars([(b.label, b.acts, str(b.acts), b) for b in self.buckets])

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
        return max(len(self.buckets), 1) * BAR


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

# --- The counts, cached until the records change --------------------------------------

CACHE_SECONDS = 3600  # a bound on staleness should a change ever bypass data_version()


def data_version() -> str:
    """A digest that changes whenever a record the statistics count is added,
    changed or deleted: per table, the number of rows, the highest id and, for
    tracked records, the sum of their versions (each save adds one) and the latest
    change. About 100 ms over 100,000 incidents."""
    from django.db.models import Max, Sum

    from vigil.cases.models import Case as CaseRecord
    from vigil.cases.models import Defender, Incident, Perpetrator

    parts = []
    for model in (Act, Incident, Defender, Perpetrator, CaseRecord):
        row = model.objects.aggregate(
            n=Count("pk"), top=Max("pk"), versions=Sum("version"), latest=Max("updated_at")
        )
        parts.append(repr(sorted(row.items())))
    links = CaseRecord.incidents.through.objects.aggregate(n=Count("pk"), top=Max("pk"))
    parts.append(repr(sorted(links.items())))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _digest(user: Any, filters: CaseFilter) -> str:
    """The reader's scope and the filters, as a digest for cache keys (the filter's
    words are never part of it: statistics ignore them)."""
    scope = country_scope(user)
    criteria = {k: v for k, v in asdict(filters).items() if k != "text"}
    material = repr((sorted(scope) if scope is not None else "all", sorted(criteria.items())))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


# A recount that took longer than this last time runs in the background after a
# change, and the page shows the previous counts, saying when they were made. Below
# it (any desk of a few thousand incidents), the page waits for exact numbers.
SYNC_SECONDS = 0.5


# With no counts at all yet (a new filter, a restarted cache), a desk holding more
# acts than this counts them in the background too: the page says so and refreshes.
BACKGROUND_ABOVE = 20_000


@dataclass
class Counted:
    counts: dict[str, dict[str, Counts]]
    counted_at: datetime | None
    stale: bool = False  # the records have changed since; a recount is under way
    pending: bool = False  # nothing counted yet; a count is under way


def counts(
    user: Any, filters: CaseFilter, names: list[str], *, allow_stale: bool = True
) -> Counted:
    """The counts of the breakdowns `names`: from the cache when the records have not
    changed since they were counted; else counted now, or, when counting is slow
    and `allow_stale`, the previous counts (or, on a large desk with none yet,
    nothing but a notice) while a count runs in the background."""
    version, digest = data_version(), _digest(user, filters)
    entry = cache.get(f"vigil:stats:{version}:{digest}")
    latest = cache.get(f"vigil:stats:latest:{digest}")
    if not entry and latest and latest.get("version") == version:
        entry = latest  # the versioned copy expired, the records did not change
    if entry and all(name in entry["counts"] for name in names):
        return Counted(entry["counts"], entry["counted_at"])
    if (
        allow_stale
        and latest
        and latest["seconds"] > SYNC_SECONDS
        and all(name in latest["counts"] for name in names)
    ):
        _recount_later(user, filters, list(latest["counts"]), digest)
        return Counted(latest["counts"], latest["counted_at"], stale=True)
    if allow_stale and not latest and Act.objects.count() > BACKGROUND_ABOVE:
        _recount_later(user, filters, BREAKDOWNS, digest)
        return Counted({}, None, pending=True)
    return _count_now(user, filters, names, version, digest, entry)


def _count_now(
    user: Any, filters: CaseFilter, names: list[str], version: str, digest: str,
    entry: dict[str, Any] | None = None,
) -> Counted:  # fmt: skip
    started, at = time.perf_counter(), timezone.now()
    entry = entry or {"counted_at": at, "counts": {}, "seconds": 0.0, "version": version}
    acts = filtered_acts(user, filters)
    for name in names:
        if name not in entry["counts"]:
            entry["counts"][name] = COUNTERS[name](acts)
    entry["seconds"] += time.perf_counter() - started
    cache.set(f"vigil:stats:{version}:{digest}", entry, CACHE_SECONDS)
    cache.set(f"vigil:stats:latest:{digest}", entry, CACHE_SECONDS * 24)
    return Counted(entry["counts"], entry["counted_at"])


def _recount_later(user: Any, filters: CaseFilter, names: list[str], digest: str) -> None:
    """Recount in a thread of this process, once at a time per scope and filters,
    after the request's transaction has committed (the lock is taken then, so a
    transaction rolled back leaves none behind)."""
    lock = f"vigil:stats:recounting:{digest}"

    def recount() -> None:
        close_old_connections()
        try:
            _count_now(user, filters, names, data_version(), digest)
        except Exception as error:  # noqa: BLE001 - the thread's last stand
            logger.error("statistics recount failed: %s", type(error).__name__)
        finally:
            cache.delete(lock)
            connection.close()

    def start() -> None:
        if not cache.add(lock, True, timeout=600):
            return  # a recount is under way
        try:
            threading.Thread(target=recount, name="stats-recount", daemon=True).start()
        except RuntimeError:  # no thread to be had: the next reader tries again
            cache.delete(lock)

    transaction.on_commit(start)


def dashboard_counted(user: Any, filters: CaseFilter) -> tuple[dict[str, Breakdown], Counted]:
    """The dashboard's breakdowns, and when and how freshly they were counted."""
    counted = counts(user, filters, BREAKDOWNS)
    if counted.pending:
        return {name: Breakdown(name, name, []) for name in BREAKDOWNS}, counted
    return {name: labelled(name, counted.counts[name]) for name in BREAKDOWNS}, counted


def dashboard(user: Any, filters: CaseFilter) -> dict[str, Breakdown]:
    return dashboard_counted(user, filters)[0]


def breakdown(user: Any, filters: CaseFilter, name: str) -> Breakdown:
    """One of the dashboard's breakdowns, alone and exact (for an export, which
    carries no notice of staleness)."""
    return labelled(name, counts(user, filters, [name], allow_stale=False).counts[name])


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


def activities_by_stakeholder() -> list[tuple[str, int]]:
    """Accepted activity reports per type of stakeholder."""
    from vigil.activities.models import ActivityReport, ReviewState, StakeholderType

    counts = dict(
        ActivityReport.objects.filter(state=ReviewState.ACCEPTED)
        .values_list("stakeholder_type")
        .annotate(n=Count("pk"))
    )
    return [(str(kind.label), counts.get(kind.value, 0)) for kind in StakeholderType]
