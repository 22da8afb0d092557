"""The settled count that versions the statistics' records (models.Settled), room in
a tally's bucket for the 16.10.1 cells, and the triggers added since 0004 (a case's
status, acts' sources, a source's reliability), put in by triggers.ensure. The cells
are counted at the next rebuild (every act is noted as changed)."""

import secrets

from django.db import migrations, models

from vigil.stats import triggers


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("stats", "Settled").objects.create(pk=1, epoch=secrets.token_hex(8))
    triggers.ensure(schema_editor.connection, recount=False)
    schema_editor.execute("INSERT INTO stats_change (kind, entity) SELECT 'a', id FROM cases_act")


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
                ("sdg_minimum", models.PositiveSmallIntegerField(null=True)),
            ],
        ),
        migrations.AlterField(
            model_name="tally",
            name="bucket",
            field=models.CharField(max_length=80),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
