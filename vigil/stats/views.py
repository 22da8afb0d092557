"""The staff statistics dashboard (`/desk/statistics/`), its exports, and the
de-identified records behind each number. No page here shows a name: analysts use
them. The public statistics page is public_views.py."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.accounts import two_factor
from vigil.accounts.two_factor import second_factor_recent
from vigil.activities.models import Level
from vigil.cases.selectors import CaseFilter
from vigil.communications.models import AddresseeKind
from vigil.communications.selectors import reply_rates
from vigil.core import audit
from vigil.core.http import document
from vigil.core.permissions import Perm, permission_required
from vigil.measures.models import Effect
from vigil.stats import charts, counting, exports, freshness, maps
from vigil.stats.forms import StatsFilterForm
from vigil.stats.sdg16101 import counting as sdg16101
from vigil.stats.selectors import filtered_acts

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
    breakdowns, counted = freshness.dashboard_counted(request.user, filters)
    sdg = freshness.sdg_table(request.user, filters, year)
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
    measures_by_year = counting.measures_by_effect_and_year()
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "sections": sections,
            "map": world_map,
            "trend": breakdowns["year"],
            "rules": sdg16101.rules(),
            "counted": counted,
            "measures_by_year": measures_by_year,
            "measures_chart": charts.bar_chart(
                [
                    (str(label), sum(c.get(value, 0) for _y, c in measures_by_year))
                    for value, label in Effect.choices
                ]
            ),
            "activities_chart": charts.bar_chart(counting.activities_by_stakeholder()),
            "measures_by_theme": counting.measures_by_theme(),
            "activities": counting.activities_by_level_and_stakeholder(),
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


@statistics
@second_factor_recent
def export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if name not in exports.TABLES or fmt not in exports.FORMATS:
        raise Http404
    _form, filters, year = _filters(request)
    header, rows = exports.table(request.user, name, filters, year)
    content = exports.file_bytes(fmt, header, rows, name)
    audit.record(
        actor=request.user, action="stats.exported", object_type="table", object_id=name,
        fields=[fmt],
    )  # fmt: skip
    return document(content, f"{name}.{fmt}")


@statistics
def records(request: HttpRequest) -> HttpResponse:
    """The acts behind a number, de-identified: no name, no narrative, no place."""
    form, filters, _year = _filters(request)
    acts = (
        filtered_acts(request.user, filters)
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
        header = [str(h) for h in exports.RECORD_HEADER]
        return document(exports.csv_bytes(header, exports.record_rows(acts)), "records.csv")
    page = Paginator(acts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stats/records.html",
        {"form": form, "page": page, "rows": exports.record_rows(page.object_list),
         "query": query.urlencode()},
    )  # fmt: skip
