"""The database triggers that note, in `stats_change`, every change to what the
statistics count (tally.py, freshness.py): acts, incidents, defenders, perpetrators,
the links of cases to incidents and of acts to sources, a case's status and a
source's reliability. Triggers, not signals: imports write in bulk, restores through
the cursor, and a queryset's update sends no signal; a trigger sees every one of them.
An update notes something only when it changes a column the statistics read
(`COUNTED`): a narrative, a name or a consent changes no count, so it neither
invalidates cached counts nor makes the tallies count again.

PostgreSQL: one trigger per statement, reading the rows it changed from transition
tables (a bulk COPY of a million rows fires once per statement, not per row), and a
trigger on TRUNCATE, which notes everything counted so far. SQLite: one trigger per
row (it has no TRUNCATE).

Triggers can go missing: SQLite drops a table's triggers when a migration remakes the
table (every column change does), and refuses to remake one that a trigger names, so
they are dropped before migrations run on SQLite (apps.py); a hand-made repair may
drop or disable them on either database. `ensure()` puts back whatever is missing or
disabled after every `migrate` (apps.py) and every minute before the settling
(tasks.py), and since the changes made meanwhile went unnoted, marks everything
counted for counting again.
"""

from dataclasses import dataclass
from functools import cache

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

PREFIX = "stats_note_"
_LOCK = 0x56535452  # "VSTR": one `ensure()` at a time (PostgreSQL advisory lock)

# Which records a changed row marks as changed, per table: (kind, column of the row).
# a: an act; v: a defender (every act against them); i: an incident (every act of it,
# and its cases); k: an incident whose cases must be counted again; c: a case.
MARKS = {
    "cases_act": [("a", "id"), ("v", "victim_id"), ("k", "incident_id")],
    "cases_incident": [("i", "id")],
    "cases_defender": [("v", "id")],
    "cases_perpetrator": [("a", "act_id")],
    "cases_case_incidents": [("c", "case_id")],
    # Which sources an act has decides whether 16.10.1 counts it as verified.
    "cases_act_sources": [("a", "act_id")],
}
# The columns the statistics read (tally.act_buckets, counting.COUNTERS, the filters
# of selectors.filtered_acts, the 16.10.1 rules): an update that changes none of them
# notes nothing. A test holds these lists to what those read.
COUNTED = {
    "cases_act": [
        "incident_id", "victim_id", "violation", "reprisal", "verification",
        "independent_sources",
    ],
    "cases_incident": ["start_date", "country"],
    "cases_defender": [
        "kind", "sex_gender", "is_hrd", "is_journalist", "is_trade_unionist",
        "focus_environment", "focus_business", "focus_labour", "focus_lgbti",
        "focus_anti_corruption", "focus_lawyers", "focus_other",
    ],
    "cases_perpetrator": ["act_id", "category"],
    "cases_case_incidents": ["case_id", "incident_id"],
    "cases_act_sources": ["act_id", "source_id"],
}  # fmt: skip
ROWS = {"INSERT": ["new_rows"], "UPDATE": ["old_rows", "new_rows"], "DELETE": ["old_rows"]}
# A new incident or defender has no act yet: nothing to count until one is recorded.
NOT_ON_INSERT = {"cases_incident", "cases_defender"}
# Every table a trigger watches, for PostgreSQL's TRUNCATE.
TRUNCATED = [*MARKS, "cases_case", "cases_source"]


@dataclass(frozen=True)
class Trigger:
    table: str
    event: str  # INSERT, UPDATE, DELETE or TRUNCATE
    postgresql: str  # SELECT (kind, entity) from the transition tables old_rows, new_rows
    sqlite: str = ""  # the row trigger's WHEN and body, over OLD and NEW ("": none)
    columns: str = ""  # SQLite: only when one of these is updated

    @property
    def name(self) -> str:
        return f"{PREFIX}{self.table}_{self.event.lower()}"


def _insert(values: str) -> str:
    return f"BEGIN INSERT INTO stats_change (kind, entity) VALUES {values}; END"  # noqa: S608


def _marked(table: str, event: str) -> Trigger:
    marks, rows = MARKS[table], ROWS[event]
    columns = COUNTED[table]
    if event == "UPDATE":
        old = ", ".join(f"o.{c}" for c in columns)
        new = ", ".join(f"n.{c}" for c in columns)
        changed = (
            f"FROM old_rows o JOIN new_rows n ON n.id = o.id "
            f"WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
        )
        postgresql = " UNION ".join(
            f"SELECT '{kind}', {alias}.{column} {changed}"  # noqa: S608 (constants here)
            for alias in ("o", "n")
            for kind, column in marks
        )
        when = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        values = ", ".join(f"('{k}', {r}.{c})" for r in ("OLD", "NEW") for k, c in marks)
        return Trigger(
            table, event, postgresql, f"WHEN {when} " + _insert(values), ", ".join(columns)
        )
    postgresql = " UNION ".join(
        f"SELECT '{kind}', {column} FROM {r}"  # noqa: S608 (constants of this module)
        for r in rows
        for kind, column in marks
    )
    row = "NEW" if event == "INSERT" else "OLD"
    return Trigger(
        table, event, postgresql, _insert(", ".join(f"('{k}', {row}.{c})" for k, c in marks))
    )


@cache
def every() -> list[Trigger]:
    """Every trigger of the statistics, for the database at hand to make (`ensure`)."""
    found = [
        _marked(table, event)
        for table in MARKS
        for event in ROWS
        if not (event == "INSERT" and table in NOT_ON_INSERT)
    ]
    found += [
        # A case's status is a filter of the statistics pages (their cached counts).
        Trigger(
            "cases_case", "UPDATE",
            "SELECT 'c', n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
            "WHERE n.status <> o.status",
            "WHEN OLD.status <> NEW.status " + _insert("('c', NEW.id)"),
            columns="status",
        ),
        # A source rated reliable or no longer: the acts it backs may change in 16.10.1.
        Trigger(
            "cases_source", "UPDATE",
            "SELECT 'a', l.act_id FROM cases_act_sources l JOIN new_rows n ON n.id = l.source_id "
            "JOIN old_rows o ON o.id = n.id WHERE n.reliability <> o.reliability",
            "WHEN OLD.reliability <> NEW.reliability BEGIN INSERT INTO stats_change (kind, entity) "
            "SELECT 'a', act_id FROM cases_act_sources WHERE source_id = NEW.id; END",
            columns="reliability",
        ),
    ]  # fmt: skip
    # TRUNCATE (PostgreSQL only): which rows went is not known, so everything
    # counted so far is noted, and one act that cannot exist, so that the version
    # changes even when nothing was counted yet.
    found += [Trigger(table, "TRUNCATE", "") for table in TRUNCATED]
    return found


def for_vendor(vendor: str) -> list[Trigger]:
    return [t for t in every() if vendor == "postgresql" or t.event != "TRUNCATE"]


_TRUNCATED_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {PREFIX}truncated() RETURNS trigger LANGUAGE plpgsql "  # noqa: S608
    "AS $$ BEGIN INSERT INTO stats_change (kind, entity) SELECT kind, entity FROM "
    "stats_membership UNION ALL SELECT 'a', 0; RETURN NULL; END $$"
)


def _postgresql_function(table: str) -> str:
    body = "".join(
        f"IF TG_OP = '{t.event}' THEN INSERT INTO stats_change (kind, entity) "  # noqa: S608
        f"SELECT * FROM ({t.postgresql}) AS marked; END IF; "
        for t in every()
        if t.table == table and t.event != "TRUNCATE"
    )
    return (
        f"CREATE OR REPLACE FUNCTION {PREFIX}{table}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {body}RETURN NULL; END $$"
    )


def _create(vendor: str, trigger: Trigger) -> list[str]:
    if vendor == "postgresql":
        drop = f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table}"  # if disabled
        if trigger.event == "TRUNCATE":
            return [
                drop,
                f"CREATE TRIGGER {trigger.name} AFTER TRUNCATE ON {trigger.table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}truncated()",
            ]
        referencing = " ".join(
            f"{'OLD' if r == 'old_rows' else 'NEW'} TABLE AS {r}" for r in ROWS[trigger.event]
        )
        return [
            drop,
            f"CREATE TRIGGER {trigger.name} AFTER {trigger.event} ON {trigger.table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {PREFIX}{trigger.table}()",
        ]
    of = f" OF {trigger.columns}" if trigger.columns else ""
    return [
        f"CREATE TRIGGER IF NOT EXISTS {trigger.name} AFTER {trigger.event}{of} "
        f"ON {trigger.table} {trigger.sqlite}"
    ]


def present(connection: BaseDatabaseWrapper) -> set[str]:
    """The names of the statistics' triggers the database holds and fires (a trigger
    disabled on PostgreSQL is not present)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgname LIKE %s",
                [PREFIX + "%"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [PREFIX + "%"],
            )
        return {name for (name,) in cursor.fetchall()}


def missing(connection: BaseDatabaseWrapper) -> list[Trigger]:
    held = present(connection)
    return [t for t in for_vendor(connection.vendor) if t.name not in held]


def ensure(connection: BaseDatabaseWrapper, *, recount: bool = True) -> list[str]:
    """Put back every missing or disabled trigger; returns their names. With
    `recount`, what changed while they were missing is unknown, so every act, and
    every act, victim and case already counted, is noted as changed for the next
    settling. One at a time: a second caller finds nothing left to do."""
    if "stats_change" not in connection.introspection.table_names():
        return []  # migrated back before the tallies: nothing to note into
    if not missing(connection):
        return []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # PostgreSQL: an advisory lock; SQLite: the write lock this transaction took
        # (IMMEDIATE). Then what is missing is read again, under the lock.
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        absent = missing(connection)
        if not absent:
            return []
        if connection.vendor == "postgresql":
            cursor.execute(_TRUNCATED_FUNCTION)
            for table in sorted({t.table for t in absent if t.event != "TRUNCATE"}):
                cursor.execute(_postgresql_function(table))
        for trigger in absent:
            for statement in _create(connection.vendor, trigger):
                cursor.execute(statement)
        if recount:
            cursor.execute(
                "INSERT INTO stats_change (kind, entity) SELECT kind, entity FROM "
                "stats_membership UNION SELECT 'a', id FROM cases_act"
            )
    return [t.name for t in absent]


def drop(connection: BaseDatabaseWrapper, tables: set[str] | None = None) -> None:
    """Remove the triggers of `tables` (default: all) with their functions, and every
    TRUNCATE trigger."""
    chosen = set(MARKS) | set(TRUNCATED) if tables is None else tables
    with connection.cursor() as cursor:
        for trigger in for_vendor(connection.vendor):
            if trigger.table not in chosen and trigger.event != "TRUNCATE":
                continue
            on = f" ON {trigger.table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger.name}{on}")
        if connection.vendor == "postgresql":
            for table in sorted(chosen):
                cursor.execute(f"DROP FUNCTION IF EXISTS {PREFIX}{table}()")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PREFIX}truncated()")
