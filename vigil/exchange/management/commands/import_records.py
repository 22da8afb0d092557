"""Import defenders, incidents, acts and sources from a CSV, JSON or XLSX file in the
exchange layout (docs/import-export.md), as a user whose countries and role apply:

    manage.py import_records FILE --as USERNAME [--skip-invalid]

Every row is checked first; the problems are listed by kind, row, column and reason.
By default nothing is imported if any row is bad. With --skip-invalid, the good rows
are imported and the rejected ones written beside the input (FILE.rejected.csv).
"""

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.accounts.models import User
from vigil.core.progress import ProgressBar
from vigil.exchange import importer


class Command(BaseCommand):
    help = "Import records from a CSV, JSON or XLSX exchange file; nothing on any error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", required=True, help="the user importing")
        parser.add_argument(
            "--skip-invalid", action="store_true",
            help="import the good rows; write the rejected ones to FILE.rejected.csv",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            user = User.objects.get(username=options["username"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {options['username']!r}") from None
        try:
            raw = importer.read(path)
            stream = self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr
            report = importer.run(
                user, raw, skip_invalid=options["skip_invalid"],
                progress=lambda total: ProgressBar(total, stream=stream, label="rows"),
            )  # fmt: skip
        except importer.FileError as error:
            raise CommandError(str(error)) from None
        except (PermissionError, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        for problem in report.problems:
            self.stderr.write(str(problem))
        if not report.imported:
            raise CommandError(
                f"{len(report.rejected)} of {report.total} rows are not valid: nothing was "
                "imported. Correct them, or use --skip-invalid to import the others."
            )
        if report.rejected:
            rejected = path.with_name(path.name + ".rejected.csv")
            importer.write_rejected(report, rejected)
            self.stderr.write(f"{len(report.rejected)} rejected rows written to {rejected}")
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.rejected)} rejected"
        )
