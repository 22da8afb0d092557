"""Benchmark: the statistics dashboard and the SDG 16.10.1 table over 100,000 incidents.

Run with `make bench`. For each database (SQLite in a temporary folder; PostgreSQL
in a throwaway database on 127.0.0.1:5432 when a server answers there) it loads
100,000 fictional incidents (the case list benchmark's loader, then varied sexes,
victim categories, focus groups and reprisals), and times:

- the dashboard: every breakdown `/desk/statistics/` shows (acts, victims and cases
  by year, 16.10.1 category, violation, region, country, sex, victim category,
  focus group, perpetrator, business and reprisal), as `stats.freshness.dashboard`
  computes it for a coordinator, counted fresh (no cache): for the whole desk (the
  tallies of stats/tally.py, settled after one act changed before each read) and
  for one country and year (counted in the request);
- the 16.10.1 table for one 12-month period (`stats.sdg16101.counting.table`), for
  everything and for one country,

each next to hand-written SQL that computes the same numbers (the script checks
that they agree before timing), and prints the median and 95th percentile and the
ratio of the 95th percentiles, app/SQL.

Target (issue 17): p95 under one second, and at most 1.5x the SQL.

    python bench/dashboard.py [--incidents N] [--database sqlite|postgresql]
"""

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

from case_list import load, percentile  # bench/ is the script's own folder
from common import django_on, each_database

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 10
WARMUP = 1
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))


def timed(function) -> list[float]:
    for _ in range(WARMUP):
        function()
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def vary() -> None:
    """The case list loader makes every victim an unknown-sex human rights defender;
    spread sexes, categories, focus groups and reprisals as real records would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_defender SET "
            "sex_gender = CASE id % 7 WHEN 0 THEN 'unknown' WHEN 1 THEN 'non_binary' "
            "  WHEN 2 THEN 'woman' WHEN 3 THEN 'woman' WHEN 4 THEN 'woman' ELSE 'man' END, "
            "is_journalist = (id % 5 = 0), is_trade_unionist = (id % 9 = 0), "
            "is_hrd = (id % 5 <> 0 OR id % 2 = 0), "
            "focus_environment = (id % 4 = 0), focus_business = (id % 6 = 0), "
            "focus_labour = (id % 9 = 0), focus_lgbti = (id % 13 = 0), "
            "focus_anti_corruption = (id % 11 = 0), focus_lawyers = (id % 17 = 0), "
            "kind = CASE WHEN id % 50 = 0 THEN 'organisation' ELSE 'person' END"
        )
        cursor.execute("UPDATE cases_act SET reprisal = (id % 23 = 0)")


# --- Plain SQL ----------------------------------------------------------------------


def _cases(expression: str, when: dict[str, list[str]], default: str = "NULL") -> str:
    branches = " ".join(
        f"WHEN {expression} IN ({', '.join(repr(v) for v in values)}) THEN '{key}'"
        for key, values in when.items()
    )
    return f"CASE {branches} ELSE {default} END"


def _vocabulary_sql() -> dict[str, str]:
    from vigil.cases.vocabularies import STATE_PERPETRATORS
    from vigil.core.vocabularies import REGIONAL_GROUP_OF
    from vigil.stats.sdg16101.categories import SDG_CATEGORY_OF, SdgCategory

    categories = {
        c.value: [v.value for v, k in SDG_CATEGORY_OF.items() if k == c] for c in SdgCategory
    }
    regions: dict[str, list[str]] = {}
    for country, group in REGIONAL_GROUP_OF.items():
        regions.setdefault(group.value, []).append(country)
    state = {"state": sorted(p.value for p in STATE_PERPETRATORS)}
    return {
        "category": _cases("a.violation", categories),
        "region": _cases("i.country", regions),
        "region_or_none": _cases("country", regions, "'none'"),
        "perpetrator": _cases("p.category", state, "p.category"),
    }


def sql_dashboard(
    vendor: str, where: str = "", params: tuple = ()
) -> dict[str, dict[str, tuple[int, int, int]]]:
    """Each breakdown's (acts, victims, cases) per bucket, by hand; `where` (SQL over
    a, i and d, with `params`) narrows the acts counted."""
    from django.db import connection

    from vigil.cases.models import FOCUS_GROUP_FIELDS, VICTIM_CATEGORY_FIELDS

    sql = _vocabulary_sql()
    counts = "COUNT(DISTINCT a.id), COUNT(DISTINCT a.victim_id), COUNT(DISTINCT ci.case_id)"
    base = (
        "FROM cases_act a JOIN cases_incident i ON i.id = a.incident_id "
        "JOIN cases_defender d ON d.id = a.victim_id "
        "LEFT JOIN cases_case_incidents ci ON ci.incident_id = a.incident_id"
    )
    year = (
        "CAST(EXTRACT(YEAR FROM i.start_date) AS INTEGER)"
        if vendor == "postgresql"
        else "CAST(strftime('%Y', i.start_date) AS INTEGER)"
    )
    grouped = {
        "year": (year, ""),
        "sdg_category": (sql["category"], ""),
        "violation": ("a.violation", ""),
        "region": (sql["region"], ""),
        "country": ("i.country", ""),
        "sex": ("d.sex_gender", "WHERE d.kind = 'person'"),
        "perpetrator": (
            sql["perpetrator"],
            "JOIN cases_perpetrator p ON p.act_id = a.id",
        ),
    }
    flagged = {
        "victim_category": {c.value: f"d.{f}" for c, f in VICTIM_CATEGORY_FIELDS.items()},
        "focus_group": {g.value: f"d.{f}" for g, f in FOCUS_GROUP_FIELDS.items()},
    }
    found: dict[str, dict[str, tuple[int, int, int]]] = {}
    with connection.cursor() as cursor:
        for name, (key, extra) in grouped.items():
            join, own = (extra, "") if extra.startswith("JOIN") else ("", extra)
            conditions = [c for c in (own.removeprefix("WHERE "), where) if c]
            clause = f"WHERE {' AND '.join(conditions)}" if conditions else ""
            cursor.execute(f"SELECT {key}, {counts} {base} {join} {clause} GROUP BY 1", params)
            found[name] = {
                str(row[0]): tuple(row[1:]) for row in cursor.fetchall() if row[0] is not None
            }
        for name, conditions in flagged.items():

            def when(condition: str) -> str:
                return ", ".join(
                    f"COUNT(DISTINCT CASE WHEN {condition} THEN {column} END)"
                    for column in ("a.id", "a.victim_id", "ci.case_id")
                )

            clause = f"WHERE {where}" if where else ""
            cursor.execute(
                f"SELECT {', '.join(when(c) for c in conditions.values())} {base} {clause}", params
            )
            row = cursor.fetchone()
            found[name] = {key: tuple(row[3 * n : 3 * n + 3]) for n, key in enumerate(conditions)}
        business = (
            "(d.focus_business OR a.id IN "
            "(SELECT act_id FROM cases_perpetrator WHERE category = 'business'))"
        )
        cursor.execute(
            "SELECT "
            + ", ".join(
                f"COUNT(DISTINCT CASE WHEN {condition} THEN {column} END)"
                for condition in (business, "a.reprisal", "1 = 1")
                for column in ("a.id", "a.victim_id", "ci.case_id")
            )
            + f" {base} {'WHERE ' + where if where else ''}",
            params,
        )
        row = cursor.fetchone()
        found["flags"] = {
            key: tuple(row[3 * n : 3 * n + 3])
            for n, key in enumerate(["business", "reprisal", "all"])
        }
    return found


def sql_sdg(start: date, end: date, where: str = "", params: tuple = ()) -> dict:
    """The 16.10.1 cells (category, column) by hand: distinct victims per cell, of
    the acts verified as the methodology means it (on at least the minimum of
    independent sources, as many of them linked and rated reliable)."""
    from django.db import connection

    from vigil.cases.vocabularies import RELIABLE_SOURCES
    from vigil.stats.sdg16101.categories import VictimCategory
    from vigil.stats.sdg16101.counting import minimum_sources

    minimum = minimum_sources()
    reliable = ", ".join(f"'{r}'" for r in sorted(RELIABLE_SOURCES))

    sql = _vocabulary_sql()
    acts = (
        f"SELECT a.id, a.victim_id, {sql['category']} AS cat, d.sex_gender AS sex, "
        "i.country AS country, d.is_hrd, d.is_journalist, d.is_trade_unionist "
        "FROM cases_act a JOIN cases_incident i ON i.id = a.incident_id "
        "JOIN cases_defender d ON d.id = a.victim_id "
        "WHERE a.verification = 'verified' AND d.kind = 'person' "
        "AND i.start_date >= %s AND i.start_date <= %s "
        "AND (d.is_hrd OR d.is_journalist OR d.is_trade_unionist) "
        f"AND a.independent_sources >= {minimum} AND (SELECT COUNT(DISTINCT l.source_id) "
        "FROM cases_act_sources l JOIN cases_source s ON s.id = l.source_id "
        f"WHERE l.act_id = a.id AND s.reliability IN ({reliable})) >= {minimum}"
        + (f" AND {where}" if where else "")
    )
    flags = {
        VictimCategory.HUMAN_RIGHTS_DEFENDER.value: "is_hrd",
        VictimCategory.JOURNALIST.value: "is_journalist",
        VictimCategory.TRADE_UNIONIST.value: "is_trade_unionist",
    }
    parts = [
        "SELECT cat, 'total', COUNT(DISTINCT victim_id) FROM acts GROUP BY cat",
        "SELECT cat, 'sex:' || sex, COUNT(DISTINCT victim_id) FROM acts GROUP BY cat, sex",
        *(
            f"SELECT cat, 'victim:{key}', COUNT(DISTINCT victim_id) FROM acts "
            f"WHERE {flag} GROUP BY cat"
            for key, flag in flags.items()
        ),
        "SELECT cat, 'perpetrator:' || "
        + sql["perpetrator"].replace("ELSE p.category", "ELSE COALESCE(p.category, 'unknown')")
        + ", COUNT(DISTINCT victim_id) FROM acts LEFT JOIN cases_perpetrator p "
        "ON p.act_id = acts.id GROUP BY 1, 2",
        f"SELECT cat, 'region:' || {sql['region_or_none']}, COUNT(DISTINCT victim_id) "
        "FROM acts GROUP BY 1, 2",
        "SELECT cat, 'country:' || country, COUNT(DISTINCT victim_id) FROM acts GROUP BY 1, 2",
    ]
    query = f"WITH acts AS ({acts}) " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(query, [start, end, *params])
        return {(row[0], row[1]): row[2] for row in cursor.fetchall()}


# --- The application ----------------------------------------------------------------


def app_dashboard(user, filters=None) -> dict[str, dict[str, tuple[int, int, int]]]:
    from vigil.cases.selectors import CaseFilter
    from vigil.stats.freshness import dashboard

    return {
        name: {b.key: (b.acts, b.victims, b.cases) for b in breakdown.buckets}
        for name, breakdown in dashboard(user, filters or CaseFilter()).items()
    }


def app_sdg(user, year: int, country: str = "") -> dict[tuple[str, str], int]:
    """The 16.10.1 table of `year` as the dashboard reads it (freshness.sdg_table)."""
    from vigil.cases.selectors import CaseFilter
    from vigil.stats.freshness import sdg_table

    found = sdg_table(user, CaseFilter(country=country), year)
    cells = {(row.key, key): n for row in found.rows[:-1] for key, n in row.cells.items()}
    for row in found.countries:
        for key, n in row.cells.items():
            if key != "total":
                cells[(key, f"country:{row.key}")] = n
    return cells


def compare(name: str, app: dict, sql: dict) -> None:
    """The app's numbers are the hand-written SQL's, bucket by bucket (empty buckets
    the app shows with zeros are left out of the comparison)."""
    if name != "sdg16101":
        for breakdown, buckets in sql.items():
            shown = {k: v for k, v in app[breakdown].items() if v != (0, 0, 0)}
            wanted = {k: tuple(v) for k, v in buckets.items() if tuple(v) != (0, 0, 0)}
            assert shown == wanted, (breakdown, shown, wanted)
    else:
        assert app == sql, sorted(set(app.items()) ^ set(sql.items()))[:10]


COUNTRY = "COL"  # "one country and year": Colombia in PERIOD


def reads(user, vendor: str) -> dict:
    """What is timed, each as (the app, the hand-written SQL returning the same
    numbers): every dashboard breakdown for the whole desk and for one country and
    year, and the 16.10.1 table for everything and for one country, in PERIOD. Each
    read of the whole desk (the dashboard, the 16.10.1 table) first changes one act
    (its reprisal flag), so it counts a change, as the first read after someone's
    edit does."""
    from django.db.models import Case, Value, When

    from vigil.cases.models import Act
    from vigil.cases.selectors import CaseFilter

    first_act = Act.objects.order_by("pk").values_list("pk", flat=True).first()

    def change_one_act():
        flipped = Case(When(reprisal=True, then=Value(False)), default=Value(True))
        Act.objects.filter(pk=first_act).update(reprisal=flipped)

    def after_a_change():
        change_one_act()
        return app_dashboard(user)

    def sdg_after_a_change():
        change_one_act()
        return app_sdg(user, PERIOD[0].year)

    one = CaseFilter(country=COUNTRY, date_from=PERIOD[0], date_to=PERIOD[1])
    where = "i.country = %s AND i.start_date >= %s AND i.start_date <= %s"
    return {
        "dashboard, whole desk": (after_a_change, lambda: sql_dashboard(vendor)),
        "dashboard, one country and year": (
            lambda: app_dashboard(user, one),
            lambda: sql_dashboard(vendor, where, (COUNTRY, *PERIOD)),
        ),
        "16.10.1, everything": (sdg_after_a_change, lambda: sql_sdg(*PERIOD)),
        "16.10.1, one country": (
            lambda: app_sdg(user, PERIOD[0].year, country=COUNTRY),
            lambda: sql_sdg(*PERIOD, "i.country = %s", (COUNTRY,)),
        ),
    }


def run_one(database: str, incidents: int) -> None:
    with django_on(database):
        from django.db import connection

        from vigil.accounts.models import User

        started = time.perf_counter()
        load(incidents)
        vary()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if database == "postgresql" else "ANALYZE")
        print(f"  loading took {time.perf_counter() - started:.0f} s")
        user = User.objects.get(username="coordinator")
        started = time.perf_counter()
        from vigil.stats import tally

        tally.settle()
        print(
            f"  the tallies settled over the loaded records in {time.perf_counter() - started:.1f} s"
        )
        print(
            f"  {'read':<32} {'app median':>11} {'app p95':>9} {'SQL median':>11}"
            f" {'SQL p95':>9} {'ratio p95':>9}"
        )
        for read, (app, raw) in reads(user, database).items():
            compare("sdg16101" if read.startswith("16.10.1") else read, app(), raw())
            app_times, raw_times = timed(app), timed(raw)
            ratio = percentile(app_times, 0.95) / percentile(raw_times, 0.95)
            met = percentile(app_times, 0.95) < 1000 and ratio <= 1.5
            print(
                f"  {read:<32} {statistics.median(app_times):>9.0f}ms"
                f" {percentile(app_times, 0.95):>7.0f}ms {statistics.median(raw_times):>9.0f}ms"
                f" {percentile(raw_times, 0.95):>7.0f}ms {ratio:>8.2f}x"
                f"  {'ok' if met else 'MISSES the target (under 1 s, at most 1.5x)'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.database:
        print(f"statistics benchmark on {args.database}, {args.incidents:,} incidents")
        run_one(args.database, args.incidents)
        return
    each_database(__file__, args.incidents)


if __name__ == "__main__":
    main()
