"""Export the records a user may see, in the exchange layout:

    manage.py export_records FILE --as USERNAME [--identities]

The format follows the file's extension (.csv, .json, .xlsx). Identity fields only
with --identities, and only for a user whose role may see them.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.accounts.models import User
from vigil.exchange import exporter

WRITERS = {".csv": exporter.as_csv, ".json": exporter.as_json, ".xlsx": exporter.as_xlsx}


class Command(BaseCommand):
    help = "Export the records a user may see to a CSV, JSON or XLSX exchange file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", required=True, help="the user exporting")
        parser.add_argument("--identities", action="store_true", help="include identity fields")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        writer = WRITERS.get(path.suffix.lower())
        if writer is None:
            raise CommandError("give a .csv, .json or .xlsx file name")
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {options['username']!r}") from None
        data = exporter.rows(user, identities=options["identities"])
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(writer(data))
        partial.replace(path)
        counts = ", ".join(f"{len(rows)} {kind}" for kind, rows in data.items())
        self.stdout.write(f"{path}: {counts}")
