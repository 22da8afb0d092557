"""The assessment's narrative and the report builds become the reports room's.
Their tables stay where the stats app made them (`stats_narrative`,
`stats_reportbuild`): only Django's record of who owns them moves, so nothing is
copied and nothing is lost."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("stats", "0002_report_build"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Narrative",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("report", models.CharField(max_length=30)),
                        ("starts_on", models.DateField()),
                        ("ends_on", models.DateField()),
                        ("section", models.CharField(max_length=30)),
                        ("text", models.TextField(blank=True, verbose_name="text")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("updated_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "stats_narrative",
                        "constraints": [models.UniqueConstraint(fields=("report", "starts_on", "ends_on", "section"), name="narrative_once")],
                    },
                ),
                migrations.CreateModel(
                    name="ReportBuild",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("report", models.CharField(max_length=30, verbose_name="report")),
                        ("fmt", models.CharField(max_length=5, verbose_name="format")),
                        ("starts_on", models.DateField(verbose_name="from")),
                        ("ends_on", models.DateField(verbose_name="until")),
                        ("language", models.CharField(max_length=10, verbose_name="language")),
                        ("state", models.CharField(choices=[("queued", "Waiting to start"), ("running", "Being built"), ("done", "Ready"), ("failed", "Failed")], default="queued", max_length=10)),
                        ("done", models.PositiveIntegerField(default=0)),
                        ("total", models.PositiveIntegerField(default=0)),
                        ("failure", models.CharField(blank=True, max_length=20)),
                        ("stored_name", models.CharField(blank=True, editable=False, max_length=64)),
                        ("filename", models.CharField(blank=True, max_length=200)),
                        ("size", models.PositiveBigIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("requested_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="report_builds", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "stats_reportbuild",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
