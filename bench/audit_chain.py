"""Benchmark: what the hash chain costs on top of plain inserts and reads.

Run with `make bench`. Works on a throwaway SQLite database in a temporary folder,
so it never touches real data. Each figure is the best of several rounds, and each
comes with a baseline measured in the same run on the same machine, so the ratios
mean something on a shared, noisy machine where the absolute times do not.

- append: `audit.record()` (head lookup, canonical JSON, HMAC-SHA256, insert, in its
  own transaction) against a plain ORM insert of a small row, also one per
  transaction.
- verify: `audit.verify()` over the whole chain against merely reading the same
  rows with the same chunked iterator.
- memory: peak Python allocation of walking and hashing 2N and 4N entries (each
  several chunks long); the chunked walk should not grow with the trail's length.
"""

import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROUNDS = 3
N = int(os.environ.get("BENCH_AUDIT_ENTRIES", "2000"))


def best_of(rounds: int, function) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="vigil-bench-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("VIGIL_DEBUG", None)  # debug mode keeps a log of every query
    os.environ.update(
        {
            "VIGIL_SECRET_KEY": "bench-" + "x" * 60,
            "VIGIL_ENCRYPTION_KEYS": "mXkO8fN3v0y0mEw0uW6r2m7yq1WlK1x0dE3Xj2l8p5E=",
            "VIGIL_AUDIT_KEY": "YmVuY2gtYXVkaXQta2V5LW5vdC1mb3ItcHJvZHVjdCE",
            "VIGIL_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "vigil.settings",
        }
    )
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from vigil.core import audit
    from vigil.core.models import AuditEntry, DemoDataset

    call_command("migrate", verbosity=0)
    counter = iter(range(10**9))

    def append_chain() -> None:
        for i in range(N):
            audit.record(actor=None, action="bench.append", object_type="bench.row", object_id=i)

    def append_plain() -> None:
        for _ in range(N):
            with transaction.atomic():
                DemoDataset.objects.create(name=f"bench-{next(counter)}")

    append_rounds = 1  # every round makes the chain longer; one round of N is enough
    t_plain_append = best_of(append_rounds, append_plain)
    t_chain_append = best_of(append_rounds, append_chain)
    # Top the chain up to 4N entries for the memory comparison below.
    for _ in range(3):
        append_chain()
    total = AuditEntry.objects.count()

    def read_only() -> None:
        for _entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
            pass

    def verify_all() -> None:
        result = audit.verify()
        assert result.intact and result.count == total

    t_read = best_of(ROUNDS, read_only)
    t_verify = best_of(ROUNDS, verify_all)

    def peak_bytes(limit: int) -> int:
        tracemalloc.start()
        for entry in (
            AuditEntry.objects.filter(seq__lte=limit).order_by("seq").iterator(chunk_size=2000)
        ):
            audit.entry_hash_of(entry)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    # Both lengths span several chunks, so the comparison is of like with like.
    peak_2n, peak_4n = peak_bytes(2 * N), peak_bytes(4 * N)

    shutil.rmtree(data_dir, ignore_errors=True)
    print(f"audit chain benchmark on SQLite, N = {N}")
    print(f"  append, plain insert (baseline): {t_plain_append / N * 1e6:8.1f} µs/entry")
    print(
        f"  append, audit.record():          {t_chain_append / N * 1e6:8.1f} µs/entry"
        f"   ratio {t_chain_append / t_plain_append:.2f}x"
    )
    print(f"  read {total} entries (baseline):   {t_read * 1e3:8.1f} ms")
    print(
        f"  verify {total} entries:           {t_verify * 1e3:8.1f} ms"
        f"   ratio {t_verify / t_read:.2f}x   ({total / t_verify:,.0f} entries/s)"
    )
    print(
        f"  peak memory walking {2 * N} / {4 * N} entries: {peak_2n / 1024:.0f} KiB / "
        f"{peak_4n / 1024:.0f} KiB   ratio {peak_4n / peak_2n:.2f}x"
    )


if __name__ == "__main__":
    main()
