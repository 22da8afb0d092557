"""The wrapped keys and the search entries are the vault's now (vault migration
0001): core forgets them, the tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_keyed_chain"),
        ("vault", "0001_keys_and_search_entries_from_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SearchEntry"),
                migrations.DeleteModel(name="WrappedKey"),
            ],
            database_operations=[],
        ),
    ]
