"""The assessment's narrative and the report builds are the reports room's now
(reports migration 0001): stats forgets them, the tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0002_report_build"),
        ("reports", "0001_narrative_and_builds_from_stats"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Narrative"),
                migrations.DeleteModel(name="ReportBuild"),
            ],
            database_operations=[],
        ),
    ]
