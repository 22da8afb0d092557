"""Attacks on the public statistics and the public counts: an outsider who reads
every published number and works the hidden ones back with linear programming
(vigil/stats/audit.py, which knows nothing of how Vigil hides numbers).

The attacker knows what the page says of its rules: zeros are shown, so a hidden
count is at least 1; a count shown "<5" is at most 4. A small count (1 to 4) is
protected when the attacker cannot narrow it to fewer than five possible values.
Assertion messages print positions and counts, never a name."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse

from vigil.cases import services as case_services
from vigil.cases.tests import factories as make
from vigil.core.vocabularies import ViolationType
from vigil.stats.audit import Statement, audit
from vigil.stats.tests.builders import verified

pytestmark = pytest.mark.django_db

THRESHOLD = 5
TABLE = "acts_by_year_and_region"
COUNTRY = {"African Group": "KEN", "Asia-Pacific Group": "PHL"}
COUNTRY["Latin American and Caribbean Group"] = "COL"


def _acts(actor, counts: dict[tuple[int, str], int]) -> None:
    """Verified acts: `counts` maps (year, regional group label) to how many."""
    victim = make.defender(actor, name="Victim")
    for (year, group), n in counts.items():
        for k in range(n):
            verified(
                actor, victim, ViolationType.THREATS, date(year, 1 + k % 12, 1), COUNTRY[group]
            )


def _read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _add_published_table(
    statement: Statement, rows: list[list[str]], truth: dict, counts: dict
) -> None:
    """A year-by-group table as exported (header, a row per year, then the totals),
    added to what the attacker knows. A cell is keyed by its year and group, so that
    tables sharing a year (overlapping windows) share its unknowns; the truth of
    each key comes from `counts`."""
    header, body, totals = rows[0], rows[1:-1], rows[-1]
    groups, years = header[1:-1], [int(row[0]) for row in body]
    window = tuple(years)

    def put(key, text, value):
        if key not in statement.shown or not statement.shown[key].strip().isdigit():
            statement.shown[key] = text  # what one window shows exactly, all know
        truth[key] = value

    for year, row in zip(years, body, strict=True):
        for group, text in zip(groups, row[1:-1], strict=True):
            put((year, group), text, counts.get((year, group), 0))
        put((year, "total"), row[-1], sum(counts.get((year, g), 0) for g in groups))
        statement.add_sum([(year, g) for g in groups], (year, "total"))
    for group, text in zip(groups, totals[1:-1], strict=True):
        put((window, group), text, sum(counts.get((y, group), 0) for y in years))
        statement.add_sum([(y, group) for y in years], (window, group))
    put((window, "total"), totals[-1], sum(counts.get((y, g), 0) for y in years for g in groups))
    statement.add_sum([(window, g) for g in groups], (window, "total"))
    statement.add_sum([(y, "total") for y in years], (window, "total"))


def _exposed(statement: Statement, truth: dict) -> list[str]:
    """The small counts the attacker narrows to fewer than THRESHOLD values, as
    positions and intervals (no names: the tables hold none)."""
    failures = audit(statement, truth, THRESHOLD, hidden_min=1)
    return [f"{f.key}: {f.low:g}..{f.high:g}" for f in failures]


def test_a_small_count_cannot_be_worked_back_from_its_table_and_the_bounds_it_shows(client, carol):
    # The table [[1, 1, 10], [6, 7, 8]]: the two 1s are hidden; their row says they
    # add up to 2, and each hidden count is at least 1: both are 1.
    group = list(COUNTRY)
    counts = {(2024, group[0]): 1, (2024, group[1]): 1, (2024, group[2]): 10}
    counts |= {(2025, group[0]): 6, (2025, group[1]): 7, (2025, group[2]): 8}
    _acts(carol, counts)
    response = client.get(reverse("public_stats:export", args=[TABLE, "csv"]) + "?year=2025")
    assert response.status_code == 200
    statement, truth = Statement(), {}
    _add_published_table(statement, _read_csv(response.content), truth, counts)
    assert _exposed(statement, truth) == []


def test_overlapping_windows_of_years_cannot_be_combined_to_work_back_a_small_count(client, carol):
    # Five acts in 2021 and one in 2022. Each window of years alone holds: the one
    # is hidden with enough around it. But the window ending in 2021 shows 2021's
    # row, and a later window shows the total of 2021 and 2022 together.
    group = list(COUNTRY)
    counts = {(2021, group[0]): 5, (2022, group[1]): 1}
    _acts(carol, counts)
    page = client.get(reverse("public_stats:page")).content.decode()
    years = sorted({int(y) for y in re.findall(r'<option value="(\d{4})"', page)})
    assert len(years) > 1
    statement, truth = Statement(), {}
    for year in years:
        response = client.get(reverse("public_stats:export", args=[TABLE, "csv"]) + f"?year={year}")
        _add_published_table(statement, _read_csv(response.content), truth, counts)
    assert _exposed(statement, truth) == []
