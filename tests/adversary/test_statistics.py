"""Attacks on the public statistics and the public counts: an outsider who reads
every published number and works the hidden ones back with linear programming
(vigil/stats/audit.py, which knows nothing of how Vigil hides numbers).

The attacker knows what the page says of its rules: zeros are shown, so a hidden
count is at least 1; a count shown "<5" is at most 4. A small count (1 to 4) is
protected when the attacker cannot narrow it to fewer than five possible values.
Assertion messages print positions and counts, never a name."""

import csv
import html
import io
import re
from datetime import date

import pytest
from django.urls import reverse

from vigil.cases import services as case_services
from vigil.cases.tests import factories as make
from vigil.cases.vocabularies import ViolationType
from vigil.stats.audit import Statement, audit
from vigil.stats.tests.builders import verified

pytestmark = pytest.mark.django_db

THRESHOLD = 5
TABLE = "acts_by_year_and_region"
COUNTRY = {"African Group": "KEN", "Asia-Pacific Group": "PHL"}
COUNTRY["Latin American and Caribbean Group"] = "COL"


@pytest.fixture
def resolution():
    from vigil.library import parsing, services
    from vigil.library.tests.test_parsing import PLAIN

    return services.resolution_import(parsing.parse(PLAIN))


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


def test_the_library_does_not_count_a_case_an_officer_has_just_linked(client, alice, resolution):
    # An officer links a case, not verified, to a paragraph: the public page must
    # not tell that a case exists under it ("1 case" pointed at it at once).
    from vigil.library.models import Paragraph

    paragraph = Paragraph.objects.filter(resolution=resolution).first()
    case = make.case(alice)
    case_services.case_update(actor=alice, case=case, version=case.version, paragraphs=[paragraph])
    page = client.get(reverse("library:detail", args=[resolution.pk])).content.decode()
    assert "1 case" not in page and "verified case" not in page
    assert case.reference not in page


def test_the_library_does_not_count_a_few_verified_cases_nor_others_scope(
    client, alice, bob, carol, resolution
):
    # Two verified cases in Kenya under a paragraph: a small count, hidden from the
    # public; and an officer for Colombia learns nothing of Kenya's cases.
    from vigil.library.models import Paragraph

    paragraph = Paragraph.objects.filter(resolution=resolution).first()
    victim = make.defender(carol, name="Victim", country="KEN")
    for n in range(2):
        case = make.case(carol, country="KEN", title=f"Case {n}")
        case_services.case_update(
            actor=carol, case=case, version=case.version, paragraphs=[paragraph]
        )
        verified(carol, victim, ViolationType.THREATS, date(2025, 1, 1), "KEN", case=case)
    url = reverse("library:detail", args=[resolution.pk])
    assert "verified case" not in client.get(url).content.decode()
    assert "2 cases" not in client.get(url).content.decode()
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert "2 cases" not in page and "verified case" not in page


@pytest.mark.parametrize("value", ["1", "2", "0", "-5", "five"])
@pytest.mark.slow  # a real process per value
def test_a_small_count_setting_that_would_switch_suppression_off_is_refused(tmp_path, value):
    # VIGIL_STATS_SMALL_COUNT=1 hid nothing: every count from 1 up was published.
    from conftest import manage_env, run_manage

    env = manage_env(tmp_path, VIGIL_DEBUG="1", VIGIL_STATS_SMALL_COUNT=value)
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: VIGIL_STATS_SMALL_COUNT must be a "
        "whole number of at least 3 (5 if unset): a lower value would publish counts small "
        "enough to point at a person."
    )
    assert run_manage("check", env={**env, "VIGIL_STATS_SMALL_COUNT": "3"}).returncode == 0


@pytest.mark.slow  # every public table at once
def test_everything_the_public_statistics_publish_together_gives_no_small_count_away(client, carol):
    # A desk's worth of records over four years, in a dozen countries: the attacker
    # reads the page (its map), the whole-period table as CSV and XLSX, and the
    # 16.10.1 table of every year, and joins them: a regional group's countries add
    # up to its column; a year's 16.10.1 cases are at most its verified acts.
    import random

    from openpyxl import load_workbook

    from vigil.core.vocabularies import REGIONAL_GROUP_OF, country_name
    from vigil.stats import maps
    from vigil.stats.sdg16101.categories import SDG_CATEGORY_OF

    rng = random.Random(16101)  # noqa: S311 (test data, not a secret)
    countries = ["COL", "BRA", "MEX", "KEN", "NGA", "PHL", "IND", "HUN", "FRA", "TWN", "PSE"]
    violations = [
        ViolationType.KILLING, ViolationType.TORTURE, ViolationType.ARBITRARY_DETENTION,
        ViolationType.THREATS, ViolationType.ENFORCED_DISAPPEARANCE, ViolationType.KIDNAPPING,
    ]  # fmt: skip
    sexes = ["woman", "man", "non_binary", "unknown"]
    counted = []  # (year, country, category or None, sex): what the statistics count
    for n in range(70):
        year = rng.choice([2022, 2023, 2024, 2024, 2025, 2025])
        country = rng.choice(countries[:4] * 3 + countries)
        violation, sex = rng.choice(violations), rng.choice(sexes)
        in_category = rng.random() < 0.85
        victim = make.defender(
            carol, name=f"Person {n}", sex_gender=sex, country=country, is_hrd=in_category
        )
        sources = 2 if rng.random() < 0.9 else 1
        verified(carol, victim, violation, date(year, rng.randint(1, 12), 1), country,
                 sources=sources)  # fmt: skip
        if sources == 2:
            category = SDG_CATEGORY_OF[violation].value if in_category else None
            counted.append((year, country, category, sex))

    def group_label(code):
        group = REGIONAL_GROUP_OF.get(code)
        return str(group.label) if group else "Other"

    statement, truth = Statement(), {}
    # The whole-period table, by year and group: the CSV and the XLSX say the same.
    url = reverse("public_stats:export", args=[TABLE, "csv"])
    table = _read_csv(client.get(url).content)
    workbook = load_workbook(io.BytesIO(client.get(url.replace(".csv", ".xlsx")).content))
    assert [["" if v is None else str(v) for v in row] for row in workbook.active.values] == table
    by_group = {}
    for year, country, _category, _sex in counted:
        key = (year, group_label(country))
        by_group[key] = by_group.get(key, 0) + 1
    _add_published_table(statement, table, truth, by_group)
    years = [int(row[0]) for row in table[1:-1]]
    assert years == [2022, 2023, 2024, 2025]
    window = tuple(years)
    # The map: every country on it, told as a range.
    page = client.get(reverse("public_stats:page")).content.decode()
    svg = page.split('id="public-map-caption"')[0]
    names = {country_name(code): code for code in maps.world()["countries"]}
    bands = {
        html.unescape(name): band
        for name, band in re.findall(r"<title>([^<:]+): ([^<]+)</title>", svg)
    }
    assert len(bands) == len(names)
    per_country = {}
    for _year, country, _category, _sex in counted:
        per_country[country] = per_country.get(country, 0) + 1
    members = {}
    for name, band in bands.items():
        code = names[name]
        statement.shown[("country", code)] = band
        truth[("country", code)] = per_country.get(code, 0)
        members.setdefault(group_label(code), []).append(("country", code))
    groups = table[0][1:-1]
    for group in groups:
        # Countries of the group not on the map: an unknown the attacker cannot read.
        statement.add_sum([*members.get(group, []), ("off the map", group)], (window, group))
    # The 16.10.1 table of every year.
    for year in years:
        url = reverse("public_stats:export", args=["sdg_by_sex", "csv"]) + f"?year={year}"
        sdg = _read_csv(client.get(url).content)
        header, body = sdg[0][1:-1], sdg[1:-1]
        cells = [row[1:-1] for row in body]
        statement.add_table(
            ("sdg", year), cells, [row[-1] for row in body], sdg[-1][1:-1], sdg[-1][-1]
        )
        labels = [row[0] for row in body]
        from vigil.cases.vocabularies import SexGender
        from vigil.stats.sdg16101.categories import SdgCategory

        category_of = {str(c.label): c.value for c in SdgCategory}
        sex_of = {str(s.label): s.value for s in SexGender}
        cases = [(c, s) for y, _country, c, s in counted if y == year and c]
        for i, label in enumerate(labels):
            for j, sex in enumerate(header):
                key = (category_of[label], sex_of[sex])
                truth[(("sdg", year), i, j)] = cases.count(key)
            truth[(("sdg", year), i, "total")] = sum(
                1 for c, _s in cases if c == category_of[label]
            )
        for j, sex in enumerate(header):
            truth[(("sdg", year), "total", j)] = sum(1 for _c, s in cases if s == sex_of[sex])
        truth[(("sdg", year), "total", "total")] = len(cases)
        statement.add_at_most([(("sdg", year), "total", "total")], (year, "total"))
    small = [k for k, v in truth.items() if 0 < v < THRESHOLD]
    assert len(small) > 20  # the data has small counts to protect
    assert _exposed(statement, truth) == []
