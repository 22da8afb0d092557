"""The public statistics page: verified counts only, small numbers hidden, no name."""

import csv
import io

import pytest
from django.urls import reverse

from vigil.stats import public
from vigil.stats.suppression import recoverable

pytestmark = pytest.mark.django_db


def test_the_public_page_hides_every_small_count_and_names_nobody(client, dataset):
    html = client.get(reverse("public_stats:page") + "?year=2025").content.decode()
    # The hand-built year has five cases, one per category: all below 5.
    assert "&lt;5" in html
    for name in ("Rosa", "Marta"):
        assert name not in html
    assert "/desk/" not in html.split("<main", 1)[1]  # no link to a record
    grid = public.sdg_by_sex(2025)
    assert recoverable(grid) == {}
    assert grid.shown(("total", "total")) == "5"  # the total is not small


def test_the_public_export_hides_the_same_cells_as_the_page(client, dataset):
    response = client.get(reverse("public_stats:export", args=["sdg_by_sex", "csv"]) + "?year=2025")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["", "Woman", "Man"]
    shown = public.sdg_by_sex(2025).public_rows()
    assert [row[1:-1] for row in rows[1:]] == [cells for _label, cells, _total in shown]
    assert all(value not in {"1", "2", "3", "4"} for row in rows[1:] for value in row[1:])


def test_the_maps_colour_each_country_and_the_public_one_tells_only_ranges(client, dave, dataset):
    import re

    public_html = client.get(reverse("public_stats:page") + "?year=2025").content.decode()
    colombia = re.search(
        r'<path d="[^"]+" class="band-(\d)"><title>Colombia: ([^<]+)</title>', public_html
    )
    # Verified acts in Colombia: A's three, E's raid and F's first disappearance.
    assert colombia and colombia.group(1) == "2" and colombia.group(2) == "5–19"
    assert "Colombia: 5<" not in public_html
    client.force_login(dave)
    desk_html = client.get(reverse("stats:dashboard")).content.decode()
    colombia = re.search(
        r'<path d="[^"]+" class="band-(\d)"><title>Colombia: (\d+)</title>', desk_html
    )
    # Colombia: A's three acts, C's reported killing, E's raid, F's first disappearance.
    assert colombia and colombia.group(2) == "6"
    assert 'href="/desk/statistics/records/?country=COL"' in desk_html


def test_the_public_charts_draw_only_what_the_tables_show(client, dataset):
    import re

    html = client.get(reverse("public_stats:page") + "?year=2025").content.decode()
    chart = html.split('aria-labelledby="h-sdg"')[2].split("</svg>")[0]
    grid = public.sdg_by_sex(2025)
    bars = re.findall(r"<title>(.*?): (.*?)</title>.*?width=\"(\d+)\"", chart, re.S)
    assert [(label, shown) for label, shown, _width in bars] == [
        (label, total.replace("<", "&lt;")) for label, _cells, total in grid.public_rows()[:-1]
    ]
    # Every category is below five here (or none): no bar is drawn, whatever its count.
    assert {width for _label, _shown, width in bars} == {"0"}
