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
