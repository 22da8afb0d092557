"""The content types (and so the permissions and admin history) of the models moved
from `stats` follow them to `reports`, so an upgraded installation keeps no stale
`stats.*` entries beside the new ones. A fresh installation has none to move."""

from django.db import migrations

OLD, NEW, MODELS = "stats", "reports", ("narrative", "reportbuild")


def follow(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    for model in MODELS:
        old = content_types.filter(app_label=OLD, model=model).first()
        if old is None:
            continue
        if content_types.filter(app_label=NEW, model=model).exists():
            old.delete()  # its permissions go with it; the new entry has its own
        else:
            old.app_label = NEW
            old.save(update_fields=["app_label"])



class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reports", "0001_narrative_and_builds_from_stats"),
    ]

    operations = [migrations.RunPython(follow, migrations.RunPython.noop)]
