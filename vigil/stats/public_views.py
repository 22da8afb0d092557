"""The public statistics (`/statistics/`): the page and its exports, from the one
protected release of public.py, the same whatever the reader asks for. Open to
anyone; nothing here reaches a record or a name. The staff dashboard is views.py."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from vigil.communications.models import AddresseeKind
from vigil.communications.selectors import reply_rates
from vigil.core.http import document
from vigil.stats import exports, maps


def _year(request: HttpRequest, years: list[int]) -> int:
    """The year of the 16.10.1 table asked for: one of the published years, else
    the last. Every other table is the same whatever the year."""
    try:
        year = int(request.GET.get("year", years[-1]))
    except ValueError:
        year = years[-1]
    return year if year in years else years[-1]


def page(request: HttpRequest) -> HttpResponse:
    # The release and its auditor (numpy, SciPy) load with the first public page.
    from vigil.stats import public
    from vigil.stats.suppression import HIDDEN, threshold

    release = public.published()
    year = _year(request, release.years)
    tables = {
        "sdg_by_sex": release.sdg_by_sex(year),
        "acts_by_year_and_region": release.acts_by_year_and_region,
    }
    return render(
        request,
        "stats/public.html",
        {
            "map": maps.public_choropleth(
                {code: band.value for code, band in release.countries.items()}
            ),
            "year": year,
            "years": list(reversed(release.years)),
            "first_year": release.years[0],
            "last_year": release.years[-1],
            "tables": tables,
            "charts": {name: public.total_bars(grid) for name, grid in tables.items()},
            "threshold": threshold(),
            "hidden": HIDDEN,
            "rates": reply_rates(kind=AddresseeKind.STATE, published_only=True)[:30],
        },
    )


def export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """A public table with the same cells hidden as on the page."""
    from vigil.stats import public

    if name not in exports.PUBLIC_TABLES or fmt not in exports.FORMATS:
        raise Http404
    release = public.published()
    if name == "sdg_by_sex":
        grid = release.sdg_by_sex(_year(request, release.years))
    else:
        grid = release.acts_by_year_and_region
    header, rows = exports.public_table(grid)
    return document(exports.file_bytes(fmt, header, rows, name), f"{name}.{fmt}")
