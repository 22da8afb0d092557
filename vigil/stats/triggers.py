"""The database triggers that note, in `stats_change`, every change to the records the
statistics count (tally.py, freshness.py): acts, incidents, defenders, perpetrators,
the links of cases to incidents and of acts to sources, a case's status and a
source's reliability. Triggers, not signals: imports write in bulk, restores through
the cursor, and a queryset's update sends no signal; a trigger sees every one of them.

PostgreSQL: one trigger per statement, reading the rows it changed from transition
tables (a bulk COPY of a million rows fires once per statement, not per row).
SQLite: one trigger per row.

Triggers can go missing: SQLite drops a table's triggers when a migration remakes the
table (every column change does), and a hand-made repair or a partial restore may
drop them on either database. `ensure()` puts back whatever is missing after every
`migrate` (apps.py) and every minute before the settling (tasks.py), and since the
changes made meanwhile went unnoted, marks every record counted for counting again.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

PREFIX = "stats_note_"

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
ROWS = {"INSERT": ["new_rows"], "UPDATE": ["old_rows", "new_rows"], "DELETE": ["old_rows"]}
# A new incident or defender has no act yet: nothing to count until one is recorded.
NOT_ON_INSERT = {"cases_incident", "cases_defender"}


@dataclass(frozen=True)
class Trigger:
    table: str
    event: str  # INSERT, UPDATE or DELETE
    postgresql: str  # SELECT (kind, entity) from the transition tables old_rows, new_rows
    sqlite: str  # the row trigger's WHEN and body, over OLD and NEW
    columns: str = ""  # SQLite: only when one of these is updated

    @property
    def name(self) -> str:
        return f"{PREFIX}{self.table}_{self.event.lower()}"


def _marked(table: str, event: str) -> Trigger:
    rows = ROWS[event]
    postgresql = " UNION ".join(
        f"SELECT '{kind}', {column} FROM {r}"  # noqa: S608 (constants of this module)
        for r in rows
        for kind, column in MARKS[table]
    )
    values = ", ".join(
        f"('{kind}', {'OLD' if r == 'old_rows' else 'NEW'}.{column})"
        for r in rows
        for kind, column in MARKS[table]
    )
    sqlite = f"BEGIN INSERT INTO stats_change (kind, entity) VALUES {values}; END"  # noqa: S608
    return Trigger(table, event, postgresql, sqlite)


TRIGGERS = [
    _marked(table, event)
    for table in MARKS
    for event in ROWS
    if not (event == "INSERT" and table in NOT_ON_INSERT)
] + [
    # A case's status is a filter of the statistics pages (their cached counts).
    Trigger(
        "cases_case", "UPDATE",
        "SELECT 'c', n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
        "WHERE n.status <> o.status",
        "WHEN OLD.status <> NEW.status "
        "BEGIN INSERT INTO stats_change (kind, entity) VALUES ('c', NEW.id); END",
        columns="status",
    ),
    # A source rated reliable or no longer: the acts it backs may change in 16.10.1.
    Trigger(
        "cases_source", "UPDATE",
        "SELECT 'a', l.act_id FROM cases_act_sources l JOIN new_rows n ON n.id = l.source_id "
        "JOIN old_rows o ON o.id = n.id WHERE n.reliability <> o.reliability",
        "WHEN OLD.reliability <> NEW.reliability "
        "BEGIN INSERT INTO stats_change (kind, entity) "
        "SELECT 'a', act_id FROM cases_act_sources WHERE source_id = NEW.id; END",
        columns="reliability",
    ),
]  # fmt: skip


def _postgresql_function(table: str) -> str:
    body = "".join(
        f"IF TG_OP = '{t.event}' THEN INSERT INTO stats_change (kind, entity) "  # noqa: S608
        f"SELECT * FROM ({t.postgresql}) AS marked; END IF; "
        for t in TRIGGERS
        if t.table == table
    )
    return (
        f"CREATE OR REPLACE FUNCTION {PREFIX}{table}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {body}RETURN NULL; END $$"
    )


def _create(vendor: str, trigger: Trigger) -> str:
    if vendor == "postgresql":
        referencing = " ".join(
            f"{'OLD' if r == 'old_rows' else 'NEW'} TABLE AS {r}" for r in ROWS[trigger.event]
        )
        return (
            f"CREATE TRIGGER {trigger.name} AFTER {trigger.event} ON {trigger.table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {PREFIX}{trigger.table}()"
        )
    of = f" OF {trigger.columns}" if trigger.columns else ""
    return f"CREATE TRIGGER {trigger.name} AFTER {trigger.event}{of} ON {trigger.table} " + (
        trigger.sqlite
    )


def present(connection: BaseDatabaseWrapper) -> set[str]:
    """The names of the statistics' triggers the database holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s",
                [PREFIX + "%"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [PREFIX + "%"],
            )
        return {name for (name,) in cursor.fetchall()}


def ensure(connection: BaseDatabaseWrapper, *, recount: bool = True) -> list[str]:
    """Put back every missing trigger; returns their names. With `recount`, what
    changed while they were missing is unknown, so every act, and every act, victim
    and case already counted, is noted as changed for the next settling."""
    if "stats_change" not in connection.introspection.table_names():
        return []  # migrated back before the tallies: nothing to note into
    missing = [t for t in TRIGGERS if t.name not in present(connection)]
    if not missing:
        return []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in sorted({t.table for t in missing}):
                cursor.execute(_postgresql_function(table))
        for trigger in missing:
            cursor.execute(_create(connection.vendor, trigger))
        if recount:
            cursor.execute(
                "INSERT INTO stats_change (kind, entity) SELECT kind, entity FROM "
                "stats_membership UNION SELECT 'a', id FROM cases_act"
            )
    return [t.name for t in missing]


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove every trigger and function (migrating back before the tallies)."""
    with connection.cursor() as cursor:
        for trigger in TRIGGERS:
            on = f" ON {trigger.table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger.name}{on}")
        if connection.vendor == "postgresql":
            for table in sorted({t.table for t in TRIGGERS}):
                cursor.execute(f"DROP FUNCTION IF EXISTS {PREFIX}{table}()")
