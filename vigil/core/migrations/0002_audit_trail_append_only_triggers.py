"""Database triggers that refuse to change audit entries.

A guard against application bugs and casual edits, not against someone who
controls the database (they can drop a trigger): the hash chain and
`verify_audit --expect` are the defence against that.

PostgreSQL refuses UPDATE and DELETE of a row. SQLite refuses UPDATE; DELETE is
refused by the model and its queryset only, because Django's test flush empties
tables with DELETE on SQLite (on PostgreSQL it uses TRUNCATE, which row triggers
do not see).
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION core_auditentry_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'the audit trail is append-only';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse_change()
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_refuse_change()",
]
SQLITE_FORWARD = [
    """
    CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE ON core_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'the audit trail is append-only');
    END
    """,
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS core_auditentry_append_only"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_trail_and_demo_marker")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
