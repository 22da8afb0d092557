"""The settled count that versions the statistics' records (models.Settled), and the
triggers added since 0004 (a case's status, acts' sources, a source's reliability),
put in by triggers.ensure."""

import secrets

from django.db import migrations, models

from vigil.stats import triggers


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("stats", "Settled").objects.create(pk=1, epoch=secrets.token_hex(8))
    triggers.ensure(schema_editor.connection, recount=False)


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0004_tallies"),
    ]

    operations = [
        migrations.CreateModel(
            name="Settled",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("epoch", models.CharField(max_length=32)),
                ("changes", models.BigIntegerField(default=0)),
                ("at", models.DateTimeField(null=True)),
            ],
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
