"""Each database's own full-text index over core_searchentry.tokens.

PostgreSQL: a GIN index on to_tsvector('simple', tokens); the 'simple'
configuration neither stems nor drops stop words, which suits hashed tokens.
SQLite: an external-content FTS5 table, kept in step with three triggers.
"""

from django.db import migrations

FORWARD = {
    "postgresql": [
        "CREATE INDEX core_searchentry_tokens_gin ON core_searchentry "
        "USING GIN (to_tsvector('simple', tokens))",
    ],
    "sqlite": [
        "CREATE VIRTUAL TABLE core_searchentry_fts USING fts5("
        "tokens, content='core_searchentry', content_rowid='id')",
        "CREATE TRIGGER core_searchentry_fts_insert AFTER INSERT ON core_searchentry BEGIN "
        "INSERT INTO core_searchentry_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
        "CREATE TRIGGER core_searchentry_fts_delete AFTER DELETE ON core_searchentry BEGIN "
        "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, tokens) "
        "VALUES ('delete', old.id, old.tokens); END",
        "CREATE TRIGGER core_searchentry_fts_update AFTER UPDATE ON core_searchentry BEGIN "
        "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, tokens) "
        "VALUES ('delete', old.id, old.tokens); "
        "INSERT INTO core_searchentry_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    ],
}
BACKWARD = {
    "postgresql": ["DROP INDEX IF EXISTS core_searchentry_tokens_gin"],
    "sqlite": [
        "DROP TRIGGER IF EXISTS core_searchentry_fts_insert",
        "DROP TRIGGER IF EXISTS core_searchentry_fts_delete",
        "DROP TRIGGER IF EXISTS core_searchentry_fts_update",
        "DROP TABLE IF EXISTS core_searchentry_fts",
    ],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0003_search_entries")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
