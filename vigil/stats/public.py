"""The public statistics (`/statistics/`): verified acts only (counting.verified),
from every country, no name and no link to a record, and every small number hidden
so that it cannot be worked out from anything else published (stats/suppression.py,
proven by the attacker of stats/audit.py).

What is published is one release, the same whatever the reader asks for:

- "years": verified acts by calendar year and UN regional group, over the whole
  period (every complete year from the first with a verified act to last year);
- "country" bands: the map of the same acts by country over the whole period,
  each country told only as a range, the lowest of which ("0–4") includes zero;
- "sdg:YYYY": the 16.10.1 cases of each year by category and sex.

The page and the exports show parts of it (`?year=` chooses which year's 16.10.1
table); the audit sees all of it at once, with the links the public can know: a
regional group's countries add up to its column, and the 16.10.1 cases of a year are
at most the verified acts of that year (each case has an act of its own). The
current year is left out until it ends, so that its counts do not change under the
reader's eyes, day by day.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.cases.vocabularies import SexGender, ViolationType
from vigil.core import reading
from vigil.core.vocabularies import REGIONAL_GROUP_OF, RegionalGroup, country_choices
from vigil.stats import maps
from vigil.stats.sdg16101 import counting
from vigil.stats.sdg16101.categories import SDG_CATEGORY_OF, SdgCategory
from vigil.stats.suppression import Band, Grid, Release, protect, threshold

OTHER = "other"
YEARS = "years"
COUNTRY = "country"
REST = "rest"  # the countries of a group that are not on the map: unknown, at least 0


def sdg_key(year: int) -> str:
    return f"sdg:{year}"


@dataclass
class Published:
    """The protected release, and what the page needs to show it."""

    release: Release
    years: list[int]
    countries: dict[str, Band]  # by ISO code, the map's countries only

    def sdg_by_sex(self, year: int) -> Grid:
        return self.release.grids[sdg_key(year)]

    @property
    def acts_by_year_and_region(self) -> Grid:
        return self.release.grids[YEARS]


def period() -> list[int]:
    """The published years: every complete year from the first with a verified act.
    Fixed for everyone, so that no two readers see overlapping windows."""
    last = timezone.localdate().year - 1
    first = (
        counting.verified()
        .filter(incident__start_date__year__lte=last)
        .order_by("incident__start_date")
        .values_list("incident__start_date", flat=True)
        .first()
    )
    return list(range(first.year if first else last, last + 1))


def _groups() -> list[str]:
    return [g.value for g in RegionalGroup] + [OTHER]


def _group_of(country: str) -> str:
    group = REGIONAL_GROUP_OF.get(country)
    return group.value if group else OTHER


def _years_grid(years: list[int]) -> tuple[Grid, dict[str, int]]:
    """Verified acts by year and group; and by country over the whole period."""
    rows = (
        counting.verified()
        .filter(incident__start_date__year__gte=years[0], incident__start_date__year__lte=years[-1])
        .annotate(year=ExtractYear("incident__start_date"))
        .values("year", "incident__country")
        .annotate(n=Count("pk"))
    )
    groups = _groups()
    cells = {(y, g): 0 for y in years for g in groups}
    by_country: dict[str, int] = defaultdict(int)
    for row in rows:
        cells[(row["year"], _group_of(row["incident__country"]))] += row["n"]
        by_country[row["incident__country"]] += row["n"]
    grid = Grid(
        row_labels=[str(y) for y in years],
        column_labels=[RegionalGroup(g).label if g != OTHER else _("Other") for g in groups],
        cells=[[cells[(y, g)] for g in groups] for y in years],
    )
    return grid, by_country


def _sdg_grids(years: list[int]) -> dict[int, Grid]:
    """16.10.1 cases by year, category and sex, by the rules of counting.table (a
    case is one person in one category in the year; sexes add up to the total)."""
    acts = counting.verified_acts(date(years[0], 1, 1), date(years[-1], 12, 31)).values_list(
        "incident__start_date__year", "victim_id", "violation", "victim__sex_gender"
    )
    cases = {
        (year, SDG_CATEGORY_OF[ViolationType(violation)].value, victim): sex
        for year, victim, violation, sex in acts
    }
    counts: dict[tuple[int, str, str], int] = defaultdict(int)
    for (year, category, _victim), sex in cases.items():
        counts[(year, category, sex)] += 1
    categories, sexes = list(SdgCategory), list(SexGender)
    return {
        year: Grid(
            row_labels=[c.label for c in categories],
            column_labels=[s.label for s in sexes],
            cells=[[counts[(year, c.value, s.value)] for s in sexes] for c in categories],
        )
        for year in years
    }


def build() -> Published:
    """Count, then protect, the whole release (uncached; see `published`)."""
    years = period()
    grid, by_country = _years_grid(years)
    release = Release(grids={YEARS: grid})
    on_map = set(maps.world()["countries"])
    countries = {
        code: Band(value=by_country.get(code, 0), shown=maps.public_band(by_country.get(code, 0)))
        for code in sorted(on_map)
    }
    release.bands.update({(COUNTRY, code): band for code, band in countries.items()})
    every_code = {code for code, _name in country_choices()}
    for j, group in enumerate(_groups()):
        members = sorted(code for code in every_code if _group_of(code) == group)
        parts: list[Any] = [(COUNTRY, code) for code in members if code in on_map]
        if any(code not in on_map for code in members):
            parts.append((REST, group))
        release.sums.append((parts, (YEARS, "total", j)))
    for i, (year, sdg) in enumerate(_sdg_grids(years).items()):
        release.grids[sdg_key(year)] = sdg
        release.at_most.append(([(sdg_key(year), "total", "total")], (YEARS, i, "total")))
    protect(release)
    return Published(release=release, years=years, countries=countries)


def _version() -> str:
    """What the release depends on: the records the statistics count (with the links
    of acts to sources and the sources' reliability, which decide what is verified:
    the triggers note those too), the rules, and the year."""
    from vigil.stats.freshness import data_version

    rules = (threshold(), counting.minimum_sources(), timezone.localdate().year)
    return f"{data_version()}|{rules}"


def published() -> Published:
    """The protected release, counted and audited again only after a change."""
    import hashlib

    key = "stats:public:" + hashlib.sha256(_version().encode()).hexdigest()[:32]
    found = cache.get(key)
    if found is None:
        # Counted on the replica once it holds every commit the version was read from.
        with reading.from_replica():
            found = build()
        cache.set(key, found, 24 * 3600)
    return found


def total_bars(grid: Grid) -> dict[str, Any]:
    """A bar per row of a public table, drawn from its total as the public sees it: a
    hidden total draws no bar, only its "–"."""
    from vigil.stats.charts import bars, chart_height

    items = [
        (
            label,
            None if (i, "total") in grid.hidden else grid.value((i, "total")),
            grid.shown((i, "total")),
            None,
        )
        for i, label in enumerate(grid.row_labels)
    ]
    return {"bars": bars(items), "height": chart_height(items)}
