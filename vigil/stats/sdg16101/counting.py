"""SDG indicator 16.10.1 from the case records: the number of verified cases of
killing, enforced disappearance, torture, arbitrary detention, kidnapping and other
harmful acts against human rights defenders, journalists and associated media
personnel, and trade unionists, in a 12-month period.

The seven counting rules are written once, in `rules()` below: the statistics page,
the `sdg16101` report and docs/statistics.md show them from there (a test holds the
docs to them). `verified` and `table` implement them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vigil.cases.models import VICTIM_CATEGORY_FIELDS, Act, Perpetrator
from vigil.cases.vocabularies import (
    RELIABLE_SOURCES,
    STATE_PERPETRATORS,
    DefenderKind,
    PerpetratorCategory,
    SexGender,
    Verification,
    ViolationType,
)
from vigil.core.vocabularies import REGIONAL_GROUP_OF, RegionalGroup, country_name
from vigil.stats.sdg16101.categories import SDG_CATEGORY_OF, SdgCategory, VictimCategory

STATE = "state"
NO_GROUP = "none"


@dataclass(frozen=True)
class Column:
    key: str  # "total", "victim:hrd", "sex:woman", "perpetrator:state", "region:african"
    label: str
    group: str  # "", "victim", "sex", "perpetrator", "region"


def columns() -> list[Column]:
    found = [Column("total", str(_("Total")), "")]
    found += [Column(f"victim:{c.value}", str(c.label), "victim") for c in VictimCategory]
    found += [Column(f"sex:{s.value}", str(s.label), "sex") for s in SexGender]
    found.append(Column(f"perpetrator:{STATE}", str(_("State actors")), "perpetrator"))
    found += [
        Column(f"perpetrator:{p.value}", str(p.label), "perpetrator")
        for p in PerpetratorCategory
        if p not in STATE_PERPETRATORS
    ]
    found += [Column(f"region:{g.value}", str(g.label), "region") for g in RegionalGroup]
    found.append(Column(f"region:{NO_GROUP}", str(_("Not a UN Member State")), "region"))
    return found


@dataclass
class Row:
    key: str  # an SdgCategory value, or "all"
    label: str
    cells: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> int:
        return self.cells.get(key, 0)


@dataclass
class Table:
    start: date
    end: date
    columns: list[Column]
    rows: list[Row]  # one per category, then the total row
    countries: list[Row]  # one per country with a case; cells by category and "total"

    @property
    def total(self) -> Row:
        return self.rows[-1]


def _perpetrator_group(category: str) -> str:
    return STATE if category in STATE_PERPETRATORS else category


def minimum_sources() -> int:
    return settings.SDG_MIN_SOURCES


def rules() -> list[str]:
    """The seven counting rules, in the reader's language, with the configured minimum
    of sources. Each is one sentence a reader can check against the table."""
    minimum = minimum_sources()
    return [
        gettext(
            "Only verified acts count: marked verified, on at least %(minimum)s "
            "independent sources of which at least %(minimum)s are rated reliable or "
            "usually reliable. Only acts against people (not organisations or "
            "communities) in at least one of the indicator's victim categories count, "
            "and only those whose incident began within the period."
        )
        % {"minimum": minimum},
        gettext(
            "Each act counts in the one 16.10.1 category of its violation type: killing, "
            "enforced disappearance, torture, arbitrary detention, kidnapping or other "
            "harmful acts."
        ),
        gettext(
            "A case is one person in one category: several acts of the same category against "
            "the same person count once; a person who suffered acts of two categories counts "
            "in both rows. The last row adds up the cases."
        ),
        gettext(
            "A person in several victim categories counts once in the total and once in each "
            "of their categories, so those columns may add up to more than the total."
        ),
        gettext("Sex and gender columns add up to the total."),
        gettext(
            "A case counts once in each group of perpetrators involved in any of its acts "
            "(all State branches together); an act without a recorded perpetrator counts "
            "as unknown. These columns may add up to more than the total."
        ),
        gettext(
            "A case counts in each region and each country where one of its acts took "
            "place, so these columns too may add up to more than the total."
        ),
    ]


def verified(acts: QuerySet[Act] | None = None) -> QuerySet[Act]:
    """The acts verified as the methodology means it (rule 1's first half), within
    `acts` when given: marked verified on at least `minimum_sources()` independent
    sources, of which as many are linked and rated reliable. An act marked verified
    on one source is not a verified case, and every public count leaves it out."""
    base = acts if acts is not None else Act.objects.all()
    minimum = minimum_sources()
    # Counted for each act marked verified, not grouped over every link first: at a
    # million acts, that grouping alone took seconds.
    reliable = (
        Act.sources.through.objects.filter(
            act_id=OuterRef("pk"), source__reliability__in=RELIABLE_SOURCES
        )
        .values("act_id")
        .annotate(n=Count("source_id", distinct=True))
        .values("n")
    )
    return (
        base.filter(verification=Verification.VERIFIED, independent_sources__gte=minimum)
        .alias(reliable_sources=Subquery(reliable))
        .filter(reliable_sources__gte=minimum)
    )


def verified_acts(start: date, end: date, acts: QuerySet[Act] | None = None) -> QuerySet[Act]:
    """The acts 16.10.1 counts (rule 1), within `acts` when given (a scope)."""
    in_a_category = Q()
    for name in VICTIM_CATEGORY_FIELDS.values():
        in_a_category |= Q(**{f"victim__{name}": True})
    return verified(acts).filter(
        in_a_category,
        victim__kind=DefenderKind.PERSON,
        incident__start_date__gte=start,
        incident__start_date__lte=end,
    )


def table(start: date, end: date, acts: QuerySet[Act] | None = None) -> Table:
    """The 16.10.1 table for the period, by the rules above."""
    selected = verified_acts(start, end, acts)
    flag_fields = [f"victim__{name}" for name in VICTIM_CATEGORY_FIELDS.values()]
    rows = list(
        selected.values_list(
            "pk", "victim_id", "violation", "victim__sex_gender", "incident__country", *flag_fields
        )
    )
    perpetrators: dict[int, set[str]] = defaultdict(set)
    for act_id, category in Perpetrator.objects.filter(act__in=selected).values_list(
        "act_id", "category"
    ):
        perpetrators[act_id].add(_perpetrator_group(category))

    # A case: (category, victim). Gather what each case's acts say (rules 3-7).
    cases: dict[tuple[str, int], dict[str, Any]] = {}
    for act_id, victim, violation, sex, country, *flags in rows:
        category = SDG_CATEGORY_OF[ViolationType(violation)].value
        case = cases.setdefault(
            (category, victim),
            {"victims": set(), "sex": sex, "perpetrators": set(), "countries": set()},
        )
        case["victims"] = {
            c.value for c, flag in zip(VICTIM_CATEGORY_FIELDS, flags, strict=True) if flag
        }
        case["perpetrators"] |= perpetrators.get(act_id) or {PerpetratorCategory.UNKNOWN.value}
        case["countries"].add(country)

    by_category = {c.value: Row(c.value, str(c.label)) for c in SdgCategory}
    by_country: dict[str, Row] = {}
    for (category, _victim), case in cases.items():
        keys = ["total", f"sex:{case['sex']}"]
        keys += [f"victim:{v}" for v in case["victims"]]
        keys += [f"perpetrator:{p}" for p in case["perpetrators"]]
        regions = {
            (REGIONAL_GROUP_OF[c].value if c in REGIONAL_GROUP_OF else NO_GROUP)
            for c in case["countries"]
        }
        keys += [f"region:{r}" for r in regions]
        row = by_category[category]
        for key in keys:
            row.cells[key] = row.get(key) + 1
        for country in case["countries"]:
            _add_country(by_country, country, category, 1)
    return _table(start, end, by_category, by_country)


def table_of_cells(start: date, end: date, cells: dict[str, int]) -> Table:
    """The table of a calendar year from the statistics' tallies (stats/tally.py),
    which keep, for each cell ("category|column", a column "country:XXX" for the
    countries' table), how many cases are in it, by the same rules."""
    by_category = {c.value: Row(c.value, str(c.label)) for c in SdgCategory}
    by_country: dict[str, Row] = {}
    for cell, cases in cells.items():
        category, key = cell.split("|", 1)
        if not cases or category not in by_category:
            continue
        if key.startswith("country:"):
            _add_country(by_country, key.split(":", 1)[1], category, cases)
        else:
            by_category[category].cells[key] = cases
    return _table(start, end, by_category, by_country)


def _add_country(by_country: dict[str, Row], country: str, category: str, cases: int) -> None:
    row = by_country.setdefault(country, Row(country, country_name(country)))
    for key in (category, "total"):
        row.cells[key] = row.get(key) + cases


def _table(
    start: date, end: date, by_category: dict[str, Row], by_country: dict[str, Row]
) -> Table:
    total = Row("all", str(_("All categories")))
    for row in by_category.values():
        for key, value in row.cells.items():
            total.cells[key] = total.get(key) + value
    return Table(
        start=start,
        end=end,
        columns=columns(),
        rows=[*by_category.values(), total],
        countries=sorted(by_country.values(), key=lambda r: (-r.get("total"), r.label)),
    )
