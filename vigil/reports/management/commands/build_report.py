"""Build a report for a period: `build_report communications --from 2026-01-01 --to
2026-06-30 --format pdf`. The reports it knows are listed in reports/registry.py."""

import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from vigil.core import audit
from vigil.core.progress import ProgressBar
from vigil.reports import pipeline, registry


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "Build a report for a period, as PDF, DOCX or HTML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", help=f"which report: {', '.join(registry.names())}")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--format", dest="fmt", choices=pipeline.FORMATS, default="pdf")
        parser.add_argument("--replies-from", help="communications: first day of replies")
        parser.add_argument("--replies-to", help="communications: last day of replies")
        parser.add_argument(
            "--language",
            default="en",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the report",
        )
        parser.add_argument("--output", help="file to write (default: its own name, here)")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["report"]
        if name not in registry.names():
            raise CommandError(
                f"unknown report {name!r}; choose from {', '.join(registry.names())}"
            )
        start, end = _date(options["start"]), _date(options["end"])
        if end < start:
            raise CommandError("--to is before --from")
        extra = {
            key: _date(options[key]) for key in ("replies_from", "replies_to") if options.get(key)
        }
        stream = self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr
        with translation.override(options["language"]):
            built = registry.build(
                name,
                start=start,
                end=end,
                fmt=options["fmt"],
                progress=lambda total: ProgressBar(total, stream=stream, label=name),
                language=options["language"],
                **extra,
            )
        output = Path(options["output"] or built.filename)
        partial = output.with_name(output.name + ".partial")
        partial.write_bytes(built.content)
        partial.replace(output)  # never a half-written report under the real name
        audit.record(
            actor=None, action="reports.built", object_type="report", object_id=name,
            fields=[options["fmt"], start.isoformat(), end.isoformat()],
        )  # fmt: skip
        self.stdout.write(f"{output} ({len(built.content):,} bytes)")
