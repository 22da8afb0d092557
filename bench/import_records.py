"""Benchmark: importing incidents from a 100,000-row exchange file on PostgreSQL.

Run with `make bench`. It writes a CSV of N incident rows (the exchange layout), then
times:

- `import_records` as the desk does it (`exchange.importer.run`): every row checked,
  then written in batches (checked as the case services check one record, the title
  and narrative sealed, the search index, one chained audit entry per record, the
  external id);
- PostgreSQL's `COPY` of the same rows into a plain table with the same columns,

and prints incidents per second for each, the ratio, and the import's peak memory
(the process's resident high-water mark before and after it). Target (issue 17): at
least 10,000 incidents a second.

    python bench/import_records.py [--rows N]
"""

import argparse
import csv
import io
import resource
import time
from datetime import date, timedelta
from pathlib import Path
from random import Random

from common import django_on, postgres_available  # bench/ is the script's own folder

ROOT = Path(__file__).resolve().parent.parent
TARGET = 10_000  # incidents a second
COUNTRIES = ["COL", "MEX", "BRA", "HND", "GTM", "PHL", "IND", "KEN", "UGA", "NGA"]


def rows(n: int) -> list[dict[str, str]]:
    random = Random(247)  # noqa: S311 - fictional data
    words = [f"w{k:04d}" for k in range(3000)]
    start = date(2018, 1, 1)
    return [
        {
            "record": "incident",
            "external_id": f"bench-{k}",
            "title": " ".join(random.choices(words, k=6)),
            "narrative": " ".join(random.choices(words, k=40)),
            "start_date": (start + timedelta(days=random.randrange(3000))).isoformat(),
            "country": random.choice(COUNTRIES),
        }
        for k in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if not postgres_available():
        print("PostgreSQL is not answering on 127.0.0.1:5432: no import benchmark.")
        return
    with django_on("postgresql", prefix="vigil_bench_import"):
        from django.db import connection

        from vigil.accounts import services as accounts
        from vigil.cases.models import Incident
        from vigil.exchange import importer
        from vigil.exchange.layout import csv_header

        user = accounts.user_create(actor=None, username="coordinator", role="coordinator")
        print(f"import benchmark on postgresql, {args.rows:,} incident rows")
        generated = rows(args.rows)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=csv_header()[:-1], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(generated)
        content = buffer.getvalue().encode()
        print(f"  the file: {len(content) / 1e6:.1f} MB")

        resident = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        report = importer.run(user, importer.read_csv(content))
        app_seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert report.imported and report.created == args.rows, report.problems[:3]
        assert Incident.objects.count() == args.rows

        columns = ["external_id", "title", "narrative", "start_date", "country"]
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_plain (external_id text, title text, narrative text, "
                "start_date date, country text)"
            )
            started = time.perf_counter()
            with cursor.copy(f"COPY bench_plain ({', '.join(columns)}) FROM STDIN") as copy:
                for row in generated:
                    copy.write_row([row[c] for c in columns])
            copy_seconds = time.perf_counter() - started
            cursor.execute("SELECT count(*) FROM bench_plain")
            assert cursor.fetchone()[0] == args.rows

        app_rate, copy_rate = args.rows / app_seconds, args.rows / copy_seconds
        print(f"  {'':<34} {'seconds':>8} {'incidents/s':>12}")
        print(f"  {'import_records (checked, audited)':<34} {app_seconds:>8.1f} {app_rate:>12,.0f}")
        print(f"  {'COPY into a plain table':<34} {copy_seconds:>8.1f} {copy_rate:>12,.0f}")
        print(f"  ratio COPY/import: {copy_rate / app_rate:,.0f}x")
        met = "met" if app_rate >= TARGET else "NOT met"
        print(f"  target: at least {TARGET:,} incidents/s: {met}")
        print(f"  peak memory: {resident:,.0f} MB before the import, {peak:,.0f} MB after")


if __name__ == "__main__":
    main()
