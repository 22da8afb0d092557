"""The public statistics page: verified counts only, small numbers hidden, no name."""

import csv
import io
import re

import pytest
from django.urls import reverse

from vigil.stats import public
from vigil.stats.audit import Statement, audit
from vigil.stats.suppression import HIDDEN

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_public_page_hides_every_small_count_and_names_nobody(client, dataset):
    html = client.get(reverse("public_stats:page") + "?year=2025").content.decode()
    # The hand-built year has five cases, one per category: all below 5.
    assert HIDDEN in html and "&lt;5" not in html
    for name in ("Rosa", "Marta", "Ana Example"):
        assert name not in html
    assert "/desk/" not in html.split("<main", 1)[1]  # no link to a record
    grid = public.published().sdg_by_sex(2025)
    assert grid.grand_total == 5
    statement = Statement()
    rows = grid.public_rows()
    statement.add_table(
        "sdg", [c for _l, c, _t in rows[:-1]], [t for _l, _c, t in rows[:-1]], rows[-1][1],
        rows[-1][2],
    )  # fmt: skip
    truth = {("sdg", *p): grid.value(p) for p in grid.positions()}
    assert audit(statement, truth, 5, hidden_min=1) == []


def test_the_published_years_are_the_complete_years_and_the_same_for_every_reader(client, dataset):
    page = client.get(reverse("public_stats:page")).content.decode()
    years = re.findall(r'<option value="(\d{4})"', page)
    assert years == ["2025", "2024"]  # the dataset's years; 2026 has not ended
    tables = {
        client.get(
            reverse("public_stats:export", args=["acts_by_year_and_region", "csv"]) + f"?year={y}"
        ).content
        for y in ("2024", "2025", "1999", "nonsense")
    }
    assert len(tables) == 1  # one whole-period table, whatever the year asked for


def test_the_public_export_hides_the_same_cells_as_the_page(client, dataset):
    response = client.get(reverse("public_stats:export", args=["sdg_by_sex", "csv"]) + "?year=2025")
    rows = _csv(response)
    assert rows[0][:3] == ["", "Woman", "Man"]
    shown = public.published().sdg_by_sex(2025).public_rows()
    assert [row[1:-1] for row in rows[1:]] == [cells for _label, cells, _total in shown]
    assert all(value not in {"1", "2", "3", "4"} for row in rows[1:] for value in row[1:])
    from openpyxl import load_workbook

    workbook = load_workbook(
        io.BytesIO(
            client.get(
                reverse("public_stats:export", args=["sdg_by_sex", "xlsx"]) + "?year=2025"
            ).content
        )
    )
    cells = [["" if v is None else str(v) for v in row] for row in workbook.active.values]
    assert cells == rows


def test_the_maps_colour_each_country_and_the_public_one_tells_only_ranges(client, dave, dataset):
    public_html = client.get(reverse("public_stats:page") + "?year=2025").content.decode()
    colombia = re.search(
        r'<path d="[^"]+" class="band-(\d)"><title>Colombia: ([^<]+)</title>', public_html
    )
    # Verified acts in Colombia over the period: A's three, E's raid and F's first
    # disappearance.
    assert colombia and colombia.group(1) == "1" and colombia.group(2) == "5–19"
    assert "Colombia: 5<" not in public_html
    # Kenya has two: told as the lowest range, which also holds the countries with none.
    assert re.search(r"<title>Kenya: 0–4</title>", public_html)
    assert re.search(r"<title>France: 0–4</title>", public_html)
    client.force_login(dave)
    desk_html = client.get(reverse("stats:dashboard")).content.decode()
    colombia = re.search(
        r'<path d="[^"]+" class="band-(\d)"><title>Colombia: (\d+)</title>', desk_html
    )
    # Colombia: A's three acts, C's reported killing, E's raid, F's first disappearance.
    assert colombia and colombia.group(2) == "6"
    assert 'href="/desk/statistics/records/?country=COL"' in desk_html


def test_the_public_charts_draw_only_what_the_tables_show(client, dataset):
    html = client.get(reverse("public_stats:page") + "?year=2025").content.decode()
    chart = html.split('aria-labelledby="h-sdg"')[2].split("</svg>")[0]
    grid = public.published().sdg_by_sex(2025)
    bars = re.findall(r"<title>(.*?): (.*?)</title>.*?width=\"(\d+)\"", chart, re.S)
    assert [(label, shown) for label, shown, _width in bars] == [
        (str(label), total) for label, _cells, total in grid.public_rows()[:-1]
    ]
    # Every category is below five here (or none): no bar is drawn, whatever its count.
    assert {width for _label, _shown, width in bars} == {"0"}


def test_an_act_verified_on_one_source_is_not_counted_publicly(client, carol):
    from datetime import date

    from vigil.cases.tests import factories as make
    from vigil.cases.vocabularies import ViolationType
    from vigil.stats.tests.builders import verified

    victim = make.defender(carol, name="Victim")
    for month in range(1, 8):
        verified(carol, victim, ViolationType.THREATS, date(2025, month, 1), sources=1)
    verified(carol, victim, ViolationType.THREATS, date(2024, 1, 1))
    release = public.published()
    assert release.years == [2024, 2025]
    assert release.acts_by_year_and_region.row_totals == [1, 0]
