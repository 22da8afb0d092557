"""How fresh the statistics are: the version of the records they were counted
from (`data_version`), the cache keys made from it and from the reader's scope and
filters, the cached counts (`counts`), and the recount as a task of the queue when
counting is slow, so that a large desk answers at once with the previous counts and
says when they were made. What is counted is counting.py's; this module decides only
when to count it again.
"""

import hashlib
import logging
import time
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from vigil.cases.models import Act
from vigil.cases.selectors import CaseFilter
from vigil.core import queue, reading
from vigil.core.permissions import Perm, country_scope, has_perm
from vigil.stats import tally
from vigil.stats.counting import BREAKDOWNS, COUNTERS, Breakdown, Counts, labelled
from vigil.stats.sdg16101 import counting as sdg16101
from vigil.stats.selectors import filtered_acts

logger = logging.getLogger(__name__)

# Shared by every process (settings.CACHES["statistics"]): a worker's counts reach the
# web processes that show them.
cache = caches["statistics"]

CACHE_SECONDS = 3600  # a bound on staleness should a change ever bypass data_version()


def data_version() -> str:
    """A version that changes whenever a record the statistics count is added,
    changed or deleted, however it was written: the database's triggers note every
    such change (tally.py, triggers.py). One query."""
    return tally.version()


def _digest(user: Any, filters: CaseFilter) -> str:
    """The reader's scope and the filters, as a digest for cache keys (the filter's
    words are never part of it: statistics ignore them)."""
    scope = country_scope(user)
    criteria = {k: v for k, v in asdict(filters).items() if k != "text"}
    material = repr((sorted(scope) if scope is not None else "all", sorted(criteria.items())))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


# A recount that took longer than this last time runs in the background after a
# change, and the page shows the previous counts, saying when they were made. Below
# it (any desk of a few thousand incidents), the page waits for exact numbers.
SYNC_SECONDS = 0.5


# With no counts at all yet (a new filter, a restarted cache), a desk holding more
# acts than this counts them in the background too: the page says so and refreshes.
BACKGROUND_ABOVE = 20_000


# A filter that leaves fewer acts than this is counted in the request, exact and
# uncached (about 0.3 s for 20,000 acts on the benchmark machine); above it, the
# cache and the background recount below.
COUNT_NOW_BELOW = 20_000


def whole_desk(user: Any, filters: CaseFilter) -> bool:
    """Whether `user` may read the statistics of every country and asks for them with
    no filter: the view the tallies keep (tally.py). Statistics ignore the filter's
    words."""
    return (
        has_perm(user, Perm.VIEW_STATISTICS)
        and country_scope(user) is None
        and replace(filters, text="").is_empty()
    )


@dataclass
class Counted:
    counts: dict[str, dict[str, Counts]]
    counted_at: datetime | None
    stale: bool = False  # the records have changed since; a recount is under way
    pending: bool = False  # nothing counted yet; a count is under way


def counts(
    user: Any, filters: CaseFilter, names: list[str], *, allow_stale: bool = True
) -> Counted:
    """The counts of the breakdowns `names`: from the cache when the records have not
    changed since they were counted; else counted now, or, when counting is slow
    and `allow_stale`, the previous counts (or, on a large desk with none yet,
    nothing but a notice) while a count runs in the background."""
    if whole_desk(user, filters):
        # Every country, no filter: the tallies, settled to every committed change
        # unless many changes wait (a large import just ended) or another settling
        # runs; then as they stand, saying when they were settled.
        found = tally.current()
        if found.behind and not allow_stale:
            # Exact numbers or none (an export): counted from the acts themselves.
            with reading.from_replica():
                acts = filtered_acts(user, filters)
                return Counted({name: COUNTERS[name](acts) for name in names}, timezone.now())
        if found.behind and found.settled_at is None:
            return Counted({}, None, pending=True)  # never settled yet: being counted
        return Counted(
            {name: found.counts[name] for name in names},
            found.settled_at if found.behind else timezone.now(),
            stale=found.behind,
        )
    acts = filtered_acts(user, filters)
    with reading.from_replica():
        if acts[:COUNT_NOW_BELOW].count() < COUNT_NOW_BELOW:
            # Few acts (a country and a year, an officer's countries): counted now,
            # exact, from each act's buckets, in well under a second at any size.
            counted = tally.count(acts)
            return Counted({name: counted[name] for name in names}, timezone.now())
    version, digest = data_version(), _digest(user, filters)
    _watch(user, filters, digest)
    entry = cache.get(f"vigil:stats:{version}:{digest}")
    latest = cache.get(f"vigil:stats:latest:{digest}")
    if not entry and latest and latest.get("version") == version:
        entry = latest  # the versioned copy expired, the records did not change
    if entry and all(name in entry["counts"] for name in names):
        return Counted(entry["counts"], entry["counted_at"])
    if (
        allow_stale
        and latest
        and latest["seconds"] > SYNC_SECONDS
        and all(name in latest["counts"] for name in names)
    ):
        _recount_later(user, filters, list(latest["counts"]), digest)
        return Counted(latest["counts"], latest["counted_at"], stale=True)
    if allow_stale and not latest and Act.objects.count() > BACKGROUND_ABOVE:
        _recount_later(user, filters, BREAKDOWNS, digest)
        return Counted({}, None, pending=True)
    return _count_now(user, filters, names, version, digest, entry)


def _count_now(
    user: Any, filters: CaseFilter, names: list[str], version: str, digest: str,
    entry: dict[str, Any] | None = None,
) -> Counted:  # fmt: skip
    started, at = time.perf_counter(), timezone.now()
    entry = entry or {"counted_at": at, "counts": {}, "seconds": 0.0, "version": version}
    acts = filtered_acts(user, filters)
    # `version` was read on the primary before this block, and the replica serves it
    # only once it has replayed every commit made before the block began: the counts
    # are never older than the records they are filed under (they may be newer, and
    # the next reader's version then asks for them again).
    with reading.from_replica():
        for name in names:
            if name not in entry["counts"]:
                entry["counts"][name] = COUNTERS[name](acts)
    entry["seconds"] += time.perf_counter() - started
    cache.set(f"vigil:stats:{version}:{digest}", entry, CACHE_SECONDS)
    cache.set(f"vigil:stats:latest:{digest}", entry, CACHE_SECONDS * 24)
    return Counted(entry["counts"], entry["counted_at"])


def _recount_later(user: Any, filters: CaseFilter, names: list[str], digest: str) -> None:
    """Queue a recount (stats/tasks.py), once at a time per scope and filters, after
    the request's transaction has committed (the lock is taken then, so a transaction
    rolled back leaves none behind). The task carries the reader's id and the
    filters without their words: statistics ignore them, and a searched name never
    enters the queue."""
    lock = f"vigil:stats:recounting:{digest}"
    criteria = {k: v for k, v in asdict(filters).items() if k != "text"}

    def start() -> None:
        if not cache.add(lock, True, timeout=600):
            return  # a recount is under way
        from vigil.stats.tasks import recount

        try:
            recount(user.pk, criteria, names, digest)
        except Exception:  # the queue out of reach: the next reader asks again
            cache.delete(lock)
            raise

    transaction.on_commit(start)


def recount(user_pk: Any, criteria: dict[str, Any], names: list[str], digest: str) -> None:
    """The queued recount (stats/tasks.py): count now, then let the next one be asked."""
    from django.contrib.auth import get_user_model

    try:
        user = get_user_model().objects.get(pk=user_pk, is_active=True)
        filters = CaseFilter(**criteria)
        # The reader's countries may have changed while the task waited: counts of the
        # new scope must not be filed under the old one's digest (see `refresh`).
        if _digest(user, filters) == digest:
            _count_now(user, filters, names, data_version(), digest)
    except Exception as error:
        if queue.transient(error):
            raise  # the queue tries again, later
        logger.error("statistics recount failed: %s", type(error).__name__)
    finally:
        cache.delete(f"vigil:stats:recounting:{digest}")


# The scopes and filters read lately, for the scheduled recount (`refresh`): each
# digest with its reader's id and criteria (never a searched word). Bounded, and
# forgotten after a day without a reader.
WATCHED = "vigil:stats:watched"
WATCH_MAX = 100
WATCH_PER_READER = 10  # one reader trying many filters does not push out the others
WATCH_SECONDS = 24 * 3600
REFRESH_BUDGET = 30.0  # seconds a run may count; the next minute's run goes on


def _watch(user: Any, filters: CaseFilter, digest: str) -> None:
    """Remember that this scope and these filters are read. Written at most every ten
    minutes per digest; two readers racing may lose one entry, which only means that
    one waits for its count once."""
    watched = cache.get(WATCHED) or {}
    now = time.time()
    if digest in watched and now - watched[digest]["read"] < 600:
        return
    criteria = {k: v for k, v in asdict(filters).items() if k != "text"}
    watched[digest] = {"user": user.pk, "criteria": criteria, "read": now}
    recent = sorted(watched.items(), key=lambda item: item[1]["read"], reverse=True)
    kept: dict[str, dict[str, Any]] = {}
    per_reader: dict[Any, int] = {}
    for key, entry in recent:
        if now - entry["read"] >= WATCH_SECONDS or len(kept) >= WATCH_MAX:
            continue
        per_reader[entry["user"]] = per_reader.get(entry["user"], 0) + 1
        if per_reader[entry["user"]] <= WATCH_PER_READER:
            kept[key] = entry
    cache.set(WATCHED, kept, WATCH_SECONDS)


def refresh() -> int:
    """The schedule's recount (stats/tasks.py, every minute): when the records have
    changed since the last run, count again every scope and filters read lately, so
    that the next reader finds exact numbers waiting. Returns how many were counted."""
    version = data_version()
    if cache.get("vigil:stats:refreshed") == version:
        return 0
    # One run at a time, on whichever worker takes it; a run that outlasts its budget
    # stops, and the next one goes on with what is still counted on older records.
    if not cache.add("vigil:stats:refreshing", True, timeout=max(int(REFRESH_BUDGET) * 4, 60)):
        return 0
    try:
        return _refresh(version)
    finally:
        cache.delete("vigil:stats:refreshing")


def _refresh(version: str) -> int:
    from django.contrib.auth import get_user_model

    started, done = time.monotonic(), 0
    watched_now = cache.get(WATCHED) or {}
    for digest, watched in sorted(watched_now.items(), key=lambda item: -item[1]["read"]):
        if time.monotonic() - started > REFRESH_BUDGET:
            return done  # not marked refreshed: the next run goes on
        latest = cache.get(f"vigil:stats:latest:{digest}")
        if latest and latest.get("version") == version:
            continue
        lock = f"vigil:stats:recounting:{digest}"
        if not cache.add(lock, True, timeout=600):
            continue  # a reader's recount is under way
        try:
            user = get_user_model().objects.filter(pk=watched["user"], is_active=True).first()
            filters = CaseFilter(**watched["criteria"])
            # Counts are filed by scope, not by reader: a reader whose countries have
            # changed since would file counts of one scope under another's digest.
            if user is None or _digest(user, filters) != digest:
                continue
            names = list(latest["counts"]) if latest else BREAKDOWNS
            _count_now(user, filters, names, version, digest)
            done += 1
        finally:
            cache.delete(lock)
    cache.set("vigil:stats:refreshed", version, CACHE_SECONDS)
    return done


def sdg_table(user: Any, filters: CaseFilter, year: int) -> sdg16101.Table:
    """The 16.10.1 table of `year`, always exact: the whole desk's from the tallies'
    cells when they hold every change, else counted from the acts now."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if whole_desk(user, filters) and not tally.current().behind:
        cells = tally.sdg_cells(year)
        if cells is not None:
            return sdg16101.table_of_cells(start, end, cells)
    return sdg16101.table(start, end, filtered_acts(user, filters))


def dashboard_counted(user: Any, filters: CaseFilter) -> tuple[dict[str, Breakdown], Counted]:
    """The dashboard's breakdowns, and when and how freshly they were counted."""
    counted = counts(user, filters, BREAKDOWNS)
    if counted.pending:
        return {name: Breakdown(name, name, []) for name in BREAKDOWNS}, counted
    return {name: labelled(name, counted.counts[name]) for name in BREAKDOWNS}, counted


def dashboard(user: Any, filters: CaseFilter) -> dict[str, Breakdown]:
    return dashboard_counted(user, filters)[0]


def breakdown(user: Any, filters: CaseFilter, name: str) -> Breakdown:
    """One of the dashboard's breakdowns, alone and exact (for an export, which
    carries no notice of staleness)."""
    return labelled(name, counts(user, filters, [name], allow_stale=False).counts[name])
