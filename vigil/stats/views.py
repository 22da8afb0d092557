"""The staff statistics dashboard, its exports, and the de-identified records
behind each number. No page here shows a name: analysts use them."""

import csv
import io
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.accounts import two_factor
from vigil.accounts.two_factor import second_factor_recent
from vigil.activities.models import Level
from vigil.cases.selectors import CaseFilter
from vigil.communications.models import AddresseeKind
from vigil.communications.selectors import reply_rates
from vigil.core import audit, spreadsheets
from vigil.core.http import document
from vigil.core.permissions import Perm, permission_required
from vigil.measures.models import Effect
from vigil.stats import maps, selectors
from vigil.stats.forms import StatsFilterForm
from vigil.stats.sdg16101 import counting

statistics = permission_required(Perm.VIEW_STATISTICS, hidden=True)


def _filters(request: HttpRequest) -> tuple[StatsFilterForm, CaseFilter, int]:
    form = StatsFilterForm(request.GET or None)
    year = timezone.localdate().year - 1
    filters = CaseFilter()
    if form.is_bound and form.is_valid():
        filters = CaseFilter(**form.case_filter_fields())
        year = form.cleaned_data.get("year") or year
    return form, filters, year


def _query(filters: CaseFilter, **extra: Any) -> str:
    """The query string that selects `filters` plus `extra` on the records page."""
    params = {k: v for k, v in vars(filters).items() if v not in ("", None, False)}
    params.update(extra)
    params = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in params.items()}
    params = {k: ("on" if v is True else v) for k, v in params.items()}
    return urlencode(params)


@statistics
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters, year = _filters(request)
    breakdowns, counted = selectors.dashboard_counted(request.user, filters)
    acts = selectors.filtered_acts(request.user, filters)
    sdg = counting.table(date(year, 1, 1), date(year, 12, 31), acts)
    query = request.GET.copy()
    query.pop("page", None)
    sections = [
        {
            "name": name,
            "title": title,
            "column": column,
            "breakdown": breakdowns[name],
            "rows": [
                (bucket, reverse("stats:records") + "?" + _query(filters, **bucket.filters))
                for bucket in breakdowns[name].buckets
            ],
        }
        for name, title, column in _sections()
    ]
    country_counts = {b.key: b.acts for b in breakdowns["country"].buckets}
    world_map = maps.choropleth(
        country_counts,
        exact=True,
        link=lambda code: reverse("stats:records") + "?" + _query(filters, country=code),
    )
    measures_by_year = selectors.measures_by_effect_and_year()
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "sections": sections,
            "map": world_map,
            "trend": breakdowns["year"],
            "rules": counting.rules(),
            "counted": counted,
            "measures_by_year": measures_by_year,
            "measures_chart": _chart(
                [
                    (str(label), sum(c.get(value, 0) for _y, c in measures_by_year))
                    for value, label in Effect.choices
                ]
            ),
            "activities_chart": _chart(selectors.activities_by_stakeholder()),
            "measures_by_theme": selectors.measures_by_theme(),
            "activities": selectors.activities_by_level_and_stakeholder(),
            "effects": Effect.choices,
            "levels": Level.choices,
            "sdg": sdg,
            "year": year,
            "reply_tables": [
                (_("States"), reply_rates(kind=AddresseeKind.STATE)[:20], "replies_states"),
                (
                    _("Companies"),
                    reply_rates(kind=AddresseeKind.BUSINESS)[:20],
                    "replies_companies",
                ),
            ],
            "query": query.urlencode(),
        },
    )


def _sections() -> list[tuple[str, str, str]]:
    return [
        ("year", _("By year"), _("Year")),
        ("sdg_category", _("By SDG 16.10.1 category"), _("Category")),
        ("violation", _("By violation"), _("Violation")),
        ("region", _("By UN regional group"), _("Regional group")),
        ("country", _("By country"), _("Country")),
        ("victim_category", _("By victim category"), _("Victim category")),
        ("sex", _("By sex and gender"), _("Sex and gender")),
        ("focus_group", _("By focus group"), _("Focus group")),
        ("perpetrator", _("By perpetrator"), _("Perpetrator")),
        ("flags", _("Business-related acts and reprisals"), _("Acts")),
    ]


# --- Exports -----------------------------------------------------------------------

TABLES = [
    "sdg16101", "year", "sdg_category", "violation", "region", "country", "victim_category",
    "sex", "focus_group", "perpetrator", "flags", "replies_states", "replies_companies",
    "measures_by_year", "measures_by_theme", "activities",
]  # fmt: skip


def _table(request: HttpRequest, name: str) -> tuple[list[str], list[list[Any]]]:
    form, filters, year = _filters(request)
    if name == "sdg16101":
        acts = selectors.filtered_acts(request.user, filters)
        table = counting.table(date(year, 1, 1), date(year, 12, 31), acts)
        header = [_("Category"), *(c.label for c in table.columns)]
        return header, [[row.label, *(row.get(c.key) for c in table.columns)] for row in table.rows]
    if name in {"replies_states", "replies_companies"}:
        kind = AddresseeKind.STATE if name == "replies_states" else AddresseeKind.BUSINESS
        header = [_("Addressee"), _("Sent"), _("Replied"), _("Replied in time"), _("Median days")]
        return header, [
            [r.label, r.sent, r.replied, r.replied_in_time, r.median_days]
            for r in reply_rates(kind=kind)
        ]
    if name in {"measures_by_year", "measures_by_theme"}:
        rows = (
            selectors.measures_by_effect_and_year()
            if name == "measures_by_year"
            else selectors.measures_by_theme()
        )
        first = _("Year") if name == "measures_by_year" else _("Theme")
        header = [first, *(str(label) for _value, label in Effect.choices)]
        return header, [
            [key, *(counts.get(v, 0) for v, _l in Effect.choices)] for key, counts in rows
        ]
    if name == "activities":
        header = [_("Stakeholder"), *(str(label) for _value, label in Level.choices)]
        return header, [
            [kind, *(counts.get(v, 0) for v, _l in Level.choices)]
            for kind, counts in selectors.activities_by_level_and_stakeholder()
        ]
    breakdown = selectors.breakdown(request.user, filters, name)
    header = [_("Group"), _("Acts"), _("Victims"), _("Cases")]
    return header, [[b.label, b.acts, b.victims, b.cases] for b in breakdown.buckets]


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output)  # cells a spreadsheet would run as formulas are quoted
    writer.writerow(spreadsheets.cells(header))
    writer.writerows(spreadsheets.cells(row) for row in rows)
    return ("\ufeff" + output.getvalue()).encode()  # a BOM: spreadsheets then read UTF-8


def _xlsx(header: list[str], rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    spreadsheets.append(sheet, header)
    for row in rows:
        spreadsheets.append(sheet, row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@statistics
@second_factor_recent
def export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if name not in TABLES or fmt not in {"csv", "xlsx"}:
        raise Http404
    header, rows = _table(request, name)
    content = _csv(header, rows) if fmt == "csv" else _xlsx(header, rows, name)
    audit.record(
        actor=request.user, action="stats.exported", object_type="table", object_id=name,
        fields=[fmt],
    )  # fmt: skip
    return document(content, f"{name}.{fmt}")


# --- The records behind a number ----------------------------------------------------------


def _record_rows(acts: Any) -> list[list[Any]]:
    rows = []
    for act in acts:
        victim = act.victim
        rows.append(
            [
                act.pk,
                act.incident.start_date.isoformat(),
                act.incident.get_country_display(),
                act.get_violation_display(),
                str(act.sdg_category.label),
                ", ".join(str(c.label) for c in victim.victim_categories),
                victim.get_kind_display(),
                victim.get_sex_gender_display(),
                ", ".join(p.get_category_display() for p in act.perpetrators.all()),
                _("yes") if act.reprisal else "",
                act.get_verification_display(),
            ]
        )
    return rows


RECORD_HEADER = [
    gettext_lazy("Act"), gettext_lazy("Date"), gettext_lazy("Country"),
    gettext_lazy("Violation"), gettext_lazy("SDG 16.10.1 category"),
    gettext_lazy("Victim categories"), gettext_lazy("Victim"), gettext_lazy("Sex and gender"),
    gettext_lazy("Perpetrators"), gettext_lazy("Reprisal"), gettext_lazy("Verification"),
]  # fmt: skip


@statistics
def records(request: HttpRequest) -> HttpResponse:
    """The acts behind a number, de-identified: no name, no narrative, no place."""
    form, filters, _year = _filters(request)
    acts = (
        selectors.filtered_acts(request.user, filters)
        .select_related("incident", "victim")
        .prefetch_related("perpetrators")
        .only(
            "pk",
            "violation",
            "reprisal",
            "verification",
            "incident__start_date",
            "incident__country",
            "victim__kind",
            "victim__sex_gender",
            "victim__is_hrd",
            "victim__is_journalist",
            "victim__is_trade_unionist",
        )  # fmt: skip
        .order_by("-incident__start_date", "-pk")
    )
    if request.GET.get("format") == "csv":
        if not two_factor.recently_verified(request):
            return two_factor.ask_again(request)
        audit.record(
            actor=request.user, action="stats.exported", object_type="table", object_id="records",
            fields=["csv"],
        )  # fmt: skip
        header = [str(h) for h in RECORD_HEADER]
        return document(_csv(header, _record_rows(acts)), "records.csv")
    page = Paginator(acts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stats/records.html",
        {"form": form, "page": page, "rows": _record_rows(page.object_list),
         "query": query.urlencode()},
    )  # fmt: skip


# --- The public page ------------------------------------------------------------------

PUBLIC_TABLES = ["sdg_by_sex", "acts_by_year_and_region"]


def _public_year(request: HttpRequest, years: list[int]) -> int:
    """The year of the 16.10.1 table asked for: one of the published years, else
    the last. Every other table is the same whatever the year."""
    try:
        year = int(request.GET.get("year", years[-1]))
    except ValueError:
        year = years[-1]
    return year if year in years else years[-1]


def _chart(counts: list[tuple[str, int]]) -> dict[str, Any]:
    items = [(label, n, str(n), None) for label, n in counts]
    return {"bars": selectors.bars(items), "height": selectors.chart_height(items)}


def public_page(request: HttpRequest) -> HttpResponse:
    from vigil.stats import public
    from vigil.stats.suppression import HIDDEN, threshold

    release = public.published()
    year = _public_year(request, release.years)
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


def public_export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """A public table with the same cells hidden as on the page."""
    from vigil.stats import public

    if name not in PUBLIC_TABLES or fmt not in {"csv", "xlsx"}:
        raise Http404
    release = public.published()
    if name == "sdg_by_sex":
        grid = release.sdg_by_sex(_public_year(request, release.years))
    else:
        grid = release.acts_by_year_and_region
    header = ["", *(str(label) for label in grid.column_labels), _("Total")]
    rows = [[str(label) or _("Total"), *cells, total] for label, cells, total in grid.public_rows()]
    content = _csv(header, rows) if fmt == "csv" else _xlsx(header, rows, name)
    return document(content, f"{name}.{fmt}")
