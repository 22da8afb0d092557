"""PostgreSQL: the search index becomes a GIN index over each entry's words as an
array (`string_to_array(tokens, ' ')`), in place of `to_tsvector('simple', tokens)`.

The tokens are keyed hashes (vault/search.py): there is nothing for a text search
parser to do but split them on spaces, and parsing cost three times the array's
write time (about 110 against 33 microseconds an entry on the benchmark machine), the
largest share of an import's time. The index also keeps a larger list of entries
waiting to be merged (32 MB, against 4), so that an import's entries are merged in
bulk by autovacuum, not a few at a time inside the import. SQLite's FTS5 table is
unchanged.
"""

from django.db import migrations


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS core_searchentry_tokens_gin")
    schema_editor.execute(
        "CREATE INDEX core_searchentry_words_gin ON core_searchentry "
        "USING GIN (string_to_array(tokens, ' ')) WITH (gin_pending_list_limit = 32768)"
    )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS core_searchentry_words_gin")
    schema_editor.execute(
        "CREATE INDEX core_searchentry_tokens_gin ON core_searchentry "
        "USING GIN (to_tsvector('simple', tokens))"
    )


class Migration(migrations.Migration):
    dependencies = [("vault", "0002_content_types_follow_the_models")]

    operations = [migrations.RunPython(forward, backward)]
