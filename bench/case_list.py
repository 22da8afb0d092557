"""Benchmark: the case list, a filtered list and a full-text search over 100,000 incidents.

Run with `make bench`. For each database (SQLite in a temporary folder; PostgreSQL
in a throwaway database on 127.0.0.1:5432 when a server answers there) it loads
100,000 fictional incidents in bulk, then times three reads as the desk makes them
(`selectors.case_page`, as the list view calls it: the count the paginator needs,
then the first page of 50 with titles decrypted) next to hand-written SQL returning the same rows, and prints the median
and 95th percentile of each and the ratio app/SQL. A second baseline, "SQL+decrypt",
also decrypts the page's titles: the least any reader of encrypted records pays.

Target: p95 under 200 ms, and the app within 3x its SQL.

    python bench/case_list.py [--incidents N] [--database sqlite|postgresql]
"""

import argparse
import statistics
import time
from datetime import date, timedelta
from pathlib import Path
from random import Random

from common import django_on, each_database  # bench/ is the script's own folder

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 40
WARMUP = 3
BATCH = 5000
SEARCH_WORD = "cacao"  # in about 1% of narratives


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(function, rounds: int = ROUNDS) -> list[float]:
    for _ in range(WARMUP):
        function()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


# --- Loading ------------------------------------------------------------------------


def load(incidents: int) -> None:
    from django.utils import timezone

    from vigil.accounts import services as accounts
    from vigil.cases.models import Act, Case, Defender, DefenderName, Incident, Perpetrator
    from vigil.cases.services import NAME_INDEX
    from vigil.cases.vocabularies import PerpetratorCategory, Verification, ViolationType
    from vigil.vault import index, search
    from vigil.vault.models import SearchEntry

    accounts.user_create(actor=None, username="coordinator", role="coordinator")
    random = Random(100_000)  # noqa: S311 - fictional data
    vocabulary = [f"w{n:04d}" for n in range(3000)]
    countries = ["COL", "MEX", "BRA", "HND", "GTM", "PHL", "IND", "PAK", "KEN", "UGA", "COD",
                 "NGA", "EGY", "TUR", "RUS", "IRN", "CHN", "VNM", "THA", "MMR", "PER", "NIC",
                 "VEN", "ECU", "ZWE", "BGD", "IDN", "KHM", "ETH", "CMR"]  # fmt: skip
    violations = [v.value for v in ViolationType]
    verification = [v.value for v in Verification]
    perpetrators = [p.value for p in PerpetratorCategory]
    start_span = (date(2026, 11, 1) - date(2018, 1, 1)).days
    now = timezone.now()
    case_number = 0
    for offset in range(0, incidents, BATCH):
        size = min(BATCH, incidents - offset)
        narratives = []
        for _ in range(size):
            words = random.choices(vocabulary, k=30)
            if random.random() < 0.01:
                words[random.randrange(30)] = SEARCH_WORD
            narratives.append(" ".join(words))
        batch = Incident.objects.bulk_create(
            Incident(
                title=" ".join(random.choices(vocabulary, k=6)),
                narrative=narrative,
                place=random.choice(vocabulary),
                start_date=date(2018, 1, 1) + timedelta(days=random.randrange(start_span)),
                country=random.choice(countries),
            )
            for narrative in narratives
        )
        cases = []
        for _ in range(int(size / 1.4)):
            case_number += 1
            cases.append(
                Case(
                    reference=f"VGL-BENCH-{case_number:07d}",
                    title=" ".join(random.choices(vocabulary, k=5)),
                    country=random.choice(countries),
                    updated_at=now - timedelta(minutes=random.randrange(10**6)),
                )
            )
        cases = Case.objects.bulk_create(cases)
        Case.incidents.through.objects.bulk_create(
            Case.incidents.through(case_id=random.choice(cases).pk, incident_id=i.pk) for i in batch
        )
        defenders = Defender.objects.bulk_create(
            Defender(kind="person", name=f"Person {offset + n}", country=i.country)
            for n, i in enumerate(batch)
        )
        DefenderName.objects.bulk_create(
            DefenderName(defender=d, digest=index.blind_index(d.name, purpose=NAME_INDEX))
            for d in defenders
        )
        links = {}
        for incident, defender in zip(batch, defenders, strict=True):
            links.setdefault(incident.pk, []).append(defender)
        Case.defenders.through.objects.bulk_create(
            Case.defenders.through(case_id=row.case_id, defender_id=links[row.incident_id][0].pk)
            for row in Case.incidents.through.objects.filter(incident__in=batch)
        )
        acts = Act.objects.bulk_create(
            Act(
                incident=incident,
                victim=defender,
                violation=random.choice(violations),
                verification=random.choice(verification),
            )
            for incident, defender in zip(batch, defenders, strict=True)
            for _ in range(random.choice([1, 1, 2]))
        )
        Perpetrator.objects.bulk_create(
            Perpetrator(act=act, category=random.choice(perpetrators)) for act in acts
        )
        SearchEntry.objects.bulk_create(
            SearchEntry(
                kind="cases.incident",
                object_id=i.pk,
                tokens=search.tokens_for([i.title, narrative, i.place], kind="cases.incident"),
            )
            for i, narrative in zip(batch, narratives, strict=True)
        )
        SearchEntry.objects.bulk_create(
            SearchEntry(
                kind="cases.case",
                object_id=c.pk,
                tokens=search.tokens_for([c.title], kind="cases.case"),
            )
            for c in cases
        )
        print(f"  loaded {offset + size:,} incidents", end="\r", flush=True)
    print()


# --- The three reads ----------------------------------------------------------------


def plain_sql(vendor: str, what: str) -> tuple[str, list]:
    from vigil.core.vocabularies import REGIONAL_GROUP_OF
    from vigil.vault import index, search

    columns = "c.id, c.reference, c.title, c.country, c.status, c.priority, c.updated_at"
    order = "ORDER BY c.updated_at DESC, c.id DESC LIMIT 50"
    if what == "list":
        return f"SELECT {columns} FROM cases_case c {order}", []
    if what == "filtered":
        members = [c for c, g in REGIONAL_GROUP_OF.items() if g == "latin_american_caribbean"]
        marks = ", ".join(["%s"] * len(members))
        return (
            f"SELECT {columns} FROM cases_case c WHERE c.country IN ({marks}) AND c.id IN ("
            "SELECT ci.case_id FROM cases_act a JOIN cases_case_incidents ci ON ci.incident_id = a.incident_id "
            "WHERE a.violation = %s AND a.verification = %s) " + order,
            [*members, "killing", "verified"],
        )
    digest = index.blind_index(SEARCH_WORD, purpose="defender-name")
    if vendor == "postgresql":
        match = "SELECT object_id FROM core_searchentry WHERE kind = %s AND string_to_array(tokens, ' ') @> %s::text[]"
    else:
        match = "SELECT e.object_id FROM core_searchentry_fts f JOIN core_searchentry e ON e.id = f.rowid WHERE core_searchentry_fts MATCH %s AND e.kind = %s"

    def matched(kind: str) -> tuple[str, list]:
        # Each kind of record has its own search key, so its own token for the word.
        token = search.tokens_for([SEARCH_WORD], kind=kind)
        if vendor == "postgresql":
            return match, [kind, [token]]
        return match, [f'"{token}"', kind]

    in_cases, p1 = matched("cases.case")
    in_incidents, p2 = matched("cases.incident")
    return (
        f"SELECT {columns} FROM cases_case c WHERE c.id IN ("
        "SELECT cd.case_id FROM cases_case_defenders cd JOIN cases_defendername n "
        "ON n.defender_id = cd.defender_id WHERE n.digest = %s "
        f"UNION {in_cases} "
        f"UNION SELECT ci.case_id FROM cases_case_incidents ci WHERE ci.incident_id IN ({in_incidents})"
        ") " + order,
        [digest, *p1, *p2],
    )  # fmt: skip


def measure(vendor: str) -> list[tuple[str, list[float], list[float], list[float], int]]:
    from django.db import connection

    from vigil.accounts.models import User
    from vigil.cases.selectors import CaseFilter, case_page
    from vigil.core.paging import COUNT_UP_TO
    from vigil.core.vocabularies import RegionalGroup
    from vigil.vault import encryption

    user = User.objects.get(username="coordinator")
    reads = {
        "list": CaseFilter(),
        "filtered": CaseFilter(
            region=RegionalGroup.LATIN_AMERICAN_CARIBBEAN,
            violation="killing",
            verification="verified",
        ),
        "search": CaseFilter(text=SEARCH_WORD),
    }
    results = []
    for name, filters in reads.items():
        sql, params = plain_sql(vendor, name)
        # Counted as the list counts: up to the cap and one more (core/paging.py).
        count_sql = f"SELECT count(*) FROM ({sql.rsplit(' ORDER BY', 1)[0]} LIMIT {COUNT_UP_TO + 1}) AS rows"

        def app(filters=filters):
            # What the list view does: a count for the paginator, then page 1.
            page = case_page(user, filters, 1)
            return page.paginator.count, [case.title for case in page.object_list]

        def raw(sql=sql, params=params, count_sql=count_sql):
            with connection.cursor() as cursor:
                cursor.execute(count_sql, params)
                total = cursor.fetchone()[0]
                cursor.execute(sql, params)
                return total, cursor.fetchall()

        def raw_readable(raw=raw):
            # The same rows as a person can read them: titles decrypted.
            total, rows = raw()
            return total, [encryption.decrypt(row[2], where="cases_case.title") for row in rows]

        app_total, app_titles = app()
        raw_total, raw_rows = raw()
        assert app_total == raw_total, (name, app_total, raw_total)
        assert len(app_titles) == len(raw_rows), name
        assert raw_readable()[1] == app_titles, name
        results.append((name, timed(app), timed(raw), timed(raw_readable), app_total))
    return results


def run_one(database: str, incidents: int) -> None:
    with django_on(database):
        from django.db import connection

        started = time.perf_counter()
        load(incidents)
        if database == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"  loading took {time.perf_counter() - started:.0f} s")
        print(
            f"  {'read':<9} {'rows':>7} {'app median':>11} {'app p95':>9} {'SQL median':>11}"
            f" {'SQL p95':>9} {'ratio':>6} {'SQL+decrypt':>12} {'ratio':>6}"
        )
        for read, app, raw, readable, total in measure(database):
            ratio = statistics.median(app) / statistics.median(raw)
            readable_ratio = statistics.median(app) / statistics.median(readable)
            added = statistics.median(app) - statistics.median(raw)
            if percentile(app, 0.95) >= 200:
                verdict = "MISSES the 200 ms target"
            elif ratio >= 3:
                verdict = f"MISSES the 3x target (the app adds {added:.1f} ms)"
            else:
                verdict = "ok"
            print(
                f"  {read:<9} {total:>7,} {statistics.median(app):>9.1f}ms {percentile(app, 0.95):>7.1f}ms"
                f" {statistics.median(raw):>9.1f}ms {percentile(raw, 0.95):>7.1f}ms {ratio:>5.2f}x"
                f" {statistics.median(readable):>10.1f}ms {readable_ratio:>5.2f}x  {verdict}"
            )
        from django.db import connections

        connections.close_all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.database:
        print(f"case list benchmark on {args.database}, {args.incidents:,} incidents")
        run_one(args.database, args.incidents)
        return
    each_database(__file__, args.incidents)


if __name__ == "__main__":
    main()
