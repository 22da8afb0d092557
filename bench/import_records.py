"""Benchmark: importing incidents from a 100,000-row exchange file on PostgreSQL.

Run with `make bench`. It writes a CSV of N incident rows (the exchange layout), then
times:

- `import_records` as the desk does it (`exchange.importer.run`): every row checked,
  then written in batches (checked as the case services check one record, the title
  and narrative sealed, the search index, one chained audit entry per record, the
  external id);
- PostgreSQL's `COPY` of the same rows into a plain table with the same columns,

and prints incidents per second for each, the ratio, and the import's peak memory
(the resident high-water mark of the process that imports, before and after the
import). With `--existing 100000,1000000` the file is imported into a desk already
holding that many incidents (bench/million.py's loader), once per size, so that
memory and speed can be compared across sizes. Target (issue 17): at least 10,000
incidents a second, and the peak at a million no more than 1.5x the peak at 100,000.

    python bench/import_records.py [--rows N] [--existing 0,100000,1000000]
"""

import argparse
import csv
import io
import json
import os
import subprocess
import sys
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


def file_content(n: int) -> bytes:
    from vigil.exchange.layout import csv_header

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=csv_header()[:-1], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows(n))
    return buffer.getvalue().encode()


def memory(field: str) -> float:
    """This process's resident memory (VmRSS) or its high-water mark (VmHWM), in MB,
    from Linux's /proc (getrusage's maximum is carried over from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def import_into(database: str, n: int) -> None:
    """In a process of its own, so that its peak memory is the import's: import an
    N-row file into the benchmark database `database`; print the figures as JSON."""
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from vigil.exchange import importer

    user = get_user_model().objects.get(username="coordinator")
    content = file_content(n)
    before = memory("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts again here
    started = time.perf_counter()
    report = importer.run(user, importer.read_csv(content))
    seconds = time.perf_counter() - started
    peak = memory("VmHWM")
    assert report.imported and report.created == n, report.problems[:3]
    print(json.dumps({"seconds": seconds, "before": before, "peak": peak}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--existing", default="0", help="records already there, comma-separated: 0,1000000"
    )
    parser.add_argument("--into", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.into:
        import_into(args.into, args.rows)
        return
    if not postgres_available():
        print("PostgreSQL is not answering on 127.0.0.1:5432: no import benchmark.")
        return
    for existing in [int(n) for n in args.existing.split(",")]:
        one(existing, args.rows)


def one(existing: int, n: int) -> None:
    with django_on("postgresql", prefix="vigil_bench_import"):
        from django.db import connection

        from vigil.accounts import services as accounts
        from vigil.cases.models import Incident

        print(
            f"import benchmark on postgresql: a {n:,}-row file into a desk of "
            f"{existing:,} incidents"
        )
        if existing:
            from million import load

            loaded = load(existing, quiet=True)
            print(f"  the desk loaded in {loaded.seconds:.0f} s")
        else:
            accounts.user_create(actor=None, username="coordinator", role="coordinator")
        print(f"  the file: {len(file_content(n)) / 1e6:.1f} MB")
        connection.close()  # the child writes; nothing here holds a lock
        child = subprocess.run(  # noqa: S603 - this script
            [sys.executable, __file__, "--into", connection.settings_dict["NAME"],
             "--rows", str(n)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        app_seconds = figures["seconds"]
        assert Incident.objects.count() == existing + n

        columns = ["external_id", "title", "narrative", "start_date", "country"]
        generated = rows(n)
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
            assert cursor.fetchone()[0] == n

        app_rate, copy_rate = n / app_seconds, n / copy_seconds
        print(f"  {'':<34} {'seconds':>8} {'incidents/s':>12}")
        print(f"  {'import_records (checked, audited)':<34} {app_seconds:>8.1f} {app_rate:>12,.0f}")
        print(f"  {'COPY into a plain table':<34} {copy_seconds:>8.1f} {copy_rate:>12,.0f}")
        print(f"  ratio COPY/import: {copy_rate / app_rate:,.0f}x")
        met = "met" if app_rate >= TARGET else "NOT met"
        print(f"  target: at least {TARGET:,} incidents/s: {met}")
        print(
            f"  the import's process: {figures['before']:,.0f} MB before it, "
            f"{figures['peak']:,.0f} MB at its peak"
        )


if __name__ == "__main__":
    main()
