"""The settled count that versions the statistics' records (models.Settled), a random mark
on each change, room in a tally's bucket for the 16.10.1 cells, and the triggers
made again as triggers.py has them now (a case's status, acts' sources, a source's
reliability and TRUNCATE added; updates noted only when they change what is
counted). The cells are counted at the next settling (every act is noted)."""

import secrets

from django.db import migrations, models

import vigil.stats.models

from vigil.stats import triggers


NEW_TABLES = {"cases_case", "cases_source", "cases_act_sources"}


def drop_all(apps, schema_editor):  # type: ignore[no-untyped-def]
    # First: SQLite remakes stats_change below, and refuses while a trigger names it.
    triggers.drop(schema_editor.connection)


def back_to_0004(apps, schema_editor):  # type: ignore[no-untyped-def]
    # 0004's triggers only: one added since would go on writing into stats_change
    # once 0004 is undone too.
    triggers.ensure(schema_editor.connection, recount=False)
    triggers.drop(schema_editor.connection, NEW_TABLES)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("stats", "Settled").objects.create(pk=1, epoch=secrets.token_hex(8))
    # Made again as triggers.py has them: 0004's noted every update, these only those
    # that change what the statistics count.
    triggers.ensure(schema_editor.connection, recount=False)
    schema_editor.execute("INSERT INTO stats_change (kind, entity) SELECT 'a', id FROM cases_act")


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0004_tallies"),
    ]

    operations = [
        migrations.RunPython(drop_all, back_to_0004),
        migrations.CreateModel(
            name="Settled",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("epoch", models.CharField(max_length=32)),
                ("changes", models.BigIntegerField(default=0)),
                ("marks", models.BigIntegerField(default=0)),
                ("at", models.DateTimeField(null=True)),
                ("sdg_minimum", models.PositiveSmallIntegerField(null=True)),
            ],
        ),
        migrations.AddField(
            model_name="change",
            name="mark",
            field=models.BigIntegerField(db_default=vigil.stats.models.RandomMark()),
        ),
        migrations.AlterField(
            model_name="tally",
            name="bucket",
            field=models.CharField(max_length=80),
        ),
        migrations.RunPython(forward, drop_all),
    ]
