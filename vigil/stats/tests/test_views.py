"""The statistics desk: counts in scope, links to the records behind them, exports,
and no name anywhere."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vigil.cases.vocabularies import ViolationType
from vigil.stats.tests.builders import verified

pytestmark = pytest.mark.django_db

NAMES = ["Rosa Secreta", "Marco Oculto"]


@pytest.fixture
def named(carol, dataset):
    from vigil.cases.tests import factories as make

    for name, country in zip(NAMES, ("COL", "KEN"), strict=True):
        person = make.defender(carol, name=name, country=country)
        verified(carol, person, ViolationType.KILLING, date(2025, 6, 1), country)


def test_an_analyst_sees_the_counts_and_no_name(client, dave, named):
    client.force_login(dave)
    html = client.get(reverse("stats:dashboard") + "?year=2025").content.decode()
    assert "SDG indicator 16.10.1, 2025" in html
    for name in NAMES:
        assert name not in html
    records = client.get(reverse("stats:records")).content.decode()
    for name in NAMES:
        assert name not in records


def test_a_bar_links_to_exactly_the_records_behind_it(client, dave, named):
    client.force_login(dave)
    html = client.get(reverse("stats:dashboard") + "?region=african").content.decode()
    # Kenya: B's kidnapping, F's disappearance and Marco's killing.
    assert 'href="/desk/statistics/records/?region=african&amp;violation=killing"' in html
    page = client.get(reverse("stats:records") + "?region=african&violation=killing")
    assert "1 act" in page.content.decode()
    page = client.get(reverse("stats:records") + "?region=african")
    assert "3 acts" in page.content.decode()


def test_tables_export_to_csv_and_xlsx_with_the_same_numbers(client, dave, named):
    client.force_login(dave)
    response = client.get(reverse("stats:export", args=["violation", "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Group", "Acts", "Victims", "Cases"]
    counts = {row[0]: int(row[1]) for row in rows[1:]}
    # All acts, verified or not: C's reported killing and the two named ones.
    assert counts["Killing"] == 3 and counts["Arbitrary arrest or detention"] == 2
    workbook = load_workbook(
        io.BytesIO(
            client.get(reverse("stats:export", args=["sdg16101", "xlsx"]) + "?year=2025").content
        )
    )
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    last = [c.value for c in sheet[sheet.max_row]]
    assert header[:2] == ["Category", "Total"] and last[:2] == ["All categories", 7]


def test_an_officer_counts_only_their_countries_and_a_stakeholder_none(client, alice, sam, named):
    client.force_login(alice)  # Colombia and the Philippines
    response = client.get(reverse("stats:export", args=["country", "csv"]))
    countries = {row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert "Kenya" not in countries and "Colombia" in countries
    client.force_login(sam)
    assert client.get(reverse("stats:dashboard")).status_code == 404
    assert client.get(reverse("stats:records")).status_code == 404


def test_the_trend_line_rises_and_falls_with_the_yearly_counts(client, dave, dataset):
    import re

    client.force_login(dave)
    html = client.get(reverse("stats:dashboard")).content.decode()
    points = re.findall(
        r"<title>(\d{4}): (\d+)</title>\s*<circle cx=\"[\d.]+\" cy=\"([\d.]+)\"", html
    )
    # 2025: A three, B, C (reported), D, E and F twice; 2024: D once.
    assert [(year, count) for year, count, _y in points] == [("2024", "1"), ("2025", "9")]
    heights = [float(y) for _year, _count, y in points]
    assert heights[0] > heights[1]  # fewer acts: lower on the chart (a larger y)


def test_measures_and_activity_reports_are_counted_by_effect_theme_level_and_stakeholder(
    alice, sam
):
    from vigil.activities import services as activities
    from vigil.measures import services as measures
    from vigil.stats import counting

    for effect, themes, on in (
        ("restrictive", ["foreign_agents"], date(2024, 3, 1)),
        ("restrictive", ["foreign_agents", "assembly"], date(2025, 3, 1)),
        ("enabling", ["protection"], date(2025, 6, 1)),
    ):
        measures.measure_create(
            actor=alice, country="COL", kind="law", title=f"{effect} {on}", effect=effect,
            status="adopted", status_on=on, themes=themes,
        )  # fmt: skip
    measures.measure_create(  # a proposal waiting for review: not counted
        actor=sam, country="COL", kind="law", title="Proposed", effect="mixed",
        status="adopted", status_on=date(2025, 1, 1), themes=["assembly"],
    )  # fmt: skip
    assert counting.measures_by_effect_and_year() == [
        (2024, {"restrictive": 1}), (2025, {"restrictive": 1, "enabling": 1}),
    ]  # fmt: skip
    themes = dict(counting.measures_by_theme())
    assert themes["Foreign agents laws"] == {"restrictive": 2}
    assert themes["Peaceful assembly"] == {"restrictive": 1}

    report = activities.report_submit(
        actor=sam, stakeholder="NHRI", stakeholder_type="nhri", title="Workshop",
        kind="training", starts_on=date(2025, 3, 1), level_local=True, level_national=True,
        description="x", countries=["COL"],
    )  # fmt: skip
    activities.report_review(
        actor=alice, report=report, version=report.version, decision="accepted"
    )
    rows = dict(counting.activities_by_level_and_stakeholder())
    assert rows["National human rights institution"] == {
        "local": 1, "national": 1, "regional": 0, "international": 0,
    }  # fmt: skip
    assert rows["State"] == {"local": 0, "national": 0, "regional": 0, "international": 0}
    # A report at two levels is one report.
    assert dict(counting.activities_by_stakeholder())["National human rights institution"] == 1


def test_the_dashboard_shows_measures_by_effect_and_activity_reports_by_level(client, dave, alice):
    from vigil.measures import services as measures

    measures.measure_create(
        actor=alice, country="COL", kind="law", title="NGO law", effect="restrictive",
        status="adopted", status_on=date(2025, 3, 1), themes=["association"],
    )  # fmt: skip
    client.force_login(dave)
    html = client.get(reverse("stats:dashboard")).content.decode()
    assert "State measures by effect on defenders" in html
    assert '<th scope="row">2025</th><td>0</td><td>1</td><td>0</td>' in html
    assert "Accepted activity reports by level and type of stakeholder" in html
    # The charts beside the tables: one bar per effect, the longest for the only measure.
    measures_chart = html.split('aria-labelledby="h-measures"')[2].split("</svg>")[0]
    assert "<title>Restrictive: 1</title>" in measures_chart
    assert "<title>Enabling: 0</title>" in measures_chart
    # Their tables export too.
    rows = client.get(reverse("stats:export", args=["measures_by_year", "csv"]))
    assert rows.content.decode("utf-8-sig").splitlines() == [
        "Year,Enabling,Restrictive,Mixed", "2025,0,1,0",
    ]  # fmt: skip
    themes = client.get(reverse("stats:export", args=["measures_by_theme", "xlsx"]))
    assert themes["Content-Disposition"].endswith('"measures_by_theme.xlsx"')
    activities = client.get(reverse("stats:export", args=["activities", "csv"]))
    assert activities.content.decode("utf-8-sig").splitlines()[0] == (
        "Stakeholder,Local,National,Regional,International"
    )
