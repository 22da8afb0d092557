import base64
import secrets

from django.conf import settings
from django.db import migrations, models

import vigil.vault.fields


def make_index_key(apps, schema_editor):
    """Make the installation's blind-index key. A database that already holds blind
    indexes had them keyed from the newest encryption key, so that key's bytes stay
    the key's input and every name already indexed is still found; a new
    database gets 32 random bytes."""
    WrappedKey = apps.get_model("core", "WrappedKey")
    SearchEntry = apps.get_model("core", "SearchEntry")
    indexed = SearchEntry.objects.exists()
    try:  # defenders' names are indexed too (cases may not be migrated yet: a new database)
        indexed = indexed or apps.get_model("cases", "DefenderName").objects.exists()
    except LookupError:
        pass
    if indexed:
        value = base64.urlsafe_b64encode(settings.ENCRYPTION_KEYS[0].encode()).decode()
    else:
        value = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    # The purpose of that time ("blind index"): vault.index replaces such a key
    # after migrate, so that no encryption key lives on inside the database.
    WrappedKey.objects.create(purpose="blind index", key=value)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="WrappedKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("purpose", models.CharField(max_length=50, unique=True)),
                ("key", vigil.vault.fields.EncryptedTextField()),
            ],
        ),
        migrations.RunPython(make_index_key, migrations.RunPython.noop),
    ]
