"""The dashboard's counts over every record, exact and current without counting
them again: for each bucket of each breakdown (counting.py's COUNTERS), how many
acts, victims and cases are in it.

Acts add up; victims and cases do not (one victim may have acts in many buckets, and
several acts in one), so the buckets each act, victim and case is in are kept too
(`Membership`): a victim is in a bucket when one of their acts is, a case when an act
of one of its incidents is. When records change, database triggers note which
(`Change`, triggers.py: no write, bulk or not, can bypass them); `settle()` then
works out the buckets of what changed, compares them with those kept, and adds or
takes one from each bucket gained or lost, in one transaction. Reading the counts is
then one small query, at any number of records.

A reader settles a small backlog before reading (`current`); an import settles its
own changes when it ends, and the scheduler every minute (tasks.py). A reader never
waits on another settling nor rebuilds in a request: it reads the tallies as they
stand and is told they are behind. The whole-desk view (every country, no filter)
reads them; a filtered or narrower view counts its own acts (freshness.py). A test
holds the tallies to COUNTERS' own counts after every kind of change.
"""

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from vigil.cases.models import FOCUS_GROUP_FIELDS, VICTIM_CATEGORY_FIELDS, Act, Case, Perpetrator
from vigil.cases.vocabularies import (
    RELIABLE_SOURCES,
    STATE_PERPETRATORS,
    DefenderKind,
    PerpetratorCategory,
    Verification,
)
from vigil.core import bulk
from vigil.core.vocabularies import REGIONAL_GROUP_OF
from vigil.stats.models import Change, Membership, Settled, Tally
from vigil.stats.sdg16101 import counting as sdg16101
from vigil.stats.sdg16101.categories import SDG_CATEGORY_OF

CHUNK = 5000  # records per query
CHANGES = 100_000  # changes settled per round (memory stays flat after a large import)
_LOCK = 0x56535441  # "VSTA": one settling at a time (PostgreSQL advisory lock)

_STATE = {p.value for p in STATE_PERPETRATORS}
_CATEGORY = {v.value: c.value for v, c in SDG_CATEGORY_OF.items()}
_REGION = {country: group.value for country, group in REGIONAL_GROUP_OF.items()}
_VICTIM_FLAGS = [(c.value, f) for c, f in VICTIM_CATEGORY_FIELDS.items()]
_FOCUS_FLAGS = [(g.value, f) for g, f in FOCUS_GROUP_FIELDS.items()]
_BUSINESS_FOCUS = [f for _g, f in _FOCUS_FLAGS].index("focus_business")
# The breakdowns that list every bucket, counted or not (counting._flagged).
FLAGGED = {
    "victim_category": [c for c, _f in _VICTIM_FLAGS],
    "focus_group": [g for g, _f in _FOCUS_FLAGS],
    "flags": ["business", "reprisal", "all"],
}

_ACT_COLUMNS = [
    "pk", "violation", "reprisal", "verification", "independent_sources",
    "incident__start_date", "incident__country",
    "victim__kind", "victim__sex_gender",
    *(f"victim__{f}" for _c, f in _VICTIM_FLAGS),
    *(f"victim__{f}" for _g, f in _FOCUS_FLAGS),
]  # fmt: skip


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def act_buckets(ids: Iterable[int]) -> dict[int, set[str]]:
    """The buckets of each act of `ids` that exists, as COUNTERS puts it in them, and,
    for an act the SDG 16.10.1 table counts, the cells of its year's table it is in
    (`sdg:` buckets; see `sdg_cells`)."""
    found: dict[int, set[str]] = {}
    business = PerpetratorCategory.BUSINESS.value
    minimum = sdg16101.minimum_sources()
    for chunk in _chunks(ids):
        perpetrators: dict[int, set[str]] = defaultdict(set)
        for act, category in Perpetrator.objects.filter(act_id__in=chunk).values_list(
            "act_id", "category"
        ):
            perpetrators[act].add(category)
        reliable = _reliable_sources(chunk)
        for row in Act.objects.filter(pk__in=chunk).values_list(*_ACT_COLUMNS):
            pk, violation, reprisal, verification, independent, start, country, kind, sex = row[:9]
            flags = row[9:]
            victim_flags, focus = flags[: len(_VICTIM_FLAGS)], flags[len(_VICTIM_FLAGS) :]
            buckets = {f"year:{start.year}", f"violation:{violation}", f"country:{country}"}
            buckets.add("flags:all")
            if violation in _CATEGORY:
                buckets.add(f"sdg_category:{_CATEGORY[violation]}")
            if country in _REGION:
                buckets.add(f"region:{_REGION[country]}")
            if kind == DefenderKind.PERSON:
                buckets.add(f"sex:{sex}")
            categories_on = [
                c for (c, _f), on in zip(_VICTIM_FLAGS, victim_flags, strict=True) if on
            ]
            buckets.update(f"victim_category:{c}" for c in categories_on)
            buckets.update(
                f"focus_group:{g}" for (g, _f), on in zip(_FOCUS_FLAGS, focus, strict=True) if on
            )
            categories = perpetrators.get(pk, set())
            groups = {"state" if c in _STATE else c for c in categories}
            buckets.update(f"perpetrator:{g}" for g in groups)
            if reprisal:
                buckets.add("flags:reprisal")
            if business in categories or focus[_BUSINESS_FOCUS]:
                buckets.add("flags:business")
            if (
                verification == Verification.VERIFIED
                and independent >= minimum
                and reliable.get(pk, 0) >= minimum
                and kind == DefenderKind.PERSON
                and categories_on
                and violation in _CATEGORY
            ):
                # The 16.10.1 cells of this act's case (its victim, in its category, in
                # its year): a victim is in a cell when one of their acts is, so the
                # victims of a cell are the table's cases (rules 3 to 7).
                cell = f"{SDG}:{start.year}|{_CATEGORY[violation]}|"
                keys = ["total", f"sex:{sex}", f"region:{_REGION.get(country, sdg16101.NO_GROUP)}"]
                keys += [f"victim:{c}" for c in categories_on]
                keys += [f"perpetrator:{g}" for g in groups or {PerpetratorCategory.UNKNOWN.value}]
                keys.append(f"country:{country}")
                buckets.update(cell + key for key in keys)
            found[pk] = buckets
    return found


def count(acts: QuerySet[Act]) -> dict[str, dict[str, tuple[int, int, int]]]:
    """Every breakdown of `acts`, as COUNTERS counts it, from each act's buckets
    (`act_buckets`): a few indexed queries, where COUNTERS runs ten aggregates that
    each read every link of a case to an incident at a million acts. For a few
    thousand acts (a country and a year); a test holds it to COUNTERS."""
    found: dict[str, dict[str, tuple[int, int, int]]] = {name: {} for name in _names()}
    # One row per act, even when a filter's join repeats it (a status held by two
    # of an incident's cases).
    rows = {pk: (victim, incident) for pk, victim, incident in acts.values_list(
        "pk", "victim_id", "incident_id"
    )}  # fmt: skip
    cases: dict[int, list[int]] = defaultdict(list)
    links = Case.incidents.through.objects
    for chunk in _chunks({incident for _victim, incident in rows.values()}):
        for incident, case in links.filter(incident_id__in=chunk).values_list(
            "incident_id", "case_id"
        ):
            cases[incident].append(case)
    tallied: dict[str, tuple[list[int], set[int], set[int]]] = {}
    for pk, buckets in act_buckets(rows).items():
        victim, incident = rows[pk]
        for bucket in buckets:
            if bucket.startswith(f"{SDG}:"):
                continue
            entry = tallied.setdefault(bucket, ([0], set(), set()))
            entry[0][0] += 1
            entry[1].add(victim)
            entry[2].update(cases.get(incident, ()))
    for bucket, (n, victims, in_cases) in tallied.items():
        dimension, key = bucket.split(":", 1)
        found[dimension][key] = (n[0], len(victims), len(in_cases))
    for dimension, keys in FLAGGED.items():
        for key in keys:
            found[dimension].setdefault(key, (0, 0, 0))
    return found


def _reliable_sources(acts: list[int]) -> dict[int, int]:
    """How many sources rated reliable or usually reliable each act of `acts` has."""
    links = Act.sources.through.objects.filter(
        act_id__in=acts, source__reliability__in=RELIABLE_SOURCES
    )
    return dict(
        links.values("act_id")
        .annotate(n=Count("source_id", distinct=True))
        .values_list("act_id", "n")
    )


def _kept(kind: str, ids: Iterable[int]) -> dict[int, set[str]]:
    kept: dict[int, set[str]] = {}
    for chunk in _chunks(ids):
        for entity, buckets in Membership.objects.filter(kind=kind, entity__in=chunk).values_list(
            "entity", "buckets"
        ):
            kept[entity] = set(buckets.split())
    return kept


# A victim is in the buckets of their acts; a case in those of its incidents' acts.
VICTIM_BUCKETS = (
    "SELECT a.victim_id, m.buckets FROM cases_act a JOIN stats_membership m "
    "ON m.kind = 'a' AND m.entity = a.id WHERE a.victim_id IN ({ids})"
)
CASE_BUCKETS = (
    "SELECT l.case_id, m.buckets FROM cases_case_incidents l "
    "JOIN cases_act a ON a.incident_id = l.incident_id "
    "JOIN stats_membership m ON m.kind = 'a' AND m.entity = a.id "
    "WHERE l.case_id IN ({ids})"
)


def _unions(sql: str, ids: Iterable[int]) -> dict[int, set[str]]:
    """The union of the kept buckets of the acts that `sql` pairs with each id."""
    found: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(ids):
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(sql.format(ids=marks), chunk)
            for entity, buckets in cursor.fetchall():
                found[entity].update(buckets.split())
    return found


def _store(kind: str, measure: int, new: dict[int, set[str]], ids: set[int], deltas) -> None:  # type: ignore[no-untyped-def]
    """Compare the buckets of `ids` now (`new`) with those kept, count the
    difference into `deltas`, and keep the new ones."""
    kept = _kept(kind, ids)
    for entity in ids:
        before, after = kept.get(entity, set()), new.get(entity, set())
        for bucket in after - before:
            deltas[bucket][measure] += 1
        for bucket in before - after:
            deltas[bucket][measure] -= 1
    changed = [e for e in ids if kept.get(e, set()) != new.get(e, set())]
    for chunk in _chunks(changed):
        Membership.objects.filter(kind=kind, entity__in=chunk).delete()
    bulk.rows(
        Membership,
        ["kind", "entity", "buckets"],
        [(kind, e, " ".join(sorted(new[e]))) for e in changed if new.get(e)],
    )


# Past this many changes waiting (a large import, a restore, the first settling of
# an upgraded desk), every tally is made again from the records, each act, victim
# and case once, rather than change by change.
REBUILD_ABOVE = 200_000


# A reader settles at most this many changes before reading (about half a second);
# more, and the page shows the tallies as they stand, saying when they were settled,
# and the minute's task (tasks.py) or the import that made them settles the rest.
SETTLE_IN_REQUEST = 5_000


def backlog(limit: int) -> int:
    """How many changes wait to be settled, counted up to `limit` + 1."""
    return Change.objects.all()[: limit + 1].count()


def settle(*, wait: bool = True) -> int | None:
    """Bring the tallies up to every committed change; returns how many changes
    were settled. One transaction, one settling at a time.

    With `wait` false (a reader), it settles only a small backlog and only when no
    other settling runs, and returns None when it left the changes for later: a page
    never waits on another settling, nor rebuilds every tally, in a request."""
    waiting = backlog(REBUILD_ABOVE)
    if _rule_changed():
        # The 16.10.1 cells were counted with another minimum of sources: all again.
        return rebuild() if wait else None
    if not waiting:
        return 0
    if not wait and waiting > SETTLE_IN_REQUEST:
        return None
    if not connection.in_atomic_block and waiting > REBUILD_ABOVE:
        rebuilt = rebuild()
        if rebuilt is not None:
            return rebuilt
    try:
        with _no_wait(not wait), transaction.atomic():
            if not _lock(wait):
                return None
            return _settle_all(None if wait else SETTLE_IN_REQUEST)
    except _TooMuch:
        return None  # rolled back: more to count than a reader may; the task settles
    except OperationalError:
        if wait or connection.vendor != "sqlite":
            raise
        return None  # SQLite: another writer holds the database; the task settles


def _lock(wait: bool) -> bool:
    """One settling at a time. PostgreSQL: an advisory lock for the transaction.
    SQLite: transactions begin IMMEDIATE (settings), so this one already holds the
    database's write lock (or, not waiting, failed to take it at once)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
        return bool(cursor.fetchone()[0])


class _no_wait:
    """On SQLite, take the write lock at once or fail (`OperationalError`) rather
    than wait the connection's busy timeout for a long writer such as an import."""

    def __init__(self, active: bool) -> None:
        self.active = active and connection.vendor == "sqlite"

    def __enter__(self) -> None:
        if self.active:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout")
                self.timeout = cursor.fetchone()[0]
                cursor.execute("PRAGMA busy_timeout = 0")

    def __exit__(self, *exc: object) -> None:
        if self.active:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(self.timeout)}")


class _TooMuch(Exception):
    """A reader's settling found more to count than `SETTLE_IN_REQUEST`."""


def _settle_all(limit: int | None) -> int | None:
    """Settle the changes waiting, round after round; with a `limit` (a reader), one
    round of at most that many changes and acts (else `_TooMuch`), and None when
    changes committed meanwhile are left waiting."""
    settled = 0
    while True:
        rows = Change.objects.order_by("id").values_list("id", "kind", "entity", "mark")
        changes = list(rows[: limit or CHANGES])
        if not changes:
            return settled
        _settle([c[:3] for c in changes], limit)
        for chunk in _chunks(c[0] for c in changes):
            Change.objects.filter(id__in=chunk).delete()
        _advance(len(changes), sum(c[3] for c in changes))
        settled += len(changes)
        if limit is not None:
            return None if Change.objects.exists() else settled


def _advance(settled: int, marks: int) -> None:
    """Add `settled` changes and the sum of their `marks` to the settled ones, in the
    settling's transaction: the version (`version`) stays the same, as the changes
    waiting go down by as many. The minimum of sources the 16.10.1 cells were counted
    with is noted too."""
    now, minimum = timezone.now(), sdg16101.minimum_sources()
    if not Settled.objects.filter(pk=1).update(
        changes=F("changes") + settled, marks=F("marks") + marks, at=now, sdg_minimum=minimum
    ):
        Settled.objects.create(
            pk=1, epoch=secrets.token_hex(8), changes=settled, marks=marks, at=now,
            sdg_minimum=minimum,
        )  # fmt: skip


def _rule_changed() -> bool:
    """Whether the 16.10.1 cells were counted with another minimum of sources than
    the one set now (SDG_MIN_SOURCES)."""
    kept = Settled.objects.filter(pk=1).values_list("sdg_minimum", flat=True).first()
    return kept is not None and kept != sdg16101.minimum_sources()


def version() -> str:
    """The version of the records the statistics count: it changes with every
    committed change to them (each notes at least one change, which is either still
    waiting or settled), and with nothing else. One query, in one snapshot.

    The count of changes alone would repeat itself once the database goes back (a
    restore, a failover to a replica that had not received the last commits) under
    a cache that does not. So the version also carries the sum of the random marks
    the database drew for every change: the changes made after going back draw other
    marks than those lost (the odds of the same sum are about one in two billion)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.epoch, s.changes, s.marks, w.n, w.m FROM (SELECT COUNT(*) AS n, "
            "COALESCE(SUM(mark), 0) AS m FROM stats_change) AS w "
            "LEFT JOIN stats_settled s ON s.id = 1"
        )
        epoch, settled, marks, waiting, waiting_marks = cursor.fetchone()
    return f"{epoch or 'new'}:{(settled or 0) + waiting}:{(marks or 0) + int(waiting_marks)}"


def _settle(changes: list[tuple[int, str, int]], limit: int | None = None) -> None:
    marked: dict[str, set[int]] = defaultdict(set)
    for _id, kind, entity in changes:
        marked[kind].add(entity)
    acts = set(marked["a"])
    for chunk in _chunks(marked["i"]):
        acts.update(Act.objects.filter(incident_id__in=chunk).values_list("pk", flat=True))
    for chunk in _chunks(marked["v"]):
        acts.update(Act.objects.filter(victim_id__in=chunk).values_list("pk", flat=True))
    if limit is not None and len(acts) > limit:
        raise _TooMuch  # one change of a victim of thousands of acts, say
    deltas: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])

    new_acts = act_buckets(acts)
    _store("a", 0, new_acts, acts, deltas)

    victims = set(marked["v"])
    incidents = marked["i"] | marked["k"]
    for chunk in _chunks(new_acts):
        for victim, incident in Act.objects.filter(pk__in=chunk).values_list(
            "victim_id", "incident_id"
        ):
            victims.add(victim)
            incidents.add(incident)
    _store(
        "v",
        1,
        _unions(VICTIM_BUCKETS, victims),
        victims,
        deltas,
    )

    cases = set(marked["c"])
    links = Case.incidents.through.objects
    for chunk in _chunks(incidents):
        cases.update(links.filter(incident_id__in=chunk).values_list("case_id", flat=True))
    _store(
        "c",
        2,
        _unions(CASE_BUCKETS, cases),
        cases,
        deltas,
    )
    _apply({b: d for b, d in deltas.items() if any(d)})


def _apply(deltas: dict[str, list[int]]) -> None:
    if not deltas:
        return
    keys = [tuple(b.split(":", 1)) for b in deltas]
    rows = {
        (t.dimension, t.bucket): t
        for t in Tally.objects.filter(dimension__in={d for d, _b in keys})
    }
    made = []
    for bucket, (acts, victims, cases) in deltas.items():
        dimension, key = bucket.split(":", 1)
        row = rows.get((dimension, key))
        if row is None:
            made.append(
                Tally(dimension=dimension, bucket=key, acts=acts, victims=victims, cases=cases)
            )
        else:
            row.acts, row.victims, row.cases = (
                row.acts + acts,
                row.victims + victims,
                row.cases + cases,
            )
    Tally.objects.bulk_update(
        [r for r in rows.values()], ["acts", "victims", "cases"], batch_size=500
    )
    Tally.objects.bulk_create(made)
    Tally.objects.filter(acts=0, victims=0, cases=0).delete()


@dataclass
class Current:
    counts: dict[str, dict[str, tuple[int, int, int]]]
    settled_at: datetime | None  # when the last settling ended
    behind: bool  # changes wait that these counts do not include yet


def current() -> Current:
    """The tallies for a reader: settled first when that is quick and nobody else is
    settling, else as they stand, marked as behind."""
    settled = settle(wait=False)
    at = Settled.objects.filter(pk=1).values_list("at", flat=True).first()
    return Current(_read(), at, settled is None)


def counts() -> dict[str, dict[str, tuple[int, int, int]]]:
    """Every breakdown's counts over every record, as COUNTERS returns them: settled
    first (waiting for any other settling), so they include every committed change."""
    settle()
    return _read()


def sdg_cells(year: int) -> dict[str, int] | None:
    """The cells of `year`'s 16.10.1 table ("category|column" -> cases), or None when
    they were counted with another minimum of sources than the one set now."""
    if _rule_changed():
        return None
    cells = Tally.objects.filter(dimension=SDG, bucket__startswith=f"{year}|")
    return {bucket.split("|", 1)[1]: n for bucket, n in cells.values_list("bucket", "victims")}


SDG = "sdg"  # the dimension of the 16.10.1 cells ("year|category|column")


def _read() -> dict[str, dict[str, tuple[int, int, int]]]:
    found: dict[str, dict[str, tuple[int, int, int]]] = {name: {} for name in _names()}
    for dimension, bucket, acts, victims, cases in Tally.objects.exclude(dimension=SDG).values_list(
        "dimension", "bucket", "acts", "victims", "cases"
    ):
        found.setdefault(dimension, {})[bucket] = (acts, victims, cases)
    for dimension, keys in FLAGGED.items():
        for key in keys:
            found[dimension].setdefault(key, (0, 0, 0))
    return found


def _names() -> list[str]:
    from vigil.stats.counting import BREAKDOWNS

    return BREAKDOWNS


def rebuild() -> int | None:
    """Make every membership and tally again from the records, in chunks (memory
    stays flat), and forget the changes noted up to then; returns how many, or None
    when another settling holds the lock (it will do the work).

    On PostgreSQL the transaction reads one snapshot (REPEATABLE READ, when it is
    the outermost), so the changes it forgets are exactly those it can see, and
    changes committed meanwhile wait for the next settling."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
                if not cursor.fetchone()[0]:
                    return None
        top = Change.objects.order_by("-id").values_list("id", flat=True).first() or 0
        Membership.objects.all().delete()
        Tally.objects.all().delete()
        deltas: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        act_ids = Act.objects.order_by("pk").values_list("pk", flat=True)
        _rebuild("a", 0, act_ids, act_buckets, deltas)
        victims = Act.objects.order_by("victim_id").values_list("victim_id", flat=True).distinct()
        _rebuild("v", 1, victims, lambda ids: _unions(VICTIM_BUCKETS, ids), deltas)
        cases = (
            Case.incidents.through.objects.order_by("case_id")
            .values_list("case_id", flat=True)
            .distinct()
        )
        _rebuild("c", 2, cases, lambda ids: _unions(CASE_BUCKETS, ids), deltas)
        _apply({b: d for b, d in deltas.items() if any(d)})
        seen = Change.objects.filter(id__lte=top)
        marks = seen.aggregate(m=Sum("mark"))["m"] or 0
        forgotten = seen.delete()[0]
        _advance(forgotten, marks)
        return forgotten


def _rebuild(kind: str, measure: int, ids, buckets_of, deltas) -> None:  # type: ignore[no-untyped-def]
    """Memberships of every entity of `ids` (a query, read in chunks), counted."""
    chunk: list[int] = []

    def flush() -> None:
        found = buckets_of(chunk)
        for buckets in found.values():
            for bucket in buckets:
                deltas[bucket][measure] += 1
        bulk.rows(
            Membership,
            ["kind", "entity", "buckets"],
            [(kind, e, " ".join(sorted(b))) for e, b in found.items() if b],
        )
        chunk.clear()

    for entity in ids.iterator(chunk_size=CHUNK):
        chunk.append(entity)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
