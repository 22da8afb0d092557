"""Delete what Vigil keeps only for a while; run it daily (cron or a systemd timer):

- intake reports closed without becoming a case, `VIGIL_INTAKE_RETENTION_DAYS` (90)
  days after closing, with their messages and files;
- the files of report builds older than seven days.
"""

from typing import Any

from django.core.management.base import BaseCommand

from vigil.intake import services
from vigil.reports import builds


class Command(BaseCommand):
    help = "Delete closed intake reports past their retention, and old report files."

    def handle(self, *args: Any, **options: Any) -> None:
        reports = services.purge_expired()
        files = builds.purge_expired()
        self.stdout.write(f"{reports} closed reports deleted, {files} report files deleted")
