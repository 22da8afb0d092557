"""The wrapped keys and the search entries become the vault's. Their tables stay
where core made them (`core_wrappedkey`, `core_searchentry`, with the search indexes
and triggers of core's migration 0004): only Django's record of who owns them moves,
so nothing is copied and nothing is lost."""

from django.db import migrations, models

import vigil.vault.fields


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0006_audit_keyed_chain"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=50)),
                        ("object_id", models.PositiveBigIntegerField()),
                        ("tokens", models.TextField()),
                    ],
                    options={"db_table": "core_searchentry"},
                ),
                migrations.AddConstraint(
                    model_name="searchentry",
                    constraint=models.UniqueConstraint(fields=("kind", "object_id"), name="one_search_entry"),
                ),
                migrations.CreateModel(
                    name="WrappedKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("purpose", models.CharField(max_length=50, unique=True)),
                        ("key", vigil.vault.fields.EncryptedTextField()),
                    ],
                    options={"db_table": "core_wrappedkey"},
                ),
            ],
            database_operations=[],
        ),
    ]
