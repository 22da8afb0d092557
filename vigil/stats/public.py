"""The public statistics (`/statistics/`): verified acts only, from every country,
no name and no link to a record, and every small number hidden so that it cannot
be worked out from the rest (stats/suppression.py)."""

from datetime import date
from typing import Any

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from vigil.cases.models import Act
from vigil.core.vocabularies import REGIONAL_GROUP_OF, RegionalGroup, SexGender, Verification
from vigil.stats import sdg16101
from vigil.stats.suppression import Grid, suppress

OTHER = "other"


def sdg_by_sex(year: int) -> Grid:
    """16.10.1 cases of the year by category and sex (the sexes add up to the total)."""
    table = sdg16101.table(date(year, 1, 1), date(year, 12, 31))
    categories = table.rows[:-1]
    sexes = list(SexGender)
    return suppress(
        Grid(
            row_labels=[row.label for row in categories],
            column_labels=[str(s.label) for s in sexes],
            cells=[[row.get(f"sex:{s.value}") for s in sexes] for row in categories],
        )
    )


def acts_by_year_and_region(first_year: int, last_year: int) -> Grid:
    """Verified acts by the year their incident began and the UN regional group of
    its country (each act in one place, so the groups add up)."""
    rows = (
        Act.objects.filter(
            verification=Verification.VERIFIED,
            incident__start_date__year__gte=first_year,
            incident__start_date__year__lte=last_year,
        )
        .annotate(year=ExtractYear("incident__start_date"))
        .values("year", "incident__country")
        .annotate(n=Count("pk"))
    )
    groups = [g.value for g in RegionalGroup] + [OTHER]
    years = list(range(first_year, last_year + 1))
    cells = {(y, g): 0 for y in years for g in groups}
    for row in rows:
        group = REGIONAL_GROUP_OF.get(row["incident__country"])
        cells[(row["year"], group.value if group else OTHER)] += row["n"]
    return suppress(
        Grid(
            row_labels=[str(y) for y in years],
            column_labels=[
                str(RegionalGroup(g).label) if g != OTHER else _("Other") for g in groups
            ],
            cells=[[cells[(y, g)] for g in groups] for y in years],
        )
    )


def tables(year: int) -> dict[str, Any]:
    return {
        "sdg_by_sex": sdg_by_sex(year),
        "acts_by_year_and_region": acts_by_year_and_region(year - 9, year),
    }


def acts_by_country(year: int) -> dict[str, int]:
    """Verified acts of the year per country, for a map that shows only bands."""
    rows = (
        Act.objects.filter(verification=Verification.VERIFIED, incident__start_date__year=year)
        .values("incident__country")
        .annotate(n=Count("pk"))
    )
    return {row["incident__country"]: row["n"] for row in rows}


def total_bars(grid: Grid) -> dict[str, Any]:
    """A bar per row of a public table, drawn from its total as the public sees it: a
    hidden total draws no bar, only its "<5" or "–"."""
    from vigil.stats.selectors import bars, chart_height

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
